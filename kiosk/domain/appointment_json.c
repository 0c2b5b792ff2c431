/* appointment_json.c - an appointment as a sync stream row (appointment_json.h). The reader asks
 * of a row what the import file's parser asks of a line (appointment_csv.c), so a row the server
 * sends can be nothing the kiosk's own import would have refused. */
#include "appointment_json.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "appointment_csv.h"
#include "hex.h"
#include "utf8.h"

static json_t *date_or_null(bool has, kiosk_date d)
{
    if (!has)
        return json_null();
    char text[11];
    kiosk_date_format(d, text);
    return json_string(text);
}

char *kiosk_appointment_to_json(const kiosk_appointment *a)
{
    json_t *parties = json_array();
    for (size_t i = 0; parties && i < a->party_count && i < 2; i++) {
        const kiosk_party *p = &a->party[i];
        char key[2 * KIOSK_CARD_KEY_BYTES + 1], sex[2] = {p->sex, '\0'};
        for (size_t b = 0; b < KIOSK_CARD_KEY_BYTES; b++)
            snprintf(key + 2 * b, 3, "%02x", p->key[b]);
        json_t *party =
            json_pack("{s:s, s:s, s:o, s:o}", "id_key", key, "name_masked", p->name_masked, "sex",
                      p->sex ? json_string(sex) : json_null(), "birth_date",
                      date_or_null(p->has_birth, p->birth));
        if (!party || json_array_append_new(parties, party) != 0) {
            json_decref(parties);
            parties = NULL;
        }
    }
    if (!parties)
        return NULL;
    char date[11], slot[12];
    kiosk_date_format(a->date, date);
    snprintf(slot, sizeof slot, "%02d:%02d-%02d:%02d", a->slot_start / 60, a->slot_start % 60,
             a->slot_end / 60, a->slot_end % 60);
    json_t *obj = json_pack(
        "{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:o}", "id", a->id, "booking_no", a->booking_no,
        "service", kiosk_service_code(a->service), "date", date, "slot", slot, "lane",
        kiosk_lane_code(a->lane), "status", kiosk_appt_status_code(a->status), "application_date",
        date_or_null(a->has_application, a->application_date), "parties", parties);
    if (!obj)
        return NULL;
    char *text = json_dumps(obj, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(obj);
    return text;
}

static bool id_text_ok(const char *s, size_t max)
{
    size_t n = strlen(s);
    if (n == 0 || n >= max)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-'))
            return false;
    }
    return true;
}

static bool digits_ok(const char *s, size_t min, size_t max)
{
    size_t n = strlen(s);
    if (n < min || n >= max)
        return false;
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return true;
}

/* "YYYY-MM-DD" or null (has = false). */
static bool optional_date(const json_t *v, bool *has, kiosk_date *out)
{
    *has = false;
    if (json_is_null(v))
        return true;
    if (!json_is_string(v) || !kiosk_date_parse(json_string_value(v), out))
        return false;
    *has = true;
    return true;
}

static const char *read_party(json_t *v, kiosk_party *out)
{
    memset(out, 0, sizeof *out);
    const char *key, *name;
    json_t *sex = NULL, *birth = NULL;
    if (!json_is_object(v) ||
        json_unpack(v, "{s:s, s:s, s:o, s:o !}", "id_key", &key, "name_masked", &name, "sex", &sex,
                    "birth_date", &birth) != 0)
        return "parties: each is {id_key, name_masked, sex, birth_date}";
    if (!kiosk_hex_is(key, 2 * KIOSK_CARD_KEY_BYTES) ||
        kiosk_hex_decode(key, 2 * KIOSK_CARD_KEY_BYTES, out->key, sizeof out->key) !=
            KIOSK_CARD_KEY_BYTES)
        return "parties: id_key is 64 hexadecimal digits";
    size_t name_len = strlen(name);
    if (name_len == 0 || name_len >= sizeof out->name_masked ||
        !kiosk_utf8_valid(name, name_len))
        return "parties: name_masked is 1 to 63 bytes of UTF-8";
    memcpy(out->name_masked, name, name_len + 1);
    if (json_is_string(sex) && (strcmp(json_string_value(sex), "M") == 0 ||
                                strcmp(json_string_value(sex), "F") == 0))
        out->sex = json_string_value(sex)[0];
    else if (!json_is_null(sex))
        return "parties: sex is \"M\", \"F\" or null";
    if (!optional_date(birth, &out->has_birth, &out->birth))
        return "parties: birth_date is YYYY-MM-DD or null";
    return NULL;
}

