/* marriage.c - see marriage.h. */
#include "marriage.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

static const struct {
    const char *code, *label;
    char prefix;
    int parties;
} services[] = {
#define KIOSK_SERVICE_ROW(e, code, zh, prefix, parties) {code, zh, prefix, parties},
    KIOSK_SERVICE_MAP(KIOSK_SERVICE_ROW)
#undef KIOSK_SERVICE_ROW
};

static const struct {
    const char *code, *label;
    int rank;
} lanes[] = {
#define KIOSK_LANE_ROW(e, code, zh, rank) {code, zh, rank},
    KIOSK_LANE_MAP(KIOSK_LANE_ROW)
#undef KIOSK_LANE_ROW
};

static const char *const statuses[KIOSK_APPT_STATUS_COUNT] = {"booked", "checked_in", "cancelled"};

static const char *const reasons[] = {
#define KIOSK_CHECKIN_REASON_CODE(e, code) code,
    KIOSK_CHECKIN_REASON_MAP(KIOSK_CHECKIN_REASON_CODE)
#undef KIOSK_CHECKIN_REASON_CODE
};

const char *kiosk_service_code(kiosk_service s)
{
    return (unsigned)s < KIOSK_SERVICE_COUNT ? services[s].code : "";
}

const char *kiosk_service_label(kiosk_service s)
{
    return (unsigned)s < KIOSK_SERVICE_COUNT ? services[s].label : "";
}

char kiosk_service_default_prefix(kiosk_service s)
{
    return (unsigned)s < KIOSK_SERVICE_COUNT ? services[s].prefix : 'Q';
}

int kiosk_service_parties(kiosk_service s)
{
    return (unsigned)s < KIOSK_SERVICE_COUNT ? services[s].parties : 2;
}

bool kiosk_service_parse(const char *text, kiosk_service *out)
{
    for (int i = 0; i < KIOSK_SERVICE_COUNT; i++)
        if (strcmp(text, services[i].code) == 0 || strcmp(text, services[i].label) == 0) {
            *out = (kiosk_service)i;
            return true;
        }
    return false;
}

const char *kiosk_lane_code(kiosk_lane l)
{
    return (unsigned)l < KIOSK_LANE_COUNT ? lanes[l].code : "";
}

const char *kiosk_lane_label(kiosk_lane l)
{
    return (unsigned)l < KIOSK_LANE_COUNT ? lanes[l].label : "";
}

int kiosk_lane_rank(kiosk_lane l)
{
    return (unsigned)l < KIOSK_LANE_COUNT ? lanes[l].rank : KIOSK_LANE_COUNT;
}

bool kiosk_lane_parse(const char *code, kiosk_lane *out)
{
    for (int i = 0; i < KIOSK_LANE_COUNT; i++)
        if (strcmp(code, lanes[i].code) == 0) {
            *out = (kiosk_lane)i;
            return true;
        }
    return false;
}

const char *kiosk_appt_status_code(kiosk_appt_status s)
{
    return (unsigned)s < KIOSK_APPT_STATUS_COUNT ? statuses[s] : "";
}

bool kiosk_appt_status_parse(const char *code, kiosk_appt_status *out)
{
    for (int i = 0; i < KIOSK_APPT_STATUS_COUNT; i++)
        if (strcmp(code, statuses[i]) == 0) {
            *out = (kiosk_appt_status)i;
            return true;
        }
    return false;
}

const char *kiosk_checkin_reason_code(kiosk_checkin_reason r)
{
    return (unsigned)r < KIOSK_CHECKIN_REASON_COUNT ? reasons[r] : "unknown";
}

int kiosk_appointment_party_index(const kiosk_appointment *a,
                                  const uint8_t key[KIOSK_CARD_KEY_BYTES])
{
    for (size_t i = 0; i < a->party_count && i < 2; i++)
        if (memcmp(a->party[i].key, key, KIOSK_CARD_KEY_BYTES) == 0)
            return (int)i;
    return -1;
}

bool kiosk_party_under_marriage_age(const kiosk_party *p, kiosk_date on)
{
    if (!p->has_birth || (p->sex != 'M' && p->sex != 'F'))
        return false;
    return kiosk_age_on(p->birth, on) < (p->sex == 'M' ? 22 : 20);
}

