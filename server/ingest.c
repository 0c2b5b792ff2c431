/* ingest.c - storing an upload batch (ingest.h). */
#include "ingest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "help_calls.h"
#include "staff_records.h"
#include "zone.h"
#define KIOSK_LOG_MODULE "ingest"

const char *srv_item_status_name(srv_item_status s)
{
    switch (s) {
    case SRV_ITEM_ACCEPTED:
        return "accepted";
    case SRV_ITEM_DUPLICATE:
        return "duplicate";
    case SRV_ITEM_CONFLICT:
        return "conflict";
    case SRV_ITEM_REJECTED:
        break;
    }
    return "rejected";
}

/* --- reconciliation ------------------------------------------------------------------------ */

/* The group of subsidised meals of one person, meal type and date holds exactly one meal
 * without a review status (the original: the earliest by estimated creation time, then record
 * id); every other one is flagged. */
typedef struct group {
    srv_group_member original; /* the member without a review status, other than the new one */
    bool has_original;
    long members;
    const char *new_id;
} group;

static kiosk_rc note_member(void *user, const srv_group_member *m)
{
    group *g = user;
    g->members++;
    if (!m->review_status[0] && strcmp(m->record_id, g->new_id) != 0) {
        g->original = *m;
        g->has_original = true;
    }
    return KIOSK_OK;
}

static bool earlier(int64_t a_ms, const char *a_id, int64_t b_ms, const char *b_id)
{
    return a_ms != b_ms ? a_ms < b_ms : strcmp(a_id, b_id) < 0;
}

/* A new subsidised meal (already inserted): if the person had one of the same type and date,
 * the later of the two is flagged and the review case is opened. *flagged: the new one was. */
static kiosk_rc reconcile(srv_store *st, const srv_record *rec, int64_t now_ms, bool *flagged)
{
    group g = {.new_id = rec->record_id};
    *flagged = false;
    kiosk_rc rc = srv_store_meal_group(st, rec->person_id, rec->meal_type, rec->business_date,
                                       note_member, &g);
    if (rc != KIOSK_OK || !g.has_original)
        return rc;
    int64_t case_id = 0;
    rc = srv_store_case_open(st, rec->person_id, rec->meal_type, rec->business_date, now_ms,
                             &case_id);
    if (rc != KIOSK_OK)
        return rc;
    if (earlier(rec->est_created_ms, rec->record_id, g.original.est_created_ms,
                g.original.record_id)) {
        /* The meal that arrived late was eaten first (its kiosk was offline): it is the
         * original, and the one the server held so far becomes the suspected second. */
        rc = srv_store_record_set_review(st, g.original.record_id, SRV_REVIEW_SUSPECTED, case_id);
        if (rc == KIOSK_OK)
            rc = srv_store_record_set_review(st, rec->record_id, NULL, case_id);
    } else {
        rc = srv_store_record_set_review(st, rec->record_id, SRV_REVIEW_SUSPECTED, case_id);
        if (rc == KIOSK_OK)
            rc = srv_store_record_set_review(st, g.original.record_id, NULL, case_id);
        *flagged = true;
    }
    KLOG_INFO("review case %lld: a second subsidised %s of person %s on %s (record %s)",
              (long long)case_id, rec->meal_type, rec->person_id, rec->business_date,
              rec->record_id);
    return rc;
}

/* --- ranges -------------------------------------------------------------------------------- */

typedef struct range_walk {
    srv_ingest *out;
    int64_t last_hi;
    size_t cap;
} range_walk;

static kiosk_rc note_range(void *user, int64_t lo, int64_t hi)
{
    range_walk *w = user;
    srv_ingest *out = w->out;
    if (lo > w->last_hi + 1) {
        if (out->gap_count == SRV_GAPS_MAX) {
            out->gaps_truncated = true;
        } else {
            if (out->gap_count == w->cap) {
                size_t cap = w->cap ? w->cap * 2 : 8;
                int64_t(*grown)[2] = realloc(out->gaps, cap * sizeof *grown);
                if (!grown)
                    return KIOSK_ERR_NOMEM;
                out->gaps = grown;
                w->cap = cap;
            }
            out->gaps[out->gap_count][0] = w->last_hi + 1;
            out->gaps[out->gap_count][1] = lo - 1;
            out->gap_count++;
        }
    }
    w->last_hi = hi;
    out->high_water = hi;
    return KIOSK_OK;
}

