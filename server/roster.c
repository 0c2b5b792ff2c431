/* roster.c - the server's roster import for one site (roster.h). Staging and the checks across
 * rows follow kiosk/store/roster_import.c rule for rule and message for message; the stored
 * roster is the site's roster and cards stream rows, loaded into memory for the comparison.
 * Jansson objects serve as the hash maps (key -> index into the staged arrays). */
#include "roster.h"

#include <jansson.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "card_key.h"
#include "hex.h"

typedef struct staged_person {
    char person_id[KIOSK_ID_MAX];
    size_t line;          /* the person's first row */
    size_t cardless_line; /* their first row without a card (0: none), to tell repeated rows */
    char name_masked[KIOSK_ROSTER_NAME_MASKED_MAX];
    kiosk_person person;
    bool has_id;
    char id_hex[SRV_HEX32];
} staged_person;

typedef struct staged_card {
    char key_hex[SRV_HEX32];
    char person_id[KIOSK_ID_MAX];
    int status; /* 0 active, 1 blocked, 2 lost */
    char issuing[KIOSK_ID_MAX];
    size_t line;
} staged_card;

typedef struct stage {
    uint8_t card_key[32];
    srv_roster_report *report;
    staged_person *persons;
    size_t npersons, cap_persons;
    staged_card *cards;
    size_t ncards, cap_cards;
    json_t *person_ix, *card_ix, *id_ix; /* person_id / card key / id key -> index */
    char problem[300];
} stage;

/* A problem of the file: the message names the line, never a value. */
#define file_problem(sg, ...) \
    kiosk_fail(KIOSK_ERR_PARSE, (sg)->problem, sizeof(sg)->problem, __VA_ARGS__)

static const char *const category_codes[] = {
#define CATEGORY_CODE(e, code, zh) code,
    KIOSK_CATEGORY_MAP(CATEGORY_CODE)
#undef CATEGORY_CODE
};

static const char *hukou_code(const kiosk_person *p)
{
    return p->local_hukou ? "local" : p->local_resident ? "resident" : "other";
}

static bool grow(void **items, size_t *cap, size_t count, size_t size)
{
    if (count < *cap)
        return true;
    size_t n = *cap ? *cap * 2 : 256;
    void *bigger = realloc(*items, n * size);
    if (!bigger)
        return false;
    *items = bigger;
    *cap = n;
    return true;
}

static long index_of(const json_t *map, const char *key)
{
    const json_t *v = json_object_get(map, key);
    return v ? (long)json_integer_value(v) : -1;
}

static void note_duplicate(srv_roster_report *r, size_t line, size_t of)
{
    if (r->duplicate_rows < SRV_ROSTER_DUPLICATES_NAMED) {
        r->duplicate_line[r->duplicate_rows] = line;
        r->duplicate_of[r->duplicate_rows] = of;
    }
    r->duplicate_rows++;
}

/* --- step 1: stage the file ---------------------------------------------------------------- */

/* The first person column in which a person's first row differs from this row, or NULL. */
static const char *person_difference(const staged_person *sp, const kiosk_roster_row *row,
                                     const char *id_hex)
{
    const kiosk_person *a = &sp->person, *b = &row->person;
    if (strcmp(sp->name_masked, row->name_masked) != 0)
        return "name";
    if (kiosk_date_cmp(a->birth, b->birth) != 0)
        return "birth_date";
    if (a->categories != b->categories)
        return "categories";
    if (strcmp(a->home.city, b->home.city) != 0)
        return "city";
    if (strcmp(a->home.district, b->home.district) != 0)
        return "district";
    if (strcmp(a->home.street, b->home.street) != 0)
        return "street";
    if (a->local_hukou != b->local_hukou || a->local_resident != b->local_resident)
        return "hukou";
    if (a->active != b->active)
        return "status";
    bool same_id = id_hex ? sp->has_id && strcmp(sp->id_hex, id_hex) == 0 : !sp->has_id;
    return same_id ? NULL : "id_number";
}

static int card_status(const kiosk_roster_row *row)
{
    return row->card_lost ? 2 : row->card_blocked ? 1 : 0;
}