/* The cooling-off verdict of a divorce certificate or withdrawal as a check-in reason. */
static kiosk_checkin_reason cooling_reason(const kiosk_appointment *a, const kiosk_workcal *cal,
                                           kiosk_date today, kiosk_checkin_decision *d)
{
    if (!a->has_application)
        return KIOSK_CHECKIN_NO_APPLICATION;
    if (!cal)
        return KIOSK_CHECKIN_NO_CALENDAR;
    kiosk_rc rc = kiosk_cooling_compute(cal, a->application_date, &d->cooling);
    if (rc == KIOSK_ERR_NOT_FOUND)
        return KIOSK_CHECKIN_NO_CALENDAR;
    if (rc != KIOSK_OK)
        return KIOSK_CHECKIN_NO_APPLICATION;
    d->has_cooling = true;
    kiosk_cooling_verdict v = a->service == KIOSK_SERVICE_DIVORCE_CERT
                                  ? kiosk_cooling_certificate(&d->cooling, today)
                                  : kiosk_cooling_withdrawal(&d->cooling, today);
    switch (v) {
    case KIOSK_COOLING_OK:
        return KIOSK_CHECKIN_OK;
    case KIOSK_COOLING_TOO_EARLY:
        return KIOSK_CHECKIN_COOLING_EARLY;
    case KIOSK_COOLING_EXPIRED:
        return KIOSK_CHECKIN_COOLING_EXPIRED;
    case KIOSK_COOLING_WITHDRAW_CLOSED:
        return KIOSK_CHECKIN_WITHDRAW_CLOSED;
    case KIOSK_COOLING_UNKNOWN:
        return KIOSK_CHECKIN_NO_CALENDAR;
    case KIOSK_COOLING_BEFORE_APPLICATION:
        break;
    }
    return KIOSK_CHECKIN_NO_APPLICATION; /* an application dated after today: wrong data */
}

kiosk_checkin_decision kiosk_checkin_decide(const kiosk_appointment *a, size_t present_count,
                                            kiosk_local_time now, const kiosk_checkin_rules *rules,
                                            const kiosk_workcal *calendar)
{
    kiosk_checkin_decision d = {.reason = KIOSK_CHECKIN_OK};
    d.window_start = a->slot_start - rules->early_minutes;
    d.window_end = a->slot_end + rules->late_minutes;
    if (a->status == KIOSK_APPT_CANCELLED) {
        d.reason = KIOSK_CHECKIN_CANCELLED;
        return d;
    }
    if (kiosk_date_cmp(a->date, now.date) != 0) {
        d.reason = KIOSK_CHECKIN_OTHER_DAY;
        return d;
    }
    if ((int)present_count < kiosk_service_parties(a->service)) {
        d.reason = KIOSK_CHECKIN_PARTY_MISSING;
        return d;
    }
    /* The day before the hour: a couple too early in the cooling-off period is told the date,
     * not the time of a slot that cannot serve them anyway. */
    if (a->service == KIOSK_SERVICE_DIVORCE_CERT || a->service == KIOSK_SERVICE_DIVORCE_WITHDRAW) {
        d.reason = cooling_reason(a, calendar, now.date, &d);
        if (d.reason != KIOSK_CHECKIN_OK)
            return d;
    }
    if (now.minute_of_day < d.window_start) {
        d.reason = KIOSK_CHECKIN_TOO_EARLY;
        return d;
    }
    if (now.minute_of_day >= d.window_end) {
        d.reason = KIOSK_CHECKIN_TOO_LATE;
        return d;
    }
    if (a->service == KIOSK_SERVICE_MARRIAGE)
        for (size_t i = 0; i < a->party_count && i < 2; i++)
            d.under_age = d.under_age || kiosk_party_under_marriage_age(&a->party[i], now.date);
    return d;
}

/* --- queue numbers ------------------------------------------------------------------------- */

int kiosk_queue_value(const kiosk_numbering *rule, int n)
{
    return rule->kiosk_slot + rule->hall_kiosks * (n - 1);
}

int kiosk_queue_value_slot(const kiosk_numbering *rule, int value)
{
    int r = value % rule->hall_kiosks;
    return r == 0 ? rule->hall_kiosks : r;
}

void kiosk_queue_number_format(char prefix, int value, char out[KIOSK_QUEUE_NUMBER_MAX])
{
    if (value < 0 || value > 9999)
        value = 0; /* outside the rule: never printed as a plausible number */
    snprintf(out, KIOSK_QUEUE_NUMBER_MAX, "%c%03d", prefix, value);
}

/* --- the record ---------------------------------------------------------------------------- */

