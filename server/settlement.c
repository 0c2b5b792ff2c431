/* settlement.c - settlement totals, the per-meal export and the review of cases
 * (settlement.h). */
#include "settlement.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "caltime.h"
#include "clock.h"

/* "YYYY-MM" -> the first day of that month and of the next. */
static bool month_range(const char *month, char from[11], char to[11])
{
    char first[16];
    kiosk_date d;
    if (!month || strlen(month) != 7)
        return false;
    snprintf(first, sizeof first, "%s-01", month);
    if (!kiosk_date_parse(first, &d))
        return false;
    kiosk_date next = {d.month == 12 ? d.year + 1 : d.year, d.month == 12 ? 1 : d.month + 1, 1};
    kiosk_date_format(d, from);
    kiosk_date_format(next, to);
    return true;
}

static bool paid(const char *review_status)
{
    return !review_status[0] || strcmp(review_status, SRV_REVIEW_ACCEPTED) == 0;
}

static int64_t int_of(const json_t *obj, const char *key)
{
    return (int64_t)json_integer_value(json_object_get(obj, key));
}

static const char *text_of(const json_t *obj, const char *key)
{
    const char *v = json_string_value(json_object_get(obj, key));
    return v ? v : "";
}

/* --- totals -------------------------------------------------------------------------------- */

#define LEVELS 4
static const char *const level_names[LEVELS] = {"city", "district", "street", "canteen"};
static const char *const level_keys[LEVELS] = {"city_fen", "district_fen", "street_fen",
                                               "canteen_fen"};

typedef struct group {
    char site[SRV_ID_MAX], canteen[SRV_ID_MAX], class_id[40];
    long meals, held_meals;
    int64_t fen[LEVELS], held_fen[LEVELS];
} group;

typedef struct totals {
    json_t *index; /* "site\x1f canteen\x1f class" -> position in groups */
    group *groups;
    size_t count, cap;
    char *err;
    size_t err_size;
} totals;

static kiosk_rc add_meal(void *user, const srv_settle_meal *m)
{
    totals *t = user;
    /* Staff voided it at the kiosk (a compensating void record): no meal to pay or hold. The
     * per-meal export still lists it, with its status. */
    if (strcmp(m->review_status, SRV_REVIEW_VOIDED) == 0)
        return KIOSK_OK;
    json_t *p = json_loads(m->payload, 0, NULL);
    if (!json_is_object(p)) {
        json_decref(p);
        return kiosk_fail(KIOSK_ERR_CORRUPT, t->err, t->err_size,
                          "record %s: the stored payload is not a meal", m->record_id);
    }
    char key[3 * 48];
    snprintf(key, sizeof key, "%s\x1f%s\x1f%s", m->site_id, text_of(p, "canteen_id"),
             text_of(p, "class_id"));
    const json_t *at = json_object_get(t->index, key);
    size_t i;
    if (at) {
        i = (size_t)json_integer_value(at);
    } else {
        if (t->count == t->cap) {
            size_t cap = t->cap ? t->cap * 2 : 64;
            group *grown = realloc(t->groups, cap * sizeof *grown);
            if (!grown) {
                json_decref(p);
                return KIOSK_ERR_NOMEM;
            }
            t->groups = grown;
            t->cap = cap;
        }
        i = t->count++;
        group *g = &t->groups[i];
        memset(g, 0, sizeof *g);
        snprintf(g->site, sizeof g->site, "%s", m->site_id);
        snprintf(g->canteen, sizeof g->canteen, "%s", text_of(p, "canteen_id"));
        snprintf(g->class_id, sizeof g->class_id, "%s", text_of(p, "class_id"));
        if (json_object_set_new(t->index, key, json_integer((json_int_t)i)) != 0) {
            json_decref(p);
            return KIOSK_ERR_NOMEM;
        }
    }
    group *g = &t->groups[i];
    bool counted = paid(m->review_status);
    if (counted)
        g->meals++;
    else
        g->held_meals++;
    for (int l = 0; l < LEVELS; l++)
        *(counted ? &g->fen[l] : &g->held_fen[l]) += int_of(p, level_keys[l]);
    json_decref(p);
    return KIOSK_OK;
}