static kiosk_rc stage_card(stage *sg, const kiosk_roster_row *row)
{
    uint8_t uid[KIOSK_UID_MAX], key[KIOSK_CARD_KEY_BYTES];
    int uid_len = kiosk_card_uid_from_hex(row->card_uid, strlen(row->card_uid), uid);
    if (uid_len <= 0)
        return file_problem(sg, "line %zu: card_uid: not hexadecimal", row->line);
    kiosk_card_key_of_uid(sg->card_key, uid, (size_t)uid_len, key);
    sodium_memzero(uid, sizeof uid);
    char hex[SRV_HEX32];
    sodium_bin2hex(hex, sizeof hex, key, sizeof key);
    long at = index_of(sg->card_ix, hex);
    if (at < 0) {
        if (!grow((void **)&sg->cards, &sg->cap_cards, sg->ncards, sizeof *sg->cards))
            return KIOSK_ERR_NOMEM;
        staged_card *c = &sg->cards[sg->ncards];
        memset(c, 0, sizeof *c);
        memcpy(c->key_hex, hex, sizeof hex);
        snprintf(c->person_id, sizeof c->person_id, "%s", row->person_id);
        c->status = card_status(row);
        snprintf(c->issuing, sizeof c->issuing, "%s", row->issuing_canteen);
        c->line = row->line;
        if (json_object_set_new(sg->card_ix, hex, json_integer((json_int_t)sg->ncards)) != 0)
            return KIOSK_ERR_NOMEM;
        sg->ncards++;
        sg->report->cards++;
        return KIOSK_OK;
    }
    const staged_card *c = &sg->cards[at];
    if (strcmp(c->person_id, row->person_id) != 0)
        return file_problem(sg,
                            "line %zu: card_uid: this card is also on line %zu, for person_id "
                            "%s; a card belongs to one person",
                            row->line, c->line, c->person_id);
    if (c->status != card_status(row))
        return file_problem(sg,
                            "line %zu: card_status: differs from line %zu, which has the same "
                            "card",
                            row->line, c->line);
    if (strcmp(c->issuing, row->issuing_canteen) != 0)
        return file_problem(sg,
                            "line %zu: issuing_canteen: differs from line %zu, which has the "
                            "same card",
                            row->line, c->line);
    note_duplicate(sg->report, row->line, c->line);
    return KIOSK_OK;
}

/* Called by the parser for each row, in file order. */
static kiosk_rc stage_row(void *user, const kiosk_roster_row *row)
{
    stage *sg = user;
    char id_hex[SRV_HEX32] = "";
    bool has_id = row->id_number[0] != '\0';
    if (has_id) {
        uint8_t id_key[KIOSK_CARD_KEY_BYTES];
        kiosk_card_key_of_id_number(sg->card_key, row->id_number, id_key);
        sodium_bin2hex(id_hex, sizeof id_hex, id_key, sizeof id_key);
    }
    sg->report->rows++;
    long at = index_of(sg->person_ix, row->person_id);
    bool duplicate = false;
    if (at < 0) {
        if (!grow((void **)&sg->persons, &sg->cap_persons, sg->npersons, sizeof *sg->persons))
            return KIOSK_ERR_NOMEM;
        staged_person *p = &sg->persons[sg->npersons];
        memset(p, 0, sizeof *p);
        snprintf(p->person_id, sizeof p->person_id, "%s", row->person_id);
        p->line = row->line;
        p->cardless_line = row->card_uid[0] ? 0 : row->line;
        snprintf(p->name_masked, sizeof p->name_masked, "%s", row->name_masked);
        p->person = row->person;
        p->has_id = has_id;
        memcpy(p->id_hex, id_hex, sizeof id_hex);
        if (json_object_set_new(sg->person_ix, row->person_id,
                                json_integer((json_int_t)sg->npersons)) != 0)
            return KIOSK_ERR_NOMEM;
        sg->npersons++;
        sg->report->persons++;
        if (has_id) {
            long other = index_of(sg->id_ix, id_hex);
            if (other >= 0)
                return file_problem(sg,
                                    "line %zu: id_number: this ID number is also on line %zu, "
                                    "for person_id %s; an ID number belongs to one person",
                                    row->line, sg->persons[other].line,
                                    sg->persons[other].person_id);
            if (json_object_set_new(sg->id_ix, id_hex,
                                    json_integer((json_int_t)(sg->npersons - 1))) != 0)
                return KIOSK_ERR_NOMEM;
        }
    } else {
        staged_person *p = &sg->persons[at];
        const char *column = person_difference(p, row, has_id ? id_hex : NULL);
        if (column)
            return file_problem(sg,
                                "line %zu: %s: differs from line %zu, another row of person_id "
                                "%s (a person's columns must be the same on all their rows)",
                                row->line, column, p->line, row->person_id);
        if (!row->card_uid[0]) {
            if (p->cardless_line) {
                note_duplicate(sg->report, row->line, p->cardless_line);
                duplicate = true;
            } else {
                p->cardless_line = row->line;
            }
        }
    }
    if (!duplicate && row->card_uid[0])
        return stage_card(sg, row);
    return KIOSK_OK;
}

