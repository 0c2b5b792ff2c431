/* streams.c - pulls and snapshots of the reference-data streams (streams.h), and reply.h. */
#include "streams.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zone.h"

kiosk_rc srv_reply_error(srv_reply *r, int status, const char *code, const char *fmt, ...)
{
    r->status = status;
    snprintf(r->error, sizeof r->error, "%s", code);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->detail, sizeof r->detail, fmt, ap);
    va_end(ap);
    json_decref(r->body);
    r->body = NULL;
    free(r->raw);
    r->raw = NULL;
    return KIOSK_OK;
}

kiosk_rc srv_reply_storage(srv_reply *r, kiosk_rc rc, const char *what)
{
    if (rc == KIOSK_ERR_BUSY || rc == KIOSK_ERR_IO) {
        srv_reply_error(r, 503, "unavailable", "%s: the database is busy or unreachable; retry",
                        what);
        r->retry_after = 2;
    } else {
        srv_reply_error(r, 500, "internal", "%s: %s", what, kiosk_strerror(rc));
    }
    return KIOSK_OK;
}

void srv_reply_cleanup(srv_reply *r)
{
    free(r->raw);
    json_decref(r->body);
    json_decref(r->extra);
    memset(r, 0, sizeof *r);
}

/* The site id whose rows also belong to a stream of every site (city-wide policies, the
 * working-day calendar). */
static const char *also_site(srv_stream s)
{
    return s == SRV_STREAM_POLICY || s == SRV_STREAM_CALENDAR ? SRV_ANY_SITE : NULL;
}

/* The streams made of the site's records of the last two days rather than of stream rows: the
 * record kind, or NULL. */
static const char *records_kind(srv_stream s)
{
    return s == SRV_STREAM_MEALS_TODAY ? "meal" : s == SRV_STREAM_CHECKINS_TODAY ? "checkin" : NULL;
}

/* Records of today and yesterday in the site's zone. */
static void records_from_date(const srv_site *site, int64_t now_ms, char out[11])
{
    kiosk_date today = srv_zone_date(site->timezone, now_ms);
    kiosk_date_format(kiosk_date_from_days(kiosk_date_to_days(today) - 1), out);
}

typedef struct page {
    json_t *items;
    long count, limit;
    bool records;  /* rows are payloads of records (meals_today, checkins_today) */
    bool snapshot; /* {"key", "version", "row"} instead of changes */
    int64_t last_version;
    char last_key[SRV_AFTER_MAX];
    bool has_more;
    kiosk_rc bad; /* a stored row that is not JSON */
} page;

static json_t *row_json(const page *p, const srv_stream_row *r)
{
    json_t *parsed = json_loads(r->row, 0, NULL);
    if (!parsed || !p->records)
        return parsed;
    return json_pack("{s:s, s:o}", "record_id", r->key, "payload", parsed);
}

static kiosk_rc add_row(void *user, const srv_stream_row *r)
{
    page *p = user;
    if (p->count == p->limit) {
        p->has_more = true; /* the one row read beyond the page */
        return KIOSK_OK;
    }
    json_t *item;
    if (r->row) {
        json_t *row = row_json(p, r);
        if (!row) {
            p->bad = KIOSK_ERR_CORRUPT;
            return KIOSK_ERR_CORRUPT;
        }
        item = p->snapshot ? json_pack("{s:s, s:I, s:o}", "key", r->key, "version",
                                       (json_int_t)r->version, "row", row)
                           : json_pack("{s:s, s:s, s:I, s:o}", "op", "upsert", "key", r->key,
                                       "version", (json_int_t)r->version, "row", row);
    } else {
        item = json_pack("{s:s, s:s, s:I}", "op", "delete", "key", r->key, "version",
                         (json_int_t)r->version);
    }
    if (!item || json_array_append_new(p->items, item) != 0)
        return KIOSK_ERR_NOMEM;
    p->count++;
    p->last_version = r->version;
    snprintf(p->last_key, sizeof p->last_key, "%s", r->key);
    return KIOSK_OK;
}

/* The stream's newest version: the version counter, or for records the newest server_seq. */
static kiosk_rc stream_now(srv_store *st, srv_stream s, int64_t *now)
{
    return records_kind(s) ? srv_store_record_max_seq(st, now) : srv_store_version_now(st, now);
}