static int compare_groups(const void *a, const void *b)
{
    const group *x = a, *y = b;
    int c = strcmp(x->site, y->site);
    if (!c)
        c = strcmp(x->canteen, y->canteen);
    return c ? c : strcmp(x->class_id, y->class_id);
}

/* Ids come from the roster, the policy and the configuration: quote (RFC 4180) whatever a
 * spreadsheet could misread, as the kiosk's export does. */
static void csv_field(FILE *out, const char *v)
{
    if (!v[strcspn(v, ",\"\r\n")]) {
        fputs(v, out);
        return;
    }
    fputc('"', out);
    for (; *v; v++) {
        if (*v == '"')
            fputc('"', out);
        fputc(*v, out);
    }
    fputc('"', out);
}

kiosk_rc srv_settlement_totals(srv_store *st, const char *month, const char *site_id, FILE *out,
                               char *err, size_t err_size)
{
    char from[11], to[11];
    if (!month_range(month, from, to))
        return kiosk_fail(KIOSK_ERR_INVALID, err, err_size, "--month: expected YYYY-MM");
    totals t = {.index = json_object(), .err = err, .err_size = err_size};
    if (!t.index)
        return KIOSK_ERR_NOMEM;
    kiosk_rc rc = srv_store_begin(st, false);
    if (rc == KIOSK_OK) {
        rc = srv_store_settle_meals(st, site_id, from, to, add_meal, &t);
        srv_store_rollback(st);
    }
    if (rc == KIOSK_OK) {
        if (t.count)
            qsort(t.groups, t.count, sizeof *t.groups, compare_groups);
        fputs("month,site_id,canteen_id,class_id,funding_level,meals,subsidy_fen,held_meals,"
              "held_subsidy_fen\n",
              out);
        for (size_t i = 0; i < t.count; i++) {
            const group *g = &t.groups[i];
            for (int l = 0; l < LEVELS; l++) {
                fprintf(out, "%s,", month);
                csv_field(out, g->site);
                fputc(',', out);
                csv_field(out, g->canteen);
                fputc(',', out);
                csv_field(out, g->class_id);
                fprintf(out, ",%s,%ld,%lld,%ld,%lld\n", level_names[l], g->meals,
                        (long long)g->fen[l], g->held_meals, (long long)g->held_fen[l]);
            }
        }
        if (ferror(out))
            rc = KIOSK_ERR_IO;
    }
    json_decref(t.index);
    free(t.groups);
    return rc;
}

/* --- the per-meal export ------------------------------------------------------------------- */

typedef struct export
{
    FILE *out;
    char *err;
    size_t err_size;
}
export;

static kiosk_rc export_meal(void *user, const srv_settle_meal *m)
{
    export *e = user;
    json_t *p = json_loads(m->payload, 0, NULL);
    if (!json_is_object(p)) {
        json_decref(p);
        return kiosk_fail(KIOSK_ERR_CORRUPT, e->err, e->err_size,
                          "record %s: the stored payload is not a meal", m->record_id);
    }
    int64_t minute = int_of(p, "local_minute");
    char local_time[8];
    snprintf(local_time, sizeof local_time, "%02d:%02d", (int)(minute / 60), (int)(minute % 60));
    static const char *const text_columns[] = {"kiosk_id", "canteen_id", "person_id", "class_id",
                                               "meal_type"};
    static const char *const money_columns[] = {"price_fen", "subsidy_fen",  "pay_fen",
                                                "city_fen",  "district_fen", "street_fen"};
    fprintf(e->out, "%s,%s,%s", m->record_id, text_of(p, "business_date"), local_time);
    for (size_t i = 0; i < sizeof text_columns / sizeof *text_columns; i++) {
        fputc(',', e->out);
        csv_field(e->out, text_of(p, text_columns[i]));
    }
    for (size_t i = 0; i < sizeof money_columns / sizeof *money_columns; i++)
        fprintf(e->out, ",%lld", (long long)int_of(p, money_columns[i]));
    fputc(',', e->out);
    csv_field(e->out, text_of(p, "policy_version"));
    fputc(',', e->out);
    csv_field(e->out, text_of(p, "payment_method"));
    fprintf(e->out, ",%lld,%lld,", (long long)int_of(p, "canteen_fen"),
            (long long)int_of(p, "day_subsidy_fen"));
    csv_field(e->out, text_of(p, "price_source"));
    fputc(',', e->out);
    csv_field(e->out, text_of(p, "menu_item"));
    fprintf(e->out, ",%s\n", m->review_status);
    json_decref(p);
    return ferror(e->out) ? KIOSK_ERR_IO : KIOSK_OK;
}

