/* sync_page_check.h - what a parsed pull or snapshot page of stream s must keep, for the apply
 * path relies on it: at most 1000 rows, terminated keys and cursors, positive versions, a policy
 * body for every policy upsert, valid UTF-8 names, meals whose money adds up, appointments the
 * kiosk's own import could have made, a check-in payload or a calendar file for every such
 * upsert, staff rows with a valid role and PIN hash. abort() on a broken promise. Fuzz targets
 * only. */
#ifndef KIOSK_FUZZ_SYNC_PAGE_CHECK_H
#define KIOSK_FUZZ_SYNC_PAGE_CHECK_H

#include <stdlib.h>
#include <string.h>

#include "sync_wire.h"
#include "utf8.h"

static void sync_page_check(const kiosk_wire_page *p, kiosk_stream s)
{
    if (p->count + p->skipped > KIOSK_WIRE_PAGE_MAX ||
        strnlen(p->cursor, sizeof p->cursor) >= sizeof p->cursor ||
        strnlen(p->next, sizeof p->next) >= sizeof p->next || p->stream != s)
        abort();
    for (size_t i = 0; i < p->count; i++) {
        const kiosk_wire_change *c = &p->changes[i];
        if (c->version <= 0 || !c->key[0] || strnlen(c->key, sizeof c->key) >= sizeof c->key)
            abort();
        if (c->is_delete)
            continue;
        switch (s) {
        case KIOSK_STREAM_POLICY:
            if (!c->policy_json || strlen(c->policy_json) != c->policy_len)
                abort();
            break;
        case KIOSK_STREAM_ROSTER:
            if (strcmp(c->person.person_id, c->key) != 0 ||
                !kiosk_utf8_valid(c->person.name_masked, strlen(c->person.name_masked)))
                abort();
            break;
        case KIOSK_STREAM_MEALS_TODAY: {
            const kiosk_decision *d = &c->meal.decision;
            if (d->subsidy_fen < 0 || d->subsidy_fen > d->price_fen ||
                d->pay_fen != d->price_fen - d->subsidy_fen)
                abort();
            break;
        }
        case KIOSK_STREAM_APPOINTMENTS: {
            const kiosk_appointment *a = &c->appointment;
            if (strcmp(a->id, c->key) != 0 || a->party_count < 1 || a->party_count > 2 ||
                a->slot_start >= a->slot_end || !a->booking_no[0])
                abort();
            for (size_t k = 0; k < a->party_count; k++)
                if (!kiosk_utf8_valid(a->party[k].name_masked, strlen(a->party[k].name_masked)))
                    abort();
            break;
        }
        case KIOSK_STREAM_CHECKINS_TODAY:
        case KIOSK_STREAM_CALENDAR:
            if (!c->text || strlen(c->text) > c->text_len)
                abort();
            break;
        case KIOSK_STREAM_STAFF: {
            const kiosk_staff_sync_row *m = &c->staff;
            if (strcmp(m->member.staff_id, c->key) != 0 ||
                !kiosk_utf8_valid(m->member.name_masked, strlen(m->member.name_masked)) ||
                (m->member.role != KIOSK_STAFF_OPERATOR &&
                 m->member.role != KIOSK_STAFF_SUPERVISOR) ||
                !kiosk_staff_pin_hash_valid(m->pin_hash) || m->card_count > KIOSK_STAFF_CARDS_MAX)
                abort();
            break;
        }
        default:
            if (!c->card.person_id[0])
                abort();
            break;
        }
    }
}

#endif