char *kiosk_checkin_payload(const kiosk_checkin_entry *e)
{
    char id[KIOSK_RECID_TEXT], date[11], prefix[2] = {e->prefix, '\0'};
    kiosk_recid_format(&e->record_id, id);
    kiosk_date_format(e->at.date, date);
    json_t *obj = json_pack(
        "{s:s, s:s, s:s, s:s, s:s, s:i, s:i, s:s, s:s, s:I, s:s, s:i, s:b}", "record_id", id,
        "appointment_id", e->appointment_id, "service", kiosk_service_code(e->service), "lane",
        kiosk_lane_code(e->lane), "prefix", prefix, "seq", e->seq, "value", e->value, "number",
        e->number, "kiosk_id", e->kiosk_id, "created_utc_ms", (json_int_t)e->created_utc_ms,
        "business_date", date, "local_minute", e->at.minute_of_day, "under_age", e->under_age);
    if (!obj)
        return NULL;
    char *text = json_dumps(obj, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(obj);
    return text;
}

static int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* "018f3c1d-7a2b-7c01-9f3e-1b2c3d4e5f60" back to its 16 bytes. */
static bool parse_recid(const char *text, kiosk_recid *out)
{
    if (strlen(text) != 36)
        return false;
    size_t b = 0;
    for (size_t i = 0; i < 36; i += 2) {
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (text[i] != '-')
                return false;
            i--; /* the pair starts after the dash */
            continue;
        }
        int hi = hex_value(text[i]), lo = hex_value(text[i + 1]);
        if (hi < 0 || lo < 0 || b == 16)
            return false;
        out->bytes[b++] = (uint8_t)(hi << 4 | lo);
    }
    return b == 16;
}

kiosk_rc kiosk_checkin_from_payload(const char *json, kiosk_checkin_entry *out, char *err,
                                    size_t err_size)
{
    memset(out, 0, sizeof *out);
    json_error_t jerr;
    json_t *o = json_loads(json, JSON_REJECT_DUPLICATES, &jerr);
    if (!o)
        return kiosk_fail(KIOSK_ERR_PARSE, err, err_size, "not JSON: %s", jerr.text);
    const char *id, *appt, *service, *lane, *prefix, *number, *kiosk, *date;
    json_int_t created;
    int seq, value, minute, under_age;
    kiosk_rc rc = KIOSK_OK;
    if (json_unpack_ex(o, &jerr, JSON_STRICT,
                       "{s:s, s:s, s:s, s:s, s:s, s:i, s:i, s:s, s:s, s:I, s:s, s:i, s:b}",
                       "record_id", &id, "appointment_id", &appt, "service", &service, "lane",
                       &lane, "prefix", &prefix, "seq", &seq, "value", &value, "number", &number,
                       "kiosk_id", &kiosk, "created_utc_ms", &created, "business_date", &date,
                       "local_minute", &minute, "under_age", &under_age) != 0) {
        rc = kiosk_fail(KIOSK_ERR_PARSE, err, err_size, "%s", jerr.text);
        goto out;
    }
    if (!parse_recid(id, &out->record_id))
        rc = kiosk_fail(KIOSK_ERR_PARSE, err, err_size, "record_id: not a UUID");
    else if (!kiosk_service_parse(service, &out->service) ||
             strcmp(service, kiosk_service_code(out->service)) != 0)
        rc = kiosk_fail(KIOSK_ERR_PARSE, err, err_size, "service: unknown");
    else if (!kiosk_lane_parse(lane, &out->lane))
        rc = kiosk_fail(KIOSK_ERR_PARSE, err, err_size, "lane: unknown");
    else if (strlen(prefix) != 1 || prefix[0] < 'A' || prefix[0] > 'Z')
        rc = kiosk_fail(KIOSK_ERR_PARSE, err, err_size, "prefix: one letter A-Z");
    else if (seq < 1 || value < 1 || value > 9999)
        rc = kiosk_fail(KIOSK_ERR_PARSE, err, err_size, "seq, value: out of range");
    else if (!kiosk_date_parse(date, &out->at.date))
        rc = kiosk_fail(KIOSK_ERR_PARSE, err, err_size, "business_date: not a date");
    else if (minute < 0 || minute > 1439)
        rc = kiosk_fail(KIOSK_ERR_PARSE, err, err_size, "local_minute: out of range");
    else if (strlen(appt) >= sizeof out->appointment_id || strlen(kiosk) >= sizeof out->kiosk_id ||
             !kiosk[0])
        rc = kiosk_fail(KIOSK_ERR_PARSE, err, err_size, "appointment_id, kiosk_id: bad length");
    if (rc != KIOSK_OK)
        goto out;
    out->prefix = prefix[0];
    kiosk_queue_number_format(out->prefix, value, out->number);
    if (strcmp(out->number, number) != 0) {
        rc = kiosk_fail(KIOSK_ERR_PARSE, err, err_size, "number: does not match prefix and value");
        goto out;
    }
    snprintf(out->appointment_id, sizeof out->appointment_id, "%s", appt);
    snprintf(out->kiosk_id, sizeof out->kiosk_id, "%s", kiosk);
    out->seq = seq;
    out->value = value;
    out->created_utc_ms = created;
    out->at.minute_of_day = minute;
    out->under_age = under_age != 0;
out:
    json_decref(o);
    return rc;
}