/* --- step 2: compare with the stored roster ------------------------------------------------ */

typedef struct write {
    char key[SRV_KEY_MAX];
    const char *stream;
    json_t *row; /* owned */
} write;

typedef struct diff {
    json_t *stored_persons; /* person_id -> row */
    json_t *stored_ids;     /* id_key -> person_id */
    json_t *stored_cards;   /* card_key -> row */
    write *writes;
    size_t nwrites, cap_writes;
} diff;

static kiosk_rc load_person(void *user, const srv_stream_row *r)
{
    diff *d = user;
    json_t *row = json_loads(r->row, 0, NULL);
    if (!json_is_object(row)) {
        json_decref(row);
        return KIOSK_ERR_CORRUPT;
    }
    const char *id = json_string_value(json_object_get(row, "id_key"));
    if (id && json_object_set_new(d->stored_ids, id, json_string(r->key)) != 0) {
        json_decref(row);
        return KIOSK_ERR_NOMEM;
    }
    return json_object_set_new(d->stored_persons, r->key, row) == 0 ? KIOSK_OK : KIOSK_ERR_NOMEM;
}

static kiosk_rc load_card(void *user, const srv_stream_row *r)
{
    diff *d = user;
    json_t *row = json_loads(r->row, 0, NULL);
    if (!json_is_object(row)) {
        json_decref(row);
        return KIOSK_ERR_CORRUPT;
    }
    return json_object_set_new(d->stored_cards, r->key, row) == 0 ? KIOSK_OK : KIOSK_ERR_NOMEM;
}

static kiosk_rc add_write(diff *d, const char *stream, const char *key, json_t *row)
{
    if (!row)
        return KIOSK_ERR_NOMEM;
    if (!grow((void **)&d->writes, &d->cap_writes, d->nwrites, sizeof *d->writes)) {
        json_decref(row);
        return KIOSK_ERR_NOMEM;
    }
    write *w = &d->writes[d->nwrites++];
    snprintf(w->key, sizeof w->key, "%s", key);
    w->stream = stream;
    w->row = row;
    return KIOSK_OK;
}

static json_t *person_row(const staged_person *p, const char *id_hex)
{
    char birth[11];
    kiosk_date_format(p->person.birth, birth);
    json_t *categories = json_array();
    for (int i = 0; categories && i < KIOSK_CATEGORY_COUNT; i++)
        if (p->person.categories & (1u << i))
            json_array_append_new(categories, json_string(category_codes[i]));
    return json_pack("{s:s, s:s, s:s, s:o, s:s, s:s, s:s, s:s, s:b, s:o}", "person_id",
                     p->person_id, "name_masked", p->name_masked, "birth_date", birth, "categories",
                     categories, "city", p->person.home.city, "district", p->person.home.district,
                     "street", p->person.home.street, "hukou", hukou_code(&p->person), "active",
                     p->person.active, "id_key", id_hex ? json_string(id_hex) : json_null());
}

static json_t *card_row(const staged_card *c)
{
    return json_pack("{s:s, s:s, s:b, s:s}", "card_key", c->key_hex, "person_id", c->person_id,
                     "blocked", c->status > 0, "issuing_canteen", c->issuing);
}