static kiosk_rc pull_page(srv_store *st, const srv_device *dev, const srv_site *site,
                          const srv_query *q, int64_t now_ms, srv_reply *r)
{
    int64_t cursor, newest, floor = 0;
    if (!srv_cursor_parse(q->stream, q->cursor, &cursor))
        return srv_reply_error(r, 400, "bad_cursor", "cursor: not a cursor of the %s stream",
                               srv_stream_name(q->stream));
    kiosk_rc rc = stream_now(st, q->stream, &newest);
    if (rc == KIOSK_OK && !records_kind(q->stream))
        rc = srv_store_stream_floor(st, dev->site_id, also_site(q->stream),
                                    srv_stream_name(q->stream), &floor);
    if (rc != KIOSK_OK)
        return rc;
    /* A cursor ahead of the server (its database was restored from an older copy) or behind
     * the tombstones it still keeps cannot be continued safely: start again from a snapshot. */
    if (cursor > newest || (cursor > 0 && cursor < floor)) {
        char snapshot[80];
        snprintf(snapshot, sizeof snapshot, "/v1/sync/snapshot?stream=%s",
                 srv_stream_name(q->stream));
        srv_reply_error(r, 410, "cursor_expired",
                        cursor > newest ? "the cursor is ahead of this server's data"
                                        : "the changes since this cursor are no longer kept");
        r->extra = json_pack("{s:s}", "snapshot", snapshot);
        return KIOSK_OK;
    }
    page p = {.items = json_array(), .limit = q->limit, .records = records_kind(q->stream) != NULL};
    if (!p.items)
        return KIOSK_ERR_NOMEM;
    if (p.records) {
        char from[11];
        records_from_date(site, now_ms, from);
        rc = srv_store_records_changes(st, records_kind(q->stream), dev->site_id, dev->device_id,
                                       from, cursor, q->limit + 1, add_row, &p);
    } else {
        rc =
            srv_store_stream_changes(st, dev->site_id, also_site(q->stream),
                                     srv_stream_name(q->stream), cursor, q->limit + 1, add_row, &p);
    }
    if (rc != KIOSK_OK) {
        json_decref(p.items);
        return rc;
    }
    /* Without more rows, the cursor moves to the newest version read in this snapshot: rows
     * between that the filter left out (this kiosk's own meals, older days) are not read again. */
    int64_t next = p.has_more ? p.last_version
                              : (p.records   ? newest
                                 : p.count ? p.last_version
                                           : cursor);
    char cursor_text[SRV_CURSOR_MAX];
    srv_cursor_format(q->stream, next, cursor_text);
    r->status = 200;
    r->body = json_pack("{s:s, s:o, s:s, s:b}", "stream", srv_stream_name(q->stream), "changes",
                        p.items, "cursor", cursor_text, "has_more", p.has_more);
    return r->body ? KIOSK_OK : KIOSK_ERR_NOMEM;
}

kiosk_rc srv_streams_pull(srv_store *st, const srv_device *dev, const srv_site *site,
                          const srv_query *q, int64_t now_ms, srv_reply *r)
{
    kiosk_rc rc = srv_store_begin(st, false);
    if (rc != KIOSK_OK)
        return rc;
    rc = pull_page(st, dev, site, q, now_ms, r);
    if (rc == KIOSK_OK)
        rc = srv_store_commit(st);
    else
        srv_store_rollback(st);
    return rc;
}

static kiosk_rc snapshot_page(srv_store *st, const srv_device *dev, const srv_site *site,
                              const srv_query *q, int64_t now_ms, srv_reply *r)
{
    int64_t version, newest;
    char after_key[SRV_AFTER_MAX] = "";
    kiosk_rc rc = stream_now(st, q->stream, &newest);
    if (rc != KIOSK_OK)
        return rc;
    if (q->has_after && q->after[0]) {
        if (!srv_after_parse(q->after, &version, after_key) || version > newest)
            return srv_reply_error(r, 400, "bad_request",
                                   "after: not a snapshot token of this server (pass \"next\" "
                                   "as it came)");
    } else {
        version = newest; /* the first page fixes the snapshot's cursor */
    }
    page p = {.items = json_array(),
              .limit = q->limit,
              .snapshot = true,
              .records = records_kind(q->stream) != NULL};
    if (!p.items)
        return KIOSK_ERR_NOMEM;
    if (p.records) {
        char from[11];
        records_from_date(site, now_ms, from);
        rc = srv_store_records_live(st, records_kind(q->stream), dev->site_id, dev->device_id,
                                    from, after_key, q->limit + 1, add_row, &p);
    } else {
        rc =
            srv_store_stream_live(st, dev->site_id, also_site(q->stream),
                                  srv_stream_name(q->stream), after_key, q->limit + 1, add_row, &p);
    }
    if (rc != KIOSK_OK) {
        json_decref(p.items);
        return rc;
    }
    char cursor_text[SRV_CURSOR_MAX], next[SRV_AFTER_MAX];
    srv_cursor_format(q->stream, version, cursor_text);
    srv_after_format(version, p.last_key, next);
    r->status = 200;
    r->body =
        json_pack("{s:s, s:o, s:o, s:s}", "stream", srv_stream_name(q->stream), "rows", p.items,
                  "next", p.has_more ? json_string(next) : json_null(), "cursor", cursor_text);
    return r->body ? KIOSK_OK : KIOSK_ERR_NOMEM;
}

kiosk_rc srv_streams_snapshot(srv_store *st, const srv_device *dev, const srv_site *site,
                              const srv_query *q, int64_t now_ms, srv_reply *r)
{
    kiosk_rc rc = srv_store_begin(st, false);
    if (rc != KIOSK_OK)
        return rc;
    rc = snapshot_page(st, dev, site, q, now_ms, r);
    if (rc == KIOSK_OK)
        rc = srv_store_commit(st);
    else
        srv_store_rollback(st);
    return rc;
}

kiosk_rc srv_streams_expire(srv_store *st, const char *site_id, int64_t older_than_ms,
                            long *dropped)
{
    *dropped = 0;
    kiosk_rc rc = srv_store_begin(st, true);
    for (int s = 0; rc == KIOSK_OK && s < SRV_STREAM_COUNT; s++) {
        if (records_kind((srv_stream)s))
            continue; /* records have no tombstones */
        long n = 0;
        rc =
            srv_store_stream_expire(st, site_id, srv_stream_name((srv_stream)s), older_than_ms, &n);
        *dropped += n;
    }
    if (rc == KIOSK_OK)
        return srv_store_commit(st);
    srv_store_rollback(st);
    return rc;
}