kiosk_rc srv_ingest_ranges(srv_store *st, const char *device_id, srv_ingest *out)
{
    free(out->gaps);
    out->gaps = NULL;
    out->gap_count = 0;
    out->gaps_truncated = false;
    out->high_water = 0;
    range_walk w = {.out = out};
    return srv_store_seq_list(st, device_id, note_range, &w);
}

/* Adds the accepted sequence numbers (increasing) as runs of consecutive numbers. */
static kiosk_rc add_runs(srv_store *st, const char *device_id, const int64_t *seqs, size_t n)
{
    kiosk_rc rc = KIOSK_OK;
    for (size_t i = 0; rc == KIOSK_OK && i < n;) {
        size_t j = i;
        while (j + 1 < n && seqs[j + 1] == seqs[j] + 1)
            j++;
        rc = srv_store_seq_add(st, device_id, seqs[i], seqs[j]);
        i = j + 1;
    }
    return rc;
}

/* --- the batch ----------------------------------------------------------------------------- */

/* zone: the site's time zone when the device's clock is suspect (NULL otherwise). */
static void fill_record(srv_record *r, const srv_device *dev, const srv_batch_item *it,
                        int64_t now_ms, int64_t offset, const char *zone)
{
    memset(r, 0, sizeof *r);
    memcpy(r->record_id, it->record_id, sizeof r->record_id);
    snprintf(r->device_id, sizeof r->device_id, "%s", dev->device_id);
    r->device_seq = it->device_seq;
    snprintf(r->kind, sizeof r->kind, "%s", it->kind);
    r->payload = it->payload;
    memcpy(r->payload_sha256, it->payload_sha256, sizeof r->payload_sha256);
    r->created_wall_ms = it->created_wall_ms;
    r->received_ms = now_ms;
    r->clock_offset_ms = offset;
    r->est_created_ms = it->created_wall_ms + offset;
    r->clock_suspect = offset > SRV_CLOCK_SUSPECT_MS || offset < -SRV_CLOCK_SUSPECT_MS;
    snprintf(r->site_id, sizeof r->site_id, "%s", dev->site_id);
    if (strcmp(it->kind, "meal") == 0) {
        snprintf(r->canteen_id, sizeof r->canteen_id, "%s", it->meal.canteen_id);
        snprintf(r->person_id, sizeof r->person_id, "%s", it->meal.person_id);
        snprintf(r->meal_type, sizeof r->meal_type, "%s", it->meal.meal_type);
        snprintf(r->business_date, sizeof r->business_date, "%s", it->meal.business_date);
        /* A kiosk clock more than 5 minutes off may put a meal on the wrong day (hours off, or
         * the meal near midnight): it is filed under the date of its estimated time in the
         * site's zone, the day it was really served. The payload keeps the kiosk's own date. */
        if (zone)
            kiosk_date_format(srv_zone_date(zone, r->est_created_ms), r->business_date);
        r->subsidy_fen = it->meal.subsidy_fen;
    } else if (strcmp(it->kind, "checkin") == 0) {
        /* Filed by day, for the hall's other kiosks (the checkins_today stream). */
        snprintf(r->business_date, sizeof r->business_date, "%s", it->checkin_date);
    }
}