static bool same_row(const json_t *a, const json_t *b)
{
    return a && b && json_equal(a, b);
}

static const char *text_of(const json_t *obj, const char *key)
{
    const char *v = json_string_value(json_object_get(obj, key));
    return v ? v : "";
}

/* The cards and ID numbers the database holds for persons the file does not name are not the
 * file's to give away: the first such row, cards first, in file order. */
static kiosk_rc find_conflicts(stage *sg, const diff *d)
{
    for (size_t i = 0; i < sg->ncards; i++) {
        const staged_card *c = &sg->cards[i];
        const json_t *s = json_object_get(d->stored_cards, c->key_hex);
        const char *holder = text_of(s, "person_id");
        if (s && strcmp(holder, c->person_id) != 0 && index_of(sg->person_ix, holder) < 0)
            return file_problem(sg,
                                "line %zu: card_uid: this card belongs to person_id %s in the "
                                "database, who is not in this file (if it really moved, add a "
                                "row for %s too)",
                                c->line, holder, holder);
    }
    for (size_t i = 0; i < sg->npersons; i++) {
        const staged_person *p = &sg->persons[i];
        const char *holder =
            p->has_id ? json_string_value(json_object_get(d->stored_ids, p->id_hex)) : NULL;
        if (holder && strcmp(holder, p->person_id) != 0 && index_of(sg->person_ix, holder) < 0)
            return file_problem(sg,
                                "line %zu: id_number: this ID number belongs to person_id %s in "
                                "the database, who is not in this file (if it really moved, add "
                                "a row for %s too)",
                                p->line, holder, holder);
    }
    return KIOSK_OK;
}

static kiosk_rc diff_persons(stage *sg, diff *d)
{
    srv_roster_report *r = sg->report;
    for (size_t i = 0; i < sg->npersons; i++) {
        const staged_person *p = &sg->persons[i];
        const json_t *stored = json_object_get(d->stored_persons, p->person_id);
        /* Without an ID number in the file the stored one stays, unless another person of the
         * file now has it (it was typed on the wrong person). */
        const char *id = p->has_id ? p->id_hex : NULL;
        const char *kept = stored ? json_string_value(json_object_get(stored, "id_key")) : NULL;
        if (!id && kept && index_of(sg->id_ix, kept) < 0)
            id = kept;
        json_t *row = person_row(p, id);
        if (!row)
            return KIOSK_ERR_NOMEM;
        if (same_row(row, stored)) {
            r->persons_unchanged++;
            json_decref(row);
            continue;
        }
        if (stored)
            r->persons_changed++;
        else
            r->persons_added++;
        kiosk_rc rc = add_write(d, "roster", p->person_id, row);
        if (rc != KIOSK_OK)
            return rc;
    }
    return KIOSK_OK;
}

static kiosk_rc diff_cards(stage *sg, diff *d)
{
    srv_roster_report *r = sg->report;
    for (size_t i = 0; i < sg->ncards; i++) {
        const staged_card *c = &sg->cards[i];
        const json_t *stored = json_object_get(d->stored_cards, c->key_hex);
        json_t *row = card_row(c);
        if (!row)
            return KIOSK_ERR_NOMEM;
        if (same_row(row, stored)) {
            r->cards_unchanged++;
            json_decref(row);
            continue;
        }
        if (!stored)
            r->cards_added++;
        else if (strcmp(text_of(stored, "person_id"), c->person_id) != 0)
            r->cards_moved++;
        else if (c->status > 0 && !json_is_true(json_object_get(stored, "blocked")))
            r->cards_blocked++;
        else
            r->cards_changed++;
        kiosk_rc rc = add_write(d, "cards", c->key_hex, row);
        if (rc != KIOSK_OK)
            return rc;
    }
    return KIOSK_OK;
}

/* Full mode: usable cards the file no longer lists for its persons are blocked; active persons
 * it leaves out become inactive. Their rows stay (their meals name them). */
