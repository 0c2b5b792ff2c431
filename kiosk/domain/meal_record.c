/* meal_record.c - the canonical payload of a meal record. */
#include "meal_record.h"

#include <jansson.h>
#include <sodium.h>
#include <string.h>

/* The canonical JSON payload of a meal for the outbox (sorted keys, compact). */
char *kiosk_meal_payload(const kiosk_meal_entry *meal)
{
    char id[KIOSK_RECID_TEXT], date[11], card_hex[65] = "";
    kiosk_recid_format(&meal->record_id, id);
    kiosk_date_format(meal->at.date, date);
    if (meal->has_card)
        sodium_bin2hex(card_hex, sizeof card_hex, meal->card_key, KIOSK_CARD_KEY_BYTES);
    const kiosk_decision *d = &meal->decision;
    json_t *obj = json_pack(
        "{s:s, s:s, s:s, s:s, s:s, s:s, s:i, s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:s, s:s,"
        " s:I, s:I, s:s, s:s}",
        "record_id", id, "person_id", meal->person_id, "card_key", card_hex, "kiosk_id",
        meal->kiosk_id, "canteen_id", meal->canteen_id, "business_date", date, "local_minute",
        meal->at.minute_of_day, "meal_type", kiosk_meal_type_code(d->meal_type), "created_utc_ms",
        (json_int_t)meal->created_utc_ms, "price_fen", (json_int_t)d->price_fen, "subsidy_fen",
        (json_int_t)d->subsidy_fen, "pay_fen", (json_int_t)d->pay_fen, "city_fen",
        (json_int_t)d->funding_fen[KIOSK_LEVEL_CITY], "district_fen",
        (json_int_t)d->funding_fen[KIOSK_LEVEL_DISTRICT], "street_fen",
        (json_int_t)d->funding_fen[KIOSK_LEVEL_STREET], "class_id", d->class_id, "policy_version",
        d->policy_version, "canteen_fen", (json_int_t)d->canteen_fen, "day_subsidy_fen",
        (json_int_t)d->day_subsidy_fen, "price_source", kiosk_price_source_code(meal->order.source),
        "menu_item", meal->order.item);
    if (!obj)
        return NULL;
    /* Only when true, so a kiosk without sync makes the payloads it always made. */
    if (meal->offline) {
        json_object_set_new(obj, "offline", json_true());
        if (meal->offline_age_s >= 0)
            json_object_set_new(obj, "offline_age_s", json_integer(meal->offline_age_s));
    }
    /* Only for a meal staff made, so a diner's own tap makes the payload it always made. */
    if (meal->staff.by[0]) {
        json_t *staff =
            json_pack("{s:s, s:s, s:s, s:s}", "by", meal->staff.by, "reason", meal->staff.reason,
                      "refused", meal->staff.refused, "staff_id", meal->staff.staff_id);
        if (!staff || json_object_set_new(obj, "staff", staff) != 0) {
            json_decref(obj);
            return NULL;
        }
    }
    char *text = json_dumps(obj, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(obj);
    return text;
}

const char *kiosk_price_source_code(kiosk_price_source s)
{
    switch (s) {
    case KIOSK_PRICE_MENU:
        return "menu";
    case KIOSK_PRICE_BILL:
        return "bill";
    case KIOSK_PRICE_SET:
        break;
    }
    return "set";
}

/* A string field of at most size - 1 bytes into dst. */
static bool read_text(json_t *o, const char *key, char *dst, size_t size, bool required)
{
    json_t *v = json_object_get(o, key);
    if (!v) {
        dst[0] = '\0';
        return !required;
    }
    if (!json_is_string(v) || json_string_length(v) >= size ||
        strlen(json_string_value(v)) != json_string_length(v))
        return false;
    memcpy(dst, json_string_value(v), json_string_length(v) + 1);
    return true;
}

/* An integer field in [lo, hi]. */
static bool read_int(json_t *o, const char *key, int64_t lo, int64_t hi, int64_t *out,
                     bool required, int64_t fallback)
{
    json_t *v = json_object_get(o, key);
    if (!v) {
        *out = fallback;
        return !required;
    }
    if (!json_is_integer(v))
        return false;
    json_int_t n = json_integer_value(v);
    if (n < lo || n > hi)
        return false;
    *out = n;
    return true;
}

#define MONEY_MAX ((int64_t)1000000000000) /* ten billion yuan: beyond any bill */

kiosk_rc kiosk_meal_payload_read(const void *payload, kiosk_meal_entry *out, char *err,
                                 size_t err_size)
{
    json_t *o = (json_t *)payload;
    memset(out, 0, sizeof *out);
    out->offline_age_s = -1;
    if (!json_is_object(o))
        return kiosk_fail(KIOSK_ERR_PARSE, err, err_size, "payload: not an object");
    kiosk_decision *d = &out->decision;
    char id[KIOSK_RECID_TEXT + 1], date[16], type[16], card_hex[80], source[16];
    const char *bad = NULL;
    int64_t minute = 0, v = 0;
    if (!read_text(o, "record_id", id, sizeof id, true) || !kiosk_recid_parse(id, &out->record_id))
        bad = "record_id";
    else if (!read_text(o, "person_id", out->person_id, sizeof out->person_id, true) ||
             !out->person_id[0])
        bad = "person_id";
    else if (!read_text(o, "card_key", card_hex, sizeof card_hex, false))
        bad = "card_key";
    else if (!read_text(o, "kiosk_id", out->kiosk_id, sizeof out->kiosk_id, true))
        bad = "kiosk_id";
    else if (!read_text(o, "canteen_id", out->canteen_id, sizeof out->canteen_id, true))
        bad = "canteen_id";
    else if (!read_text(o, "business_date", date, sizeof date, true) ||
             !kiosk_date_parse(date, &out->at.date))
        bad = "business_date";
    else if (!read_int(o, "local_minute", 0, 1439, &minute, true, 0))
        bad = "local_minute";
    else if (!read_text(o, "meal_type", type, sizeof type, true) ||
             kiosk_meal_type_from_code(type) == KIOSK_MEAL_NONE)
        bad = "meal_type";
    else if (!read_int(o, "created_utc_ms", 0, INT64_MAX, &out->created_utc_ms, true, 0))
        bad = "created_utc_ms";
    else if (!read_int(o, "price_fen", 0, MONEY_MAX, &d->price_fen, true, 0))
        bad = "price_fen";
    else if (!read_int(o, "subsidy_fen", 0, d->price_fen, &d->subsidy_fen, true, 0))
        bad = "subsidy_fen";
    else if (!read_int(o, "pay_fen", 0, MONEY_MAX, &d->pay_fen, true, 0) ||
             d->pay_fen != d->price_fen - d->subsidy_fen)
        bad = "pay_fen";
    else if (!read_int(o, "city_fen", 0, MONEY_MAX, &d->funding_fen[KIOSK_LEVEL_CITY], true, 0))
        bad = "city_fen";
    else if (!read_int(o, "district_fen", 0, MONEY_MAX, &d->funding_fen[KIOSK_LEVEL_DISTRICT], true,
                       0))
        bad = "district_fen";
    else if (!read_int(o, "street_fen", 0, MONEY_MAX, &d->funding_fen[KIOSK_LEVEL_STREET], true, 0))
        bad = "street_fen";
    else if (!read_int(o, "canteen_fen", 0, MONEY_MAX, &d->canteen_fen, false, 0))
        bad = "canteen_fen";
    else if (!read_int(o, "day_subsidy_fen", 0, MONEY_MAX, &d->day_subsidy_fen, false, 0))
        bad = "day_subsidy_fen";
    else if (!read_text(o, "class_id", d->class_id, sizeof d->class_id, true))
        bad = "class_id";
    else if (!read_text(o, "policy_version", d->policy_version, sizeof d->policy_version, true))
        bad = "policy_version";
    else if (!read_text(o, "price_source", source, sizeof source, false))
        bad = "price_source";
    else if (!read_text(o, "menu_item", out->order.item, sizeof out->order.item, false))
        bad = "menu_item";
    else if (!read_int(o, "offline_age_s", 0, INT64_MAX, &v, false, -1))
        bad = "offline_age_s";
    if (bad)
        return kiosk_fail(KIOSK_ERR_PARSE, err, err_size, "payload: %s missing or invalid", bad);
    d->meal_type = kiosk_meal_type_from_code(type);
    out->offline_age_s = v;
    out->at.minute_of_day = (int)minute;
    json_t *offline = json_object_get(o, "offline");
    if (offline && !json_is_boolean(offline))
        return kiosk_fail(KIOSK_ERR_PARSE, err, err_size, "payload: offline is not true/false");
    out->offline = offline && json_is_true(offline);
    if (card_hex[0]) {
        size_t len = 0;
        if (strlen(card_hex) != 64 ||
            sodium_hex2bin(out->card_key, sizeof out->card_key, card_hex, 64, NULL, &len, NULL) !=
                0 ||
            len != sizeof out->card_key)
            return kiosk_fail(KIOSK_ERR_PARSE, err, err_size, "payload: card_key is not 64 hex");
        out->has_card = true;
    }
    if (!source[0] || strcmp(source, "set") == 0)
        out->order.source = KIOSK_PRICE_SET;
    else if (strcmp(source, "menu") == 0)
        out->order.source = KIOSK_PRICE_MENU;
    else if (strcmp(source, "bill") == 0)
        out->order.source = KIOSK_PRICE_BILL;
    else
        return kiosk_fail(KIOSK_ERR_PARSE, err, err_size, "payload: price_source unknown");
    out->order.price_fen = d->price_fen;
    int64_t shares = d->canteen_fen;
    for (int l = 0; l < KIOSK_LEVEL_COUNT; l++)
        shares += d->funding_fen[l];
    if (shares != d->subsidy_fen || d->day_subsidy_fen > d->subsidy_fen)
        return kiosk_fail(KIOSK_ERR_PARSE, err, err_size,
                          "payload: the funding shares do not add up to subsidy_fen");
    json_t *staff = json_object_get(o, "staff");
    if (staff) {
        if (!json_is_object(staff) ||
            !read_text(staff, "by", out->staff.by, sizeof out->staff.by, true) ||
            (strcmp(out->staff.by, "override") != 0 && strcmp(out->staff.by, "manual") != 0 &&
             strcmp(out->staff.by, "correction") != 0) ||
            !read_text(staff, "staff_id", out->staff.staff_id, sizeof out->staff.staff_id, true) ||
            !out->staff.staff_id[0] ||
            !read_text(staff, "reason", out->staff.reason, sizeof out->staff.reason, true) ||
            !read_text(staff, "refused", out->staff.refused, sizeof out->staff.refused, true))
            return kiosk_fail(KIOSK_ERR_PARSE, err, err_size,
                              "payload: staff is not {by: override, manual or correction, staff_id,"
                              " reason, refused}");
    }
    d->approved = true;
    return KIOSK_OK;
}