kiosk_rc srv_settlement_meals(srv_store *st, const char *month, const char *site_id, FILE *out,
                              char *err, size_t err_size)
{
    char from[11], to[11];
    if (!month_range(month, from, to))
        return kiosk_fail(KIOSK_ERR_INVALID, err, err_size, "--month: expected YYYY-MM");
    fputs("record_id,business_date,local_time,kiosk_id,canteen_id,person_id,class_id,meal_type,"
          "price_fen,subsidy_fen,pay_fen,city_fen,district_fen,street_fen,policy_version,"
          "payment_method,canteen_fen,day_subsidy_fen,price_source,menu_item,review_status\n",
          out);
    export e = {.out = out, .err = err, .err_size = err_size};
    kiosk_rc rc = srv_store_begin(st, false);
    if (rc == KIOSK_OK) {
        rc = srv_store_settle_meals(st, site_id, from, to, export_meal, &e);
        srv_store_rollback(st);
    }
    return rc;
}

/* --- review -------------------------------------------------------------------------------- */

typedef struct listing {
    srv_store *st;
    FILE *out;
    long cases;
} listing;

static kiosk_rc print_meal(void *user, const srv_case_meal *m)
{
    listing *l = user;
    char at[KIOSK_CLOCK_TEXT_SIZE];
    kiosk_clock_format_local(m->est_created_ms, at);
    fprintf(l->out, "  %s  device %s  canteen %s  at %s  subsidy_fen %lld  %s\n", m->record_id,
            m->device_id, m->canteen_id, at, (long long)m->subsidy_fen,
            m->review_status[0] ? m->review_status : "original (paid)");
    return KIOSK_OK;
}

/* Cases are listed first and their meals read after, so no two queries are open at once. */
typedef struct case_list {
    srv_case *items;
    size_t count, cap;
} case_list;

static kiosk_rc collect_case(void *user, const srv_case *c)
{
    case_list *cl = user;
    if (cl->count == cl->cap) {
        size_t cap = cl->cap ? cl->cap * 2 : 16;
        srv_case *grown = realloc(cl->items, cap * sizeof *grown);
        if (!grown)
            return KIOSK_ERR_NOMEM;
        cl->items = grown;
        cl->cap = cap;
    }
    cl->items[cl->count++] = *c;
    return KIOSK_OK;
}

kiosk_rc srv_review_list(srv_store *st, bool all_cases, FILE *out)
{
    case_list cl = {0};
    listing l = {.st = st, .out = out};
    kiosk_rc rc = srv_store_begin(st, false);
    if (rc != KIOSK_OK)
        return rc;
    rc = srv_store_case_list(st, !all_cases, collect_case, &cl);
    for (size_t i = 0; rc == KIOSK_OK && i < cl.count; i++) {
        const srv_case *c = &cl.items[i];
        char opened[KIOSK_CLOCK_TEXT_SIZE];
        kiosk_clock_format_local(c->opened_ms, opened);
        fprintf(out, "case %lld  %s  person %s  %s %s  opened %s\n", (long long)c->case_id,
                c->status, c->person_id, c->meal_type, c->business_date, opened);
        rc = srv_store_case_meals(st, c->case_id, print_meal, &l);
    }
    srv_store_rollback(st);
    if (rc == KIOSK_OK && cl.count == 0)
        fprintf(out, "no %scases\n", all_cases ? "" : "open ");
    free(cl.items);
    return rc;
}

kiosk_rc srv_review_decide(srv_store *st, int64_t case_id, bool accept, int64_t now_ms,
                           long *decided)
{
    *decided = 0;
    kiosk_rc rc = srv_store_begin(st, true);
    if (rc != KIOSK_OK)
        return rc;
    rc = srv_store_case_decide(st, case_id, accept ? "accepted" : "waived",
                               accept ? SRV_REVIEW_ACCEPTED : SRV_REVIEW_WAIVED, now_ms, decided);
    if (rc == KIOSK_OK)
        return srv_store_commit(st);
    srv_store_rollback(st);
    return rc;
}