static kiosk_rc diff_full(stage *sg, diff *d)
{
    srv_roster_report *r = sg->report;
    const char *key;
    json_t *stored;
    json_object_foreach(d->stored_cards, key, stored)
    {
        if (json_is_true(json_object_get(stored, "blocked")) || index_of(sg->card_ix, key) >= 0 ||
            index_of(sg->person_ix, text_of(stored, "person_id")) < 0)
            continue;
        json_t *row = json_deep_copy(stored);
        if (!row || json_object_set_new(row, "blocked", json_true()) != 0) {
            json_decref(row);
            return KIOSK_ERR_NOMEM;
        }
        r->cards_blocked++;
        kiosk_rc rc = add_write(d, "cards", key, row);
        if (rc != KIOSK_OK)
            return rc;
    }
    json_object_foreach(d->stored_persons, key, stored)
    {
        if (!json_is_true(json_object_get(stored, "active")) || index_of(sg->person_ix, key) >= 0)
            continue;
        json_t *row = json_deep_copy(stored);
        if (!row || json_object_set_new(row, "active", json_false()) != 0) {
            json_decref(row);
            return KIOSK_ERR_NOMEM;
        }
        r->persons_inactivated++;
        kiosk_rc rc = add_write(d, "roster", key, row);
        if (rc != KIOSK_OK)
            return rc;
    }
    return KIOSK_OK;
}

static kiosk_rc apply(srv_store *st, const char *site_id, diff *d, int64_t now_ms, long *versions)
{
    *versions = (long)d->nwrites;
    if (!d->nwrites)
        return KIOSK_OK;
    int64_t version;
    kiosk_rc rc = srv_store_version_take(st, (int64_t)d->nwrites, &version);
    for (size_t i = 0; rc == KIOSK_OK && i < d->nwrites; i++) {
        char *text = json_dumps(d->writes[i].row, JSON_COMPACT | JSON_SORT_KEYS);
        if (!text)
            return KIOSK_ERR_NOMEM;
        rc = srv_store_stream_put(st, site_id, d->writes[i].stream, d->writes[i].key, text,
                                  version + (int64_t)i, now_ms);
        free(text);
    }
    return rc;
}

static void diff_cleanup(diff *d)
{
    for (size_t i = 0; i < d->nwrites; i++)
        json_decref(d->writes[i].row);
    free(d->writes);
    json_decref(d->stored_persons);
    json_decref(d->stored_ids);
    json_decref(d->stored_cards);
}

static kiosk_rc compare_and_apply(srv_store *st, const char *site_id, stage *sg,
                                  kiosk_roster_mode mode, int64_t now_ms)
{
    diff d = {.stored_persons = json_object(),
              .stored_ids = json_object(),
              .stored_cards = json_object()};
    kiosk_rc rc = d.stored_persons && d.stored_ids && d.stored_cards ? KIOSK_OK : KIOSK_ERR_NOMEM;
    if (rc == KIOSK_OK)
        rc = srv_store_stream_live(st, site_id, NULL, "roster", "", 0, load_person, &d);
    if (rc == KIOSK_OK)
        rc = srv_store_stream_live(st, site_id, NULL, "cards", "", 0, load_card, &d);
    if (rc == KIOSK_OK)
        rc = find_conflicts(sg, &d);
    if (rc == KIOSK_OK)
        rc = diff_persons(sg, &d);
    if (rc == KIOSK_OK)
        rc = diff_cards(sg, &d);
    if (rc == KIOSK_OK && mode == KIOSK_ROSTER_MODE_FULL)
        rc = diff_full(sg, &d);
    if (rc == KIOSK_OK)
        rc = apply(st, site_id, &d, now_ms, &sg->report->versions);
    diff_cleanup(&d);
    return rc;
}