/* The checks; the first problem's description, or NULL. */
static const char *read_row(json_t *o, const char *key, kiosk_appointment *a)
{
    const char *id, *booking, *service, *date, *slot, *lane, *status;
    json_t *application = NULL, *parties = NULL;
    if (!json_is_object(o) ||
        json_unpack(o, "{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:o !}", "id", &id, "booking_no",
                    &booking, "service", &service, "date", &date, "slot", &slot, "lane", &lane,
                    "status", &status, "application_date", &application, "parties",
                    &parties) != 0)
        return "expected {id, booking_no, service, date, slot, lane, status, application_date,"
               " parties} and nothing else";
    if (!id_text_ok(id, sizeof a->id))
        return "id: 1 to 39 letters, digits, '_' or '-'";
    if (!key || strcmp(id, key) != 0)
        return "id: not the row's key";
    memcpy(a->id, id, strlen(id) + 1);
    if (!digits_ok(booking, 4, sizeof a->booking_no))
        return "booking_no: 4 to 15 digits";
    memcpy(a->booking_no, booking, strlen(booking) + 1);
    if (!kiosk_service_parse(service, &a->service) ||
        strcmp(service, kiosk_service_code(a->service)) != 0)
        return "service: not a service code";
    if (!kiosk_date_parse(date, &a->date))
        return "date: not YYYY-MM-DD";
    if (!kiosk_slot_parse(slot, &a->slot_start, &a->slot_end))
        return "slot: not HH:MM-HH:MM with the start before the end";
    if (!kiosk_lane_parse(lane, &a->lane) || a->lane == KIOSK_LANE_WALKIN)
        return "lane: booked or priority";
    if (!kiosk_appt_status_parse(status, &a->status))
        return "status: booked, checked_in or cancelled";
    if (!optional_date(application, &a->has_application, &a->application_date))
        return "application_date: YYYY-MM-DD or null";
    bool needs_application =
        a->service == KIOSK_SERVICE_DIVORCE_CERT || a->service == KIOSK_SERVICE_DIVORCE_WITHDRAW;
    if (a->has_application != needs_application)
        return "application_date: given for divorce_cert and divorce_withdraw only, and for them "
               "always";
    if (a->has_application && kiosk_date_cmp(a->application_date, a->date) > 0)
        return "application_date: after the appointment's date";
    size_t n = json_is_array(parties) ? json_array_size(parties) : 0;
    if (n < (size_t)kiosk_service_parties(a->service) || n > 2)
        return "parties: one or two, and two for this service";
    for (size_t i = 0; i < n; i++) {
        const char *why = read_party(json_array_get(parties, i), &a->party[i]);
        if (why)
            return why;
    }
    if (n == 2 && memcmp(a->party[0].key, a->party[1].key, KIOSK_CARD_KEY_BYTES) == 0)
        return "parties: the same person twice";
    a->party_count = n;
    return NULL;
}

kiosk_rc kiosk_appointment_from_json(const char *json, size_t len, const char *key,
                                     kiosk_appointment *out, char *err, size_t err_size)
{
    memset(out, 0, sizeof *out);
    json_error_t jerr;
    json_t *o = json_loadb(json, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!o)
        return kiosk_fail(KIOSK_ERR_PARSE, err, err_size, "not JSON (at %d)", jerr.position);
    const char *why = read_row(o, key, out);
    json_decref(o);
    if (why) {
        memset(out, 0, sizeof *out);
        return kiosk_fail(KIOSK_ERR_PARSE, err, err_size, "%s", why);
    }
    return KIOSK_OK;
}
