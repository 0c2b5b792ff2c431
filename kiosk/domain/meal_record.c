/* meal_record.c - the canonical payload of a meal record. */
#include "meal_record.h"

#include <jansson.h>
#include <sodium.h>

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