kiosk_rc srv_roster_import(srv_store *st, const char *site_id, FILE *csv, kiosk_date today,
                           kiosk_roster_mode mode, int64_t now_ms, srv_roster_report *out,
                           char *err, size_t err_size)
{
    memset(out, 0, sizeof *out);
    if (err_size)
        err[0] = '\0';
    if (mode != KIOSK_ROSTER_MODE_FULL && mode != KIOSK_ROSTER_MODE_DELTA)
        return kiosk_fail(KIOSK_ERR_INVALID, err, err_size,
                          "no import mode: full (the file is the whole roster) or delta (only "
                          "its rows change)");
    out->mode = mode;
    stage sg = {.report = out,
                .person_ix = json_object(),
                .card_ix = json_object(),
                .id_ix = json_object()};
    kiosk_rc rc = sg.person_ix && sg.card_ix && sg.id_ix ? KIOSK_OK : KIOSK_ERR_NOMEM;
    if (rc == KIOSK_OK)
        rc = srv_store_card_key(st, sg.card_key);
    if (rc == KIOSK_OK)
        rc = kiosk_roster_csv_read(csv, today, stage_row, &sg, err, err_size);
    if (rc == KIOSK_OK && mode == KIOSK_ROSTER_MODE_FULL && out->persons == 0)
        rc = file_problem(&sg, "the file has no rows; a full import of it would make every "
                               "person inactive");
    if (rc == KIOSK_OK) {
        rc = srv_store_begin(st, true);
        if (rc == KIOSK_OK) {
            rc = compare_and_apply(st, site_id, &sg, mode, now_ms);
            if (rc == KIOSK_OK)
                rc = srv_store_commit(st);
            else
                srv_store_rollback(st);
        }
        if (rc != KIOSK_OK && !sg.problem[0])
            snprintf(sg.problem, sizeof sg.problem, "%s",
                     srv_store_errmsg(st)[0] ? srv_store_errmsg(st) : kiosk_strerror(rc));
    }
    sodium_memzero(sg.card_key, sizeof sg.card_key);
    json_decref(sg.person_ix);
    json_decref(sg.card_ix);
    json_decref(sg.id_ix);
    free(sg.persons);
    free(sg.cards);
    if (rc != KIOSK_OK) {
        if (sg.problem[0])
            snprintf(err, err_size, "%s", sg.problem);
        kiosk_roster_mode m = out->mode;
        memset(out, 0, sizeof *out);
        out->mode = m;
    }
    return rc;
}

typedef struct removal {
    const char *person_id;
    bool found;
    json_t *cards; /* keys of the person's cards */
} removal;

static kiosk_rc note_person(void *user, const srv_stream_row *r)
{
    removal *rm = user;
    rm->found = r->row != NULL;
    return KIOSK_OK;
}

static kiosk_rc note_card(void *user, const srv_stream_row *r)
{
    removal *rm = user;
    json_t *row = json_loads(r->row, 0, NULL);
    bool theirs = row && strcmp(text_of(row, "person_id"), rm->person_id) == 0;
    json_decref(row);
    if (theirs && json_array_append_new(rm->cards, json_string(r->key)) != 0)
        return KIOSK_ERR_NOMEM;
    return KIOSK_OK;
}

kiosk_rc srv_roster_remove(srv_store *st, const char *site_id, const char *person_id,
                           int64_t now_ms, long *cards)
{
    removal rm = {.person_id = person_id, .cards = json_array()};
    *cards = 0;
    if (!rm.cards)
        return KIOSK_ERR_NOMEM;
    kiosk_rc rc = srv_store_begin(st, true);
    if (rc != KIOSK_OK) {
        json_decref(rm.cards);
        return rc;
    }
    rc = srv_store_stream_get(st, site_id, "roster", person_id, note_person, &rm);
    if (rc == KIOSK_OK && !rm.found)
        rc = KIOSK_ERR_NOT_FOUND;
    if (rc == KIOSK_OK)
        rc = srv_store_stream_live(st, site_id, NULL, "cards", "", 0, note_card, &rm);
    int64_t version = 0;
    size_t n = json_array_size(rm.cards);
    if (rc == KIOSK_OK)
        rc = srv_store_version_take(st, (int64_t)n + 1, &version);
    for (size_t i = 0; rc == KIOSK_OK && i < n; i++)
        rc = srv_store_stream_put(st, site_id, "cards",
                                  json_string_value(json_array_get(rm.cards, i)), NULL, version++,
                                  now_ms);
    if (rc == KIOSK_OK)
        rc = srv_store_stream_put(st, site_id, "roster", person_id, NULL, version, now_ms);
    if (rc == KIOSK_OK)
        rc = srv_store_commit(st);
    else
        srv_store_rollback(st);
    *cards = rc == KIOSK_OK ? (long)n : 0;
    json_decref(rm.cards);
    return rc;
}