static kiosk_rc store_item(srv_store *st, const srv_device *dev, const srv_batch_item *it,
                           int64_t now_ms, int64_t offset, const char *zone, srv_item_result *res,
                           bool *stored)
{
    srv_record rec;
    fill_record(&rec, dev, it, now_ms, offset, zone);
    bool inserted = false;
    *stored = false;
    kiosk_rc rc = srv_store_record_insert(st, &rec, &inserted, &res->server_seq);
    if (rc != KIOSK_OK)
        return rc;
    if (inserted) {
        res->status = SRV_ITEM_ACCEPTED;
        *stored = true;
        if (rec.business_date[0] && rec.subsidy_fen > 0)
            rc = reconcile(st, &rec, now_ms, &res->flagged);
        /* Staff mode's records: the audit chain checked, a void applied (staff_records.h). */
        bool broken = false;
        if (rc == KIOSK_OK && strcmp(it->kind, "audit") == 0)
            rc = srv_staff_audit_arrived(st, dev, it->record_id, it->payload, now_ms, &broken);
        if (rc == KIOSK_OK && strcmp(it->kind, "override") == 0)
            rc = srv_staff_override_arrived(st, dev, it->record_id, it->payload);
        /* A diner's call for staff: an alert for the admin page, resolved by its answer. */
        if (rc == KIOSK_OK && strcmp(it->kind, "help_call") == 0)
            rc = srv_help_call_arrived(st, dev, it->record_id, it->payload, now_ms);
        if (rc == KIOSK_OK && strcmp(it->kind, "help_answer") == 0)
            rc = srv_help_answer_arrived(st, dev, it->payload);
        return rc;
    }
    char hash[SRV_HEX32];
    rc = srv_store_record_hash(st, it->record_id, hash);
    if (rc == KIOSK_ERR_NOT_FOUND) {
        /* A new record id on a (device, device_seq) that another record holds: a cloned
         * device, or a kiosk database restored from an old copy. */
        res->status = SRV_ITEM_CONFLICT;
        res->code = "seq_taken";
        KLOG_WARN("device %s: seq %lld is held by another record (record %s refused): a "
                  "cloned device or a restored database?",
                  dev->device_id, (long long)it->device_seq, it->record_id);
        return KIOSK_OK;
    }
    if (rc != KIOSK_OK)
        return rc;
    if (strcmp(hash, it->payload_sha256) == 0) {
        res->status = SRV_ITEM_DUPLICATE;
    } else {
        res->status = SRV_ITEM_CONFLICT;
        res->code = "payload_differs";
        KLOG_WARN("device %s: record %s came again with another payload (security alert)",
                  dev->device_id, it->record_id);
    }
    return KIOSK_OK;
}

kiosk_rc srv_ingest_batch(srv_store *st, const srv_device *dev, const srv_batch *batch,
                          int64_t now_ms, int64_t clock_offset_ms, srv_ingest *out)
{
    memset(out, 0, sizeof *out);
    out->items = calloc(batch->count ? batch->count : 1, sizeof *out->items);
    int64_t *seqs = calloc(batch->count ? batch->count : 1, sizeof *seqs);
    kiosk_rc rc = out->items && seqs ? KIOSK_OK : KIOSK_ERR_NOMEM;
    size_t nseqs = 0;
    /* The site's zone, looked up only for a device whose clock is suspect. */
    srv_site site;
    const char *zone = NULL;
    if (rc == KIOSK_OK &&
        (clock_offset_ms > SRV_CLOCK_SUSPECT_MS || clock_offset_ms < -SRV_CLOCK_SUSPECT_MS)) {
        rc = srv_store_site_get(st, dev->site_id, &site);
        zone = site.timezone;
    }
    for (size_t i = 0; rc == KIOSK_OK && i < batch->count; i++) {
        const srv_batch_item *it = &batch->items[i];
        srv_item_result *res = &out->items[i];
        out->count++;
        if (it->rejected) {
            res->status = SRV_ITEM_REJECTED;
            res->code = it->reject_code;
            res->detail = it->reject_detail;
            out->rejected++;
            continue;
        }
        bool stored = false;
        rc = store_item(st, dev, it, now_ms, clock_offset_ms, zone, res, &stored);
        if (stored)
            seqs[nseqs++] = it->device_seq;
        out->accepted += res->status == SRV_ITEM_ACCEPTED;
        out->duplicates += res->status == SRV_ITEM_DUPLICATE;
        out->conflicts += res->status == SRV_ITEM_CONFLICT;
        out->flagged += res->flagged;
    }
    if (rc == KIOSK_OK)
        rc = add_runs(st, dev->device_id, seqs, nseqs);
    free(seqs);
    if (rc == KIOSK_OK)
        rc = srv_ingest_ranges(st, dev->device_id, out);
    return rc;
}

void srv_ingest_cleanup(srv_ingest *in)
{
    if (!in)
        return;
    free(in->items);
    free(in->gaps);
    memset(in, 0, sizeof *in);
}
