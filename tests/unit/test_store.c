/* test_store.c - the local store on a real SQLite file: migrations, durability settings,
 * quick_check failure, roster import all-or-nothing, meals with their outbox, append-only
 * triggers, reports and CSV export, and a disk that fills up mid-write. */
#define _POSIX_C_SOURCE 200809L
#include <poll.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "clock.h"
#include "db_query.h"
#include "hex.h"
#include "roster_import.h"
#include "store.h"

static const char *dir;
static const kiosk_date today = {2026, 11, 23};

static const char *path_in_dir(const char *name)
{
    static char path[4][256];
    static int next;
    char *p = path[next++ % 4];
    snprintf(p, 256, "%s/%s", dir, name);
    return p;
}

static kiosk_store *open_store(const char *name)
{
    kiosk_store *s = NULL;
    char err[256];
    kiosk_rc rc = kiosk_store_open(path_in_dir(name), &s, err, sizeof err);
    CHECK_INT(rc, KIOSK_OK);
    if (rc != KIOSK_OK)
        fprintf(stderr, "  %s\n", err);
    return s;
}

static const char *roster_header =
    "person_id,name,birth_date,categories,city,district,street,hukou,status,card_uid,"
    "card_status,issuing_canteen,id_number\n";

static kiosk_rc import_text(kiosk_store *s, const char *body, char *err, size_t err_size,
                            kiosk_import_stats *stats)
{
    char text[4096];
    snprintf(text, sizeof text, "%s%s", roster_header, body);
    FILE *f = fmemopen(text, strlen(text), "r");
    err[0] = '\0';
    kiosk_rc rc = kiosk_store_import_roster(s, f, today, stats, err, err_size);
    fclose(f);
    return rc;
}

/* --- the roster import in its modes --------------------------------------------------------- */

static char roster_err[300];

static kiosk_rc import_mode(kiosk_store *s, kiosk_roster_mode mode, const char *body,
                            kiosk_roster_report *r)
{
    static char text[8192];
    snprintf(text, sizeof text, "%s%s", roster_header, body);
    FILE *f = fmemopen(text, strlen(text), "r");
    roster_err[0] = '\0';
    kiosk_rc rc =
        kiosk_store_import_roster_mode(s, f, today, mode, r, roster_err, sizeof roster_err);
    fclose(f);
    return rc;
}

static kiosk_rc holder_of_card(kiosk_store *s, const char *hex, kiosk_holder *h)
{
    uint8_t uid[KIOSK_UID_MAX], key[KIOSK_CARD_KEY_BYTES];
    int n = kiosk_card_uid_from_hex(hex, strlen(hex), uid);
    kiosk_store_card_key(s, uid, (size_t)n, key);
    return kiosk_store_find_card(s, key, h);
}

static kiosk_rc holder_of_id(kiosk_store *s, const char *number, kiosk_holder *h)
{
    uint8_t key[KIOSK_CARD_KEY_BYTES];
    kiosk_store_id_number_key(s, number, key);
    return kiosk_store_find_id_number(s, key, h);
}

/* One integer from a query on a second connection: what another reader sees after a commit. */
static long sql_long(const char *name, const char *sql)
{
    return db_query_long(path_in_dir(name), sql);
}

static void test_open_migrate_durable(void)
{
    kiosk_store *s = open_store("a.db");
    CHECK_INT(kiosk_store_schema_version(s), 5);
    bool wal = false;
    int sync = -1;
    CHECK_INT(kiosk_store_durability(s, &wal, &sync), KIOSK_OK);
    CHECK(wal);
    CHECK_INT(sync, 2); /* FULL */
    kiosk_store_close(s);
    s = open_store("a.db"); /* re-open: migrations are not run twice */
    CHECK_INT(kiosk_store_schema_version(s), 5);
    kiosk_store_close(s);
}

static void test_corrupt(void)
{
    /* Not a database at all. */
    const char *junk = path_in_dir("junk.db");
    FILE *f = fopen(junk, "w");
    for (int i = 0; i < 2000; i++)
        fputs("this is not a database ", f);
    fclose(f);
    kiosk_store *s = NULL;
    char err[256] = "";
    CHECK_INT(kiosk_store_open(junk, &s, err, sizeof err), KIOSK_ERR_CORRUPT);
    CHECK(err[0] != '\0');
    kiosk_store_close(s);

    /* A real database with a damaged b-tree page: quick_check must catch it. */
    const char *bad = path_in_dir("bad.db");
    sqlite3 *db;
    sqlite3_open(bad, &db);
    sqlite3_exec(db,
                 "PRAGMA page_size=4096; CREATE TABLE t(x TEXT); WITH RECURSIVE n(i) AS"
                 " (SELECT 1 UNION ALL SELECT i+1 FROM n WHERE i < 2000)"
                 " INSERT INTO t SELECT printf('row %05d padding padding', i) FROM n;",
                 NULL, NULL, NULL);
    sqlite3_close(db);
    f = fopen(bad, "r+b");
    fseek(f, 4096L * 5 + 100, SEEK_SET); /* inside page 6, a leaf of t */
    for (int i = 0; i < 600; i++)
        fputc(0xA5, f);
    fclose(f);
    /* Not a table a start needs: the opening passes, the whole-file check finds it. */
    s = NULL;
    CHECK_INT(kiosk_store_open(bad, &s, err, sizeof err), KIOSK_OK);
    kiosk_store_close(s);
    kiosk_store_check *check = NULL;
    CHECK_INT(kiosk_store_check_open(bad, &check, err, sizeof err), KIOSK_OK);
    CHECK_INT(kiosk_store_check_run(check, err, sizeof err), KIOSK_ERR_CORRUPT);
    CHECK(strstr(err, "integrity") != NULL);
    kiosk_store_check_close(check);
    struct stat st;
    CHECK(stat(bad, &st) == 0); /* left in place, never deleted */
}

static void test_roster_import(void)
{
    kiosk_store *s = open_store("roster.db");
    kiosk_import_stats stats;
    char err[300];
    kiosk_rc rc = import_text(s,
                              "p1,张三明,1946-11-23,dibao,3201,320106,320106001,local,active,"
                              "04A1B2C3,active,,\n"
                              "p1,张三明,1946-11-23,dibao,3201,320106,320106001,local,active,"
                              "04A1B2C4,blocked,,\n"
                              "p2,李四,1950-03-01,,3201,320106,,resident,active,04D1D2D3,"
                              "active,canteen-01,\n",
                              err, sizeof err, &stats);
    CHECK_INT(rc, KIOSK_OK);
    if (rc != KIOSK_OK)
        fprintf(stderr, "  %s\n", err);
    CHECK_INT(stats.rows, 3);
    CHECK_INT(stats.persons, 2);
    CHECK_INT(stats.cards, 3);

    uint8_t uid[4] = {0x04, 0xA1, 0xB2, 0xC3}, key[32];
    kiosk_holder h;
    kiosk_store_card_key(s, uid, 4, key);
    CHECK_INT(kiosk_store_find_card(s, key, &h), KIOSK_OK);
    CHECK_STR(h.person_id, "p1");
    CHECK_STR(h.name_masked, "张*明"); /* only the masked name is stored */
    CHECK_INT(h.person.birth.year, 1946);
    CHECK(h.person.local_hukou);
    CHECK(h.person.active);
    CHECK(!h.card.blocked);
    uid[3] = 0xC4;
    kiosk_store_card_key(s, uid, 4, key);
    CHECK_INT(kiosk_store_find_card(s, key, &h), KIOSK_OK);
    CHECK(h.card.blocked);
    uint8_t other[4] = {0x04, 0xD1, 0xD2, 0xD3};
    kiosk_store_card_key(s, other, 4, key);
    CHECK_INT(kiosk_store_find_card(s, key, &h), KIOSK_OK);
    CHECK_STR(h.card.issuing_canteen, "canteen-01");
    CHECK(!h.person.local_hukou && h.person.local_resident);
    uint8_t unknown[4] = {1, 2, 3, 4};
    kiosk_store_card_key(s, unknown, 4, key);
    CHECK_INT(kiosk_store_find_card(s, key, &h), KIOSK_ERR_NOT_FOUND);

    /* A bad row late in the file: nothing of the file lands. */
    rc = import_text(s,
                     "p3,王五,1940-01-01,,,,,local,active,0A0B0C0D,active,,\n"
                     "p4,赵六,1940-02-30,,,,,local,active,0A0B0C0E,active,,\n",
                     err, sizeof err, &stats);
    CHECK_INT(rc, KIOSK_ERR_PARSE);
    CHECK(strstr(err, "line 3") != NULL);
    CHECK(strstr(err, "赵") == NULL); /* no names in errors */
    uint8_t p3uid[4] = {0x0A, 0x0B, 0x0C, 0x0D};
    kiosk_store_card_key(s, p3uid, 4, key);
    CHECK_INT(kiosk_store_find_card(s, key, &h), KIOSK_ERR_NOT_FOUND);

    /* The same person on two rows with different birth dates is refused. */
    rc = import_text(s,
                     "p5,钱七,1940-01-01,,,,,local,active,0B0B0C0D,active,,\n"
                     "p5,钱七,1941-01-01,,,,,local,active,0B0B0C0E,active,,\n",
                     err, sizeof err, &stats);
    CHECK_INT(rc, KIOSK_ERR_PARSE);
    CHECK(strstr(err, "line 3") != NULL && strstr(err, "line 2") != NULL);

    /* Re-importing updates: p1 blocked card becomes active again, status changes apply. */
    rc = import_text(s,
                     "p1,张三明,1946-11-23,dibao,3201,320106,320106001,local,inactive,"
                     "04A1B2C4,active,,\n",
                     err, sizeof err, &stats);
    CHECK_INT(rc, KIOSK_OK);
    uid[3] = 0xC4;
    kiosk_store_card_key(s, uid, 4, key);
    CHECK_INT(kiosk_store_find_card(s, key, &h), KIOSK_OK);
    CHECK(!h.card.blocked);
    CHECK(!h.person.active);
    kiosk_store_close(s);
}

static kiosk_meal_entry sample_meal(int64_t utc_ms, kiosk_date date, int minute, int64_t price,
                                    int64_t subsidy)
{
    kiosk_meal_entry m = {0};
    m.record_id = kiosk_recid_new(utc_ms);
    snprintf(m.person_id, sizeof m.person_id, "p1");
    snprintf(m.kiosk_id, sizeof m.kiosk_id, "k1");
    snprintf(m.canteen_id, sizeof m.canteen_id, "canteen-01");
    m.created_utc_ms = utc_ms;
    m.at.date = date;
    m.at.minute_of_day = minute;
    m.decision.approved = true;
    m.decision.meal_type = KIOSK_MEAL_LUNCH;
    m.decision.price_fen = price;
    m.decision.subsidy_fen = subsidy;
    m.decision.pay_fen = price - subsidy;
    m.decision.funding_fen[KIOSK_LEVEL_CITY] = subsidy;
    snprintf(m.decision.class_id, sizeof m.decision.class_id, "age80");
    snprintf(m.decision.policy_version, sizeof m.decision.policy_version, "test-1");
    return m;
}

/* Full and delta imports: what each changes and what it leaves alone, and the counts it reports
 * (a person on several rows is one person, a repeated row is a duplicate, not a second card). */
static void test_roster_modes(void)
{
    kiosk_store *s = open_store("modes.db");
    kiosk_roster_report r;
    /* Line 4 repeats line 2, line 8 repeats line 7. */
    kiosk_rc rc = import_mode(s, KIOSK_ROSTER_MODE_FULL,
                              "A1,张三明,1946-11-23,dibao,3201,320106,320106001,local,active,"
                              "04A1B2C3,active,,\n"
                              "A1,张三明,1946-11-23,dibao,3201,320106,320106001,local,active,"
                              "04A1B2C4,active,,\n"
                              "A1,张三明,1946-11-23,dibao,3201,320106,320106001,local,active,"
                              "04A1B2C3,active,,\n"
                              "A2,李四,1950-03-01,,3201,320106,,resident,active,04D1D2D3,active,,\n"
                              "A3,王五,1940-01-01,,,,,local,active,,,,110105194001010026\n"
                              "A4,赵六,1940-02-01,,,,,local,active,,,,\n"
                              "A4,赵六,1940-02-01,,,,,local,active,,,,\n",
                              &r);
    CHECK_INT(rc, KIOSK_OK);
    if (rc != KIOSK_OK)
        fprintf(stderr, "  %s\n", roster_err);
    CHECK_INT(r.mode, KIOSK_ROSTER_MODE_FULL);
    CHECK_INT(r.rows, 7);
    CHECK_INT(r.duplicate_rows, 2);
    CHECK_INT(r.duplicate_line[0], 4);
    CHECK_INT(r.duplicate_of[0], 2);
    CHECK_INT(r.duplicate_line[1], 8);
    CHECK_INT(r.duplicate_of[1], 7);
    CHECK_INT(r.persons, 4);
    CHECK_INT(r.persons_added, 4);
    CHECK_INT(r.persons_changed + r.persons_unchanged + r.persons_inactivated, 0);
    CHECK_INT(r.cards, 3);
    CHECK_INT(r.cards_added, 3);
    CHECK_INT(r.cards_moved + r.cards_blocked + r.cards_changed + r.cards_unchanged, 0);
    CHECK(r.lock_from_ms >= r.started_ms && r.lock_until_ms >= r.lock_from_ms);
    CHECK(r.finished_ms >= r.lock_until_ms);
    kiosk_meal_entry meal = sample_meal(1795404600000LL, today, 690, 1500, 500);
    snprintf(meal.person_id, sizeof meal.person_id, "A3");
    CHECK_INT(kiosk_store_add_meal(s, &meal), KIOSK_OK);

    /* The same file again changes nothing. */
    rc = import_mode(s, KIOSK_ROSTER_MODE_FULL,
                     "A1,张三明,1946-11-23,dibao,3201,320106,320106001,local,active,04A1B2C3,"
                     "active,,\n"
                     "A1,张三明,1946-11-23,dibao,3201,320106,320106001,local,active,04A1B2C4,"
                     "active,,\n"
                     "A2,李四,1950-03-01,,3201,320106,,resident,active,04D1D2D3,active,,\n"
                     "A3,王五,1940-01-01,,,,,local,active,,,,110105194001010026\n"
                     "A4,赵六,1940-02-01,,,,,local,active,,,,\n",
                     &r);
    CHECK_INT(rc, KIOSK_OK);
    CHECK_INT(r.persons_unchanged, 4);
    CHECK_INT(r.cards_unchanged, 3);
    CHECK_INT(r.persons_added + r.persons_changed + r.persons_inactivated, 0);
    CHECK_INT(r.cards_added + r.cards_moved + r.cards_blocked + r.cards_changed, 0);

    /* Full: A3 and A4 are left out and become inactive (A3's meal and ID-number key stay);
     * A1's card C3 is no longer listed and is blocked; A2's card is reported lost; A5 is new. */
    rc = import_mode(s, KIOSK_ROSTER_MODE_FULL,
                     "A1,张三明,1946-11-23,dibao,3201,320106,320106001,local,active,04A1B2C4,"
                     "active,,\n"
                     "A2,李四,1950-03-01,alone,3201,320106,,resident,active,04D1D2D3,lost,,\n"
                     "A5,钱七,1941-05-05,,,,,other,active,0A0B0C0D,active,C-9,\n",
                     &r);
    CHECK_INT(rc, KIOSK_OK);
    if (rc != KIOSK_OK)
        fprintf(stderr, "  %s\n", roster_err);
    CHECK_INT(r.persons, 3);
    CHECK_INT(r.persons_added, 1);
    CHECK_INT(r.persons_changed, 1);
    CHECK_INT(r.persons_unchanged, 1);
    CHECK_INT(r.persons_inactivated, 2);
    CHECK_INT(r.cards, 3);
    CHECK_INT(r.cards_added, 1);
    CHECK_INT(r.cards_moved, 0);
    CHECK_INT(r.cards_blocked, 2); /* D3 lost, C3 dropped */
    CHECK_INT(r.cards_changed, 0);
    CHECK_INT(r.cards_unchanged, 1);
    kiosk_holder h;
    CHECK_INT(holder_of_card(s, "04A1B2C3", &h), KIOSK_OK);
    CHECK_STR(h.person_id, "A1");
    CHECK(h.card.blocked);
    CHECK_INT(holder_of_card(s, "04A1B2C4", &h), KIOSK_OK);
    CHECK(!h.card.blocked && h.person.active);
    CHECK_INT(holder_of_card(s, "04D1D2D3", &h), KIOSK_OK);
    CHECK(h.card.blocked);
    CHECK_INT(h.person.categories, KIOSK_CAT(ALONE));
    CHECK_INT(holder_of_card(s, "0A0B0C0D", &h), KIOSK_OK);
    CHECK_STR(h.card.issuing_canteen, "C-9");
    CHECK_INT(holder_of_id(s, "110105194001010026", &h), KIOSK_OK);
    CHECK_STR(h.person_id, "A3");
    CHECK(!h.person.active);
    CHECK_INT(sql_long("modes.db", "SELECT active FROM person WHERE person_id = 'A4'"), 0);
    bool exists = false;
    CHECK_INT(kiosk_store_has_meal(s, &meal.record_id, &exists), KIOSK_OK);
    CHECK(exists);

    /* Delta: only the rows given. A3 is active again; D3 moves from A2 to A1, A2 being in the
     * file (her other cards, none here, would stay); A4 stays inactive, A5 stays as it was. */
    rc = import_mode(s, KIOSK_ROSTER_MODE_DELTA,
                     "A3,王五,1940-01-01,,,,,local,active,,,,110105194001010026\n"
                     "A1,张三明,1946-11-23,dibao,3201,320106,320106001,local,active,04D1D2D3,"
                     "active,,\n"
                     "A2,李四,1950-03-01,alone,3201,320106,,resident,active,,,,\n",
                     &r);
    CHECK_INT(rc, KIOSK_OK);
    if (rc != KIOSK_OK)
        fprintf(stderr, "  %s\n", roster_err);
    CHECK_INT(r.mode, KIOSK_ROSTER_MODE_DELTA);
    CHECK_INT(r.persons_changed, 1);
    CHECK_INT(r.persons_unchanged, 2);
    CHECK_INT(r.persons_inactivated, 0);
    CHECK_INT(r.cards, 1);
    CHECK_INT(r.cards_moved, 1);
    CHECK_INT(holder_of_card(s, "04D1D2D3", &h), KIOSK_OK);
    CHECK_STR(h.person_id, "A1");
    CHECK(!h.card.blocked);
    CHECK_INT(holder_of_card(s, "04A1B2C3", &h), KIOSK_OK); /* not in the delta: still blocked */
    CHECK(h.card.blocked);
    CHECK_INT(holder_of_id(s, "110105194001010026", &h), KIOSK_OK);
    CHECK(h.person.active);
    CHECK_INT(sql_long("modes.db", "SELECT active FROM person WHERE person_id = 'A4'"), 0);
    CHECK_INT(sql_long("modes.db", "SELECT count(*) FROM person"), 5);
    CHECK_INT(sql_long("modes.db", "SELECT count(*) FROM card"), 4);

    /* The old entry point is a delta import with short counts. */
    kiosk_import_stats stats;
    CHECK_INT(import_text(s,
                          "A5,钱七,1941-05-05,,,,,other,active,0A0B0C0D,active,C-9,\n"
                          "A5,钱七,1941-05-05,,,,,other,active,0A0B0C0D,active,C-9,\n",
                          roster_err, sizeof roster_err, &stats),
              KIOSK_OK);
    CHECK_INT(stats.rows, 2);
    CHECK_INT(stats.persons, 1);
    CHECK_INT(stats.cards, 1);
    kiosk_store_close(s);
}

/* Each refusal names the line (both lines for a clash inside the file) and the person_id holding
 * a card or an ID number, never a UID, an ID number or a name; and nothing is changed. */
static void test_roster_conflicts(void)
{
    kiosk_store *s = open_store("clash.db");
    kiosk_roster_report r;
    CHECK_INT(import_mode(s, KIOSK_ROSTER_MODE_FULL,
                          "A1,张三明,1946-11-23,,,,,local,active,04A1B2C3,active,,\n"
                          "A3,王五,1940-01-01,,,,,local,active,,,,110105194001010026\n",
                          &r),
              KIOSK_OK);
    static const struct {
        kiosk_roster_mode mode;
        const char *body, *message;
    } bad[] = {
        {KIOSK_ROSTER_MODE_DELTA,
         "B1,孙八,1950-01-01,,,,,local,active,04AAAA01,active,,\n"
         "B2,周九,1950-01-01,,,,,local,active,04aaaa01,active,,\n",
         "line 3: card_uid: this card is also on line 2, for person_id B1; a card belongs to one "
         "person"},
        {KIOSK_ROSTER_MODE_DELTA,
         "B1,孙八,1950-12-12,,,,,local,active,,,,320106195012120044\n"
         "B2,周九,1950-12-12,,,,,local,active,,,,320106195012120044\n",
         "line 3: id_number: this ID number is also on line 2, for person_id B1; an ID number "
         "belongs to one person"},
        {KIOSK_ROSTER_MODE_DELTA, "B1,孙八,1950-01-01,,,,,local,active,04A1B2C3,active,,\n",
         "line 2: card_uid: this card belongs to person_id A1 in the database, who is not in this "
         "file (if it really moved, add a row for A1 too)"},
        {KIOSK_ROSTER_MODE_FULL,
         "A3,王五,1940-01-01,,,,,local,active,,,,110105194001010026\n"
         "B1,孙八,1950-01-01,,,,,local,active,04A1B2C3,active,,\n",
         "line 3: card_uid: this card belongs to person_id A1 in the database, who is not in this "
         "file (if it really moved, add a row for A1 too)"},
        {KIOSK_ROSTER_MODE_FULL,
         "A1,张三明,1946-11-23,,,,,local,active,04A1B2C3,active,,\n"
         "B1,孙八,1940-01-01,,,,,local,active,,,,110105194001010026\n",
         "line 3: id_number: this ID number belongs to person_id A3 in the database, who is not "
         "in this file (if it really moved, add a row for A3 too)"},
        {KIOSK_ROSTER_MODE_DELTA,
         "B1,孙八,1950-01-01,,,,,local,active,04AAAA01,active,,\n"
         "B1,孙八,1951-01-01,,,,,local,active,04AAAA02,active,,\n",
         "line 3: birth_date: differs from line 2, another row of person_id B1 (a person's "
         "columns must be the same on all their rows)"},
        {KIOSK_ROSTER_MODE_DELTA,
         "B1,孙八,1950-12-12,,,,,local,active,04AAAA01,active,,320106195012120044\n"
         "B1,孙八,1950-12-12,,,,,local,active,04AAAA02,active,,\n",
         "line 3: id_number: differs from line 2, another row of person_id B1 (a person's "
         "columns must be the same on all their rows)"},
        {KIOSK_ROSTER_MODE_DELTA,
         "B1,孙八,1950-01-01,,,,,local,active,04AAAA01,active,,\n"
         "B1,孙八,1950-01-01,,,,,local,active,04AAAA01,lost,,\n",
         "line 3: card_status: differs from line 2, which has the same card"},
        {KIOSK_ROSTER_MODE_DELTA,
         "B1,孙八,1950-01-01,,,,,local,active,04AAAA01,active,C-1,\n"
         "B1,孙八,1950-01-01,,,,,local,active,04AAAA01,active,C-2,\n",
         "line 3: issuing_canteen: differs from line 2, which has the same card"},
        {KIOSK_ROSTER_MODE_FULL, "",
         "the file has no rows; a full import of it would make every person inactive"},
        {KIOSK_ROSTER_MODE_NONE, "B1,孙八,1950-01-01,,,,,local,active,04AAAA01,active,,\n",
         "no import mode: full (the file is the whole roster) or delta (only its rows change)"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        kiosk_rc rc = import_mode(s, bad[i].mode, bad[i].body, &r);
        CHECK_INT(rc, bad[i].mode == KIOSK_ROSTER_MODE_NONE ? KIOSK_ERR_INVALID : KIOSK_ERR_PARSE);
        CHECK_STR(roster_err, bad[i].message);
        CHECK(strstr(roster_err, "0195012") == NULL && strstr(roster_err, "AAAA") == NULL &&
              strstr(roster_err, "孙") == NULL);
        CHECK_INT(r.rows, 0); /* the report of a failed import is empty */
    }
    CHECK_INT(sql_long("clash.db", "SELECT count(*) FROM person"), 2);
    CHECK_INT(sql_long("clash.db", "SELECT count(*) FROM card"), 1);
    CHECK_INT(sql_long("clash.db", "SELECT count(*) FROM person WHERE active"), 2);

    /* With its holder in the file, the ID number moves: a number put on the wrong person is
     * corrected by naming both; A3's stored key is cleared, so the ID card finds B1 only. */
    kiosk_rc rc = import_mode(s, KIOSK_ROSTER_MODE_DELTA,
                              "A3,王五,1940-01-01,,,,,local,active,,,,\n"
                              "B1,孙八,1940-01-01,,,,,local,active,,,,110105194001010026\n",
                              &r);
    CHECK_INT(rc, KIOSK_OK);
    if (rc != KIOSK_OK)
        fprintf(stderr, "  %s\n", roster_err);
    CHECK_INT(r.persons_added, 1);
    CHECK_INT(r.persons_changed, 1);
    kiosk_holder h;
    CHECK_INT(holder_of_id(s, "110105194001010026", &h), KIOSK_OK);
    CHECK_STR(h.person_id, "B1");
    CHECK_INT(sql_long("clash.db", "SELECT count(*) FROM person WHERE id_key IS NOT NULL"), 1);
    kiosk_store_close(s);
}

/* A generated roster of n persons with a card each. Variant 1 is next month's file: one person
 * in a hundred changed, one in two hundred left out, a thousand new. */
static void write_big_roster(const char *path, long n, int variant)
{
    FILE *f = fopen(path, "w");
    CHECK(f != NULL);
    if (!f)
        return;
    fputs(roster_header, f);
    for (long i = 0; i < n; i++)
        if (!variant || i % 200 != 1)
            fprintf(f,
                    "P%07ld,王秀兰,1950-01-01,%s,320100,320102,320102001,local,active,"
                    "04%012lX,active,,\n",
                    i, variant && i % 100 == 0 ? "alone" : "", (unsigned long)i);
    for (long i = 0; variant && i < 1000; i++)
        fprintf(
            f, "N%07ld,李建国,1948-06-01,,320100,320102,320102001,local,active,05%012lX,active,,\n",
            i, (unsigned long)i);
    CHECK_INT(fclose(f), 0);
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

#define TAPS_MAX 200000

/* One meal commit beside the import: when it started and ended, and how. */
typedef struct tap_sample {
    double from, until;
    kiosk_rc rc;
} tap_sample;

/* What the importing child reports through its pipe. */
typedef struct import_window {
    kiosk_rc rc;
    long rows;
    double started, lock_from, lock_until, finished;
} import_window;

static tap_sample taps[TAPS_MAX];

/* Runs `kiosk_store_import_roster_mode` on csv in a child process (as the staff command runs
 * beside the kiosk) while this process commits a meal every 2 ms with the kiosk's 250 ms busy
 * timeout. Every meal may be refused as busy only while the import held the write lock. */
static void import_beside_taps(const char *db_name, const char *csv, kiosk_roster_mode mode,
                               const char *what)
{
    int fds[2];
    CHECK_INT(pipe(fds), 0);
    pid_t pid = fork();
    if (pid == 0) {
        close(fds[0]);
        import_window w = {.rc = KIOSK_ERR_IO};
        kiosk_store *s = NULL;
        char err[300] = "";
        FILE *f = fopen(csv, "rb");
        if (f && kiosk_store_open(path_in_dir(db_name), &s, err, sizeof err) == KIOSK_OK) {
            kiosk_roster_report r;
            w.rc = kiosk_store_import_roster_mode(s, f, today, mode, &r, err, sizeof err);
            w = (import_window){w.rc,           r.rows,          r.started_ms,
                                r.lock_from_ms, r.lock_until_ms, r.finished_ms};
        }
        if (w.rc != KIOSK_OK)
            fprintf(stderr, "  import: %s\n", err);
        if (f)
            fclose(f);
        kiosk_store_close(s);
        ssize_t n = write(fds[1], &w, sizeof w);
        _exit(n == (ssize_t)sizeof w ? 0 : 1);
    }
    close(fds[1]);
    kiosk_store *s = open_store(db_name);
    kiosk_store_set_busy_timeout(s, 250);
    size_t n = 0;
    struct pollfd done = {.fd = fds[0], .events = POLLIN};
    while (n < TAPS_MAX && poll(&done, 1, 0) == 0) {
        kiosk_meal_entry m = sample_meal(1795404600000LL + (int64_t)n, today, 690, 1500, 500);
        taps[n].from = now_ms();
        taps[n].rc = kiosk_store_add_meal(s, &m);
        taps[n].until = now_ms();
        n++;
        nanosleep(&(struct timespec){0, 2000000}, NULL);
    }
    import_window w = {.rc = KIOSK_ERR_IO};
    CHECK_INT(read(fds[0], &w, sizeof w), sizeof w);
    close(fds[0]);
    int status = -1;
    waitpid(pid, &status, 0);
    CHECK_INT(status, 0);
    CHECK_INT(w.rc, KIOSK_OK);
    kiosk_store_close(s);

    long ok = 0, ok_before_lock = 0, busy = 0, busy_outside = 0, other = 0;
    double longest_outside = 0;
    for (size_t i = 0; i < n; i++) {
        /* A commit that overlapped the lock may have waited for it; one outside must not. */
        bool overlaps = taps[i].until >= w.lock_from && taps[i].from <= w.lock_until;
        if (!overlaps && taps[i].until - taps[i].from > longest_outside)
            longest_outside = taps[i].until - taps[i].from;
        if (taps[i].rc == KIOSK_OK) {
            ok++;
            ok_before_lock += taps[i].until < w.lock_from;
        } else if (taps[i].rc == KIOSK_ERR_BUSY) {
            busy++;
            busy_outside += !overlaps;
        } else {
            other++;
        }
    }
    CHECK_INT(other, 0);
    CHECK_INT(busy_outside, 0);
    CHECK(ok_before_lock > 100); /* meals went on while the file was read and checked */
    fprintf(stderr,
            "  %s: %ld rows in %.0f ms; write lock held %.1f ms; %ld meals committed beside it "
            "(%ld before the lock), %ld busy (all during the lock); slowest commit outside the "
            "lock %.1f ms\n",
            what, w.rows, w.finished - w.started, w.lock_until - w.lock_from, ok, ok_before_lock,
            busy, longest_outside);
}

static void test_roster_import_beside_taps(void)
{
    const char *csv = path_in_dir("big.csv");
    kiosk_store *s = open_store("busy.db"); /* created and migrated before the two processes */
    kiosk_store_close(s);
    write_big_roster(csv, 200000, 0);
    import_beside_taps("busy.db", csv, KIOSK_ROSTER_MODE_FULL, "first import, 200,000 rows");
    write_big_roster(csv, 200000, 1);
    import_beside_taps("busy.db", csv, KIOSK_ROSTER_MODE_FULL, "next month, 1 % changed");
    CHECK_INT(sql_long("busy.db", "SELECT count(*) FROM person WHERE active"), 200000);
    CHECK_INT(sql_long("busy.db", "SELECT count(*) FROM person"), 201000);
    CHECK_INT(unlink(csv), 0);
}

static void test_meals(void)
{
    kiosk_store *s = open_store("meals.db");
    kiosk_meal_entry a = sample_meal(1795404600000LL, today, 690, 1500, 500);
    kiosk_meal_entry b = sample_meal(1795404600001LL, (kiosk_date){2026, 11, 1}, 700, 1500, 300);
    kiosk_meal_entry c = sample_meal(1795404600002LL, (kiosk_date){2026, 10, 31}, 700, 1500, 300);
    CHECK_INT(kiosk_store_add_meal(s, &a), KIOSK_OK);
    CHECK_INT(kiosk_store_add_meal(s, &b), KIOSK_OK);
    CHECK_INT(kiosk_store_add_meal(s, &c), KIOSK_OK);
    CHECK(kiosk_store_add_meal(s, &a) != KIOSK_OK); /* the same record id twice */
    kiosk_meal_entry bad = sample_meal(1795404600003LL, today, 700, 500, 800);
    CHECK(kiosk_store_add_meal(s, &bad) != KIOSK_OK); /* subsidy above price is refused */

    long meals, pending;
    CHECK_INT(kiosk_store_count_meals(s, &meals, &pending), KIOSK_OK);
    CHECK_INT(meals, 3);
    CHECK_INT(pending, 3);
    CHECK_INT(kiosk_store_checkpoint(s), KIOSK_OK); /* the main loop's idle-time checkpoint */
    bool exists = false;
    CHECK_INT(kiosk_store_has_meal(s, &a.record_id, &exists), KIOSK_OK);
    CHECK(exists);

    kiosk_meal_summary sum;
    CHECK_INT(kiosk_store_meal_summary(s, "p1", today, &sum), KIOSK_OK);
    CHECK_INT(sum.month_subsidy_fen, 800); /* 1 and 23 November; not 31 October */
    CHECK_INT(sum.day_count, 1);
    CHECK_INT(sum.type_count[KIOSK_MEAL_LUNCH], 1);
    CHECK(sum.has_last_of_type[KIOSK_MEAL_LUNCH]);
    CHECK_INT(sum.last_of_type[KIOSK_MEAL_LUNCH].at.minute_of_day, 690);
    CHECK_STR(sum.last_of_type[KIOSK_MEAL_LUNCH].canteen_id, "canteen-01");
    CHECK_INT(kiosk_store_meal_summary(s, "p2", today, &sum), KIOSK_OK);
    CHECK_INT(sum.month_subsidy_fen, 0);
    CHECK(!sum.has_last_of_day);

    kiosk_report r;
    CHECK_INT(kiosk_store_report(s, (kiosk_date){2026, 11, 1}, (kiosk_date){2026, 11, 30}, &r),
              KIOSK_OK);
    CHECK_INT(r.meals, 2);
    CHECK_INT(r.subsidy_fen, 800);
    CHECK_INT(r.pay_fen, 2200);
    CHECK_INT(r.funding_fen[KIOSK_LEVEL_CITY], 800);
    CHECK_INT(r.by_meal[KIOSK_MEAL_LUNCH].meals, 2);
    CHECK_INT(r.class_count, 1);
    CHECK_STR(r.by_class[0].key, "age80");

    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    CHECK_INT(kiosk_store_export_meals_csv(s, today, today, out), KIOSK_OK);
    fclose(out);
    CHECK(strncmp(buf, "record_id,business_date,local_time", 34) == 0);
    CHECK(strstr(buf, ",2026-11-23,11:30,k1,canteen-01,p1,age80,lunch,1500,500,1000,500,0,0,"
                      "test-1,counter,0,0,set,\n") != NULL);
    int lines = 0;
    for (char *p = buf; *p; p++)
        lines += *p == '\n';
    CHECK_INT(lines, 2);
    free(buf);
    kiosk_store_close(s);

    /* Append-only: neither the meal nor its pending outbox row can be changed or deleted. */
    sqlite3 *db;
    sqlite3_open(path_in_dir("meals.db"), &db);
    CHECK(sqlite3_exec(db, "UPDATE meal SET subsidy_fen = 0", NULL, NULL, NULL) != SQLITE_OK);
    CHECK(sqlite3_exec(db, "DELETE FROM outbox", NULL, NULL, NULL) != SQLITE_OK);
    CHECK(sqlite3_exec(db, "UPDATE outbox SET payload = '{}'", NULL, NULL, NULL) != SQLITE_OK);
    sqlite3_stmt *st;
    sqlite3_prepare_v2(db, "SELECT min(device_seq), max(device_seq), count(*) FROM outbox", -1, &st,
                       NULL);
    CHECK_INT(sqlite3_step(st), SQLITE_ROW);
    CHECK_INT(sqlite3_column_int(st, 0), 1);
    CHECK_INT(sqlite3_column_int(st, 1), 3); /* no gaps, even after the refused inserts */
    sqlite3_finalize(st);
    sqlite3_close(db);
}

/* The outbox as the sync worker reads it: pending rows in sequence order, bounded by count and
 * by payload bytes (never stuck on one large record), answers marked in one transaction. */
static void test_outbox_batches(void)
{
    kiosk_store *s = open_store("outbox.db");
    kiosk_outbox_stats st;
    CHECK_INT(kiosk_store_outbox_stats(s, &st), KIOSK_OK);
    CHECK_INT(st.pending, 0);
    CHECK(st.oldest_pending_ms == -1 && st.last_ack_ms == -1);
    kiosk_meal_entry m[5];
    for (int i = 0; i < 5; i++) {
        m[i] = sample_meal(1795404600000LL + i * 1000, today, 690 + i, 1500, 500);
        CHECK_INT(kiosk_store_add_meal(s, &m[i]), KIOSK_OK);
    }
    kiosk_outbox_batch b;
    CHECK_INT(kiosk_store_outbox_pending(s, 3, 1 << 20, &b), KIOSK_OK);
    CHECK_INT(b.count, 3);
    for (size_t i = 0; i < b.count; i++) {
        CHECK_INT(b.items[i].device_seq, (long long)i + 1);
        CHECK_STR(b.items[i].kind, "meal");
        CHECK(memcmp(b.items[i].record_id.bytes, m[i].record_id.bytes, 16) == 0);
        CHECK(strstr(b.items[i].payload, "\"subsidy_fen\":500") != NULL);
    }
    size_t one = strlen(b.items[0].payload);
    kiosk_outbox_batch_cleanup(&b);
    CHECK_INT(kiosk_store_outbox_pending(s, 10, one, &b), KIOSK_OK);
    CHECK_INT(b.count, 1); /* one record's bytes */
    kiosk_outbox_batch_cleanup(&b);
    CHECK_INT(kiosk_store_outbox_pending(s, 10, 1, &b), KIOSK_OK);
    CHECK_INT(b.count, 1); /* smaller than any record: still one, the queue moves */
    kiosk_outbox_batch_cleanup(&b);

    kiosk_outbox_result r[3] = {{m[0].record_id, KIOSK_OUTBOX_ACKED, NULL},
                                {m[1].record_id, KIOSK_OUTBOX_REJECTED, "schema"},
                                {m[2].record_id, KIOSK_OUTBOX_RETRY, "timeout"}};
    CHECK_INT(kiosk_store_outbox_mark(s, r, 3, 1795404700000LL), KIOSK_OK);
    CHECK_INT(kiosk_store_outbox_stats(s, &st), KIOSK_OK);
    CHECK_INT(st.pending, 3);
    CHECK_INT(st.rejected, 1);
    CHECK_INT(st.last_ack_ms, 1795404700000LL);
    CHECK_INT(st.oldest_pending_ms, m[2].created_utc_ms);
    CHECK_INT(kiosk_store_outbox_pending(s, 10, 1 << 20, &b), KIOSK_OK);
    CHECK_INT(b.count, 3); /* the retried one first, still in sequence order */
    CHECK_INT(b.items[0].device_seq, 3);
    CHECK_INT(b.items[0].attempts, 1);
    kiosk_outbox_batch_cleanup(&b);
    /* A marked row keeps its payload: the triggers refuse any change to it. */
    sqlite3 *db;
    sqlite3_open(path_in_dir("outbox.db"), &db);
    CHECK(sqlite3_exec(db, "UPDATE outbox SET payload = '{}' WHERE device_seq = 1", NULL, NULL,
                       NULL) != SQLITE_OK);
    CHECK(sqlite3_exec(db, "DELETE FROM outbox WHERE state = 'rejected'", NULL, NULL, NULL) !=
          SQLITE_OK);
    sqlite3_close(db);
    kiosk_store_close(s);
}

/* The apply functions the import and sync's pulls share: upserts change rows in place, deletes
 * are tombstones (the person's meals stay), all inside one transaction or none. */
static void test_apply_functions(void)
{
    kiosk_store *s = open_store("apply.db");
    kiosk_person_row p = {.person = {.birth = {1940, 1, 2}, .active = true, .local_hukou = true}};
    snprintf(p.person_id, sizeof p.person_id, "AP-1");
    snprintf(p.name_masked, sizeof p.name_masked, "王*明");
    kiosk_card_row c = {.info = {.blocked = false}};
    uint8_t uid[4] = {1, 2, 3, 4};
    kiosk_store_card_key(s, uid, 4, c.card_key);
    snprintf(c.person_id, sizeof c.person_id, "AP-1");
    CHECK_INT(kiosk_store_begin(s), KIOSK_OK);
    CHECK_INT(kiosk_store_upsert_person(s, &p), KIOSK_OK);
    CHECK_INT(kiosk_store_upsert_card(s, &c), KIOSK_OK);
    CHECK_INT(kiosk_store_commit(s), KIOSK_OK);
    kiosk_holder h;
    CHECK_INT(kiosk_store_find_card(s, c.card_key, &h), KIOSK_OK);
    CHECK_STR(h.name_masked, "王*明");
    CHECK(!h.card.blocked);
    /* A pull blocks the card: the next lookup sees it. */
    c.info.blocked = true;
    CHECK_INT(kiosk_store_begin(s), KIOSK_OK);
    CHECK_INT(kiosk_store_upsert_card(s, &c), KIOSK_OK);
    CHECK_INT(kiosk_store_commit(s), KIOSK_OK);
    CHECK_INT(kiosk_store_find_card(s, c.card_key, &h), KIOSK_OK);
    CHECK(h.card.blocked);
    /* A rolled-back page changes nothing. */
    CHECK_INT(kiosk_store_begin(s), KIOSK_OK);
    CHECK_INT(kiosk_store_delete_card(s, c.card_key), KIOSK_OK);
    kiosk_store_rollback(s);
    CHECK_INT(kiosk_store_find_card(s, c.card_key, &h), KIOSK_OK);
    /* A tombstone for the person takes the cards with it; a meal of theirs stays. */
    kiosk_meal_entry m = sample_meal(1795404600000LL, today, 690, 1500, 500);
    snprintf(m.person_id, sizeof m.person_id, "AP-1");
    CHECK_INT(kiosk_store_add_meal(s, &m), KIOSK_OK);
    CHECK_INT(kiosk_store_begin(s), KIOSK_OK);
    CHECK_INT(kiosk_store_delete_person(s, "AP-1"), KIOSK_OK);
    CHECK_INT(kiosk_store_commit(s), KIOSK_OK);
    CHECK_INT(kiosk_store_find_card(s, c.card_key, &h), KIOSK_ERR_NOT_FOUND);
    bool exists = false;
    CHECK_INT(kiosk_store_has_meal(s, &m.record_id, &exists), KIOSK_OK);
    CHECK(exists);
    kiosk_store_rollback(s); /* outside a transaction: nothing to do, no error */
    kiosk_store_close(s);
}

/* A thousand meals of one person in a month: the store's sums and counts are exact, and equal
 * to what kiosk_meal_summarize makes of the same records (no buffer, no cut history). */
static void test_summary_at_scale(void)
{
    kiosk_store *s = open_store("many.db");
    static kiosk_meal_record recs[1000];
    static const kiosk_meal_type types[] = {KIOSK_MEAL_BREAKFAST, KIOSK_MEAL_LUNCH,
                                            KIOSK_MEAL_DINNER};
    int64_t expect_month = 0;
    for (int i = 0; i < 1000; i++) {
        kiosk_date d = {2026, 11, 1 + i % 30};
        int64_t subsidy = i % 7 == 0 ? 0 : 100 + i % 50; /* some full-price meals */
        kiosk_meal_entry m = sample_meal(1795404600000LL + i, d, 420 + i % 3 * 300, 1500, subsidy);
        m.decision.meal_type = types[i % 3];
        m.decision.canteen_fen = subsidy >= 10 && i % 5 == 0 ? 10 : 0;
        m.decision.funding_fen[KIOSK_LEVEL_CITY] = subsidy - m.decision.canteen_fen;
        m.decision.day_subsidy_fen = i % 11 == 0 ? subsidy : 0;
        CHECK_INT(kiosk_store_add_meal(s, &m), KIOSK_OK);
        recs[i] = (kiosk_meal_record){.at = m.at,
                                      .meal_type = m.decision.meal_type,
                                      .subsidy_fen = subsidy,
                                      .canteen_fen = m.decision.canteen_fen,
                                      .day_subsidy_fen = m.decision.day_subsidy_fen};
        snprintf(recs[i].canteen_id, sizeof recs[i].canteen_id, "canteen-01");
        expect_month += subsidy > 0 ? subsidy - m.decision.canteen_fen : 0;
    }
    kiosk_date day = {2026, 11, 23};
    kiosk_meal_summary got, want = kiosk_meal_summarize(recs, 1000, day);
    CHECK_INT(kiosk_store_meal_summary(s, "p1", day, &got), KIOSK_OK);
    CHECK_INT(got.month_subsidy_fen, expect_month);
    CHECK_INT(got.month_subsidy_fen, want.month_subsidy_fen);
    CHECK_INT(got.day_subsidy_given_fen, want.day_subsidy_given_fen);
    CHECK_INT(got.day_count, want.day_count);
    CHECK(got.day_count > 20); /* 1000 meals over 30 days: 33 or 34 on the 23rd, less the free */
    for (int t = 0; t < KIOSK_MEAL_COUNT; t++) {
        CHECK_INT(got.type_count[t], want.type_count[t]);
        CHECK_INT(got.has_last_of_type[t], want.has_last_of_type[t]);
        CHECK_INT(got.last_of_type[t].at.minute_of_day, want.last_of_type[t].at.minute_of_day);
    }
    CHECK_INT(got.last_of_day.at.minute_of_day, want.last_of_day.at.minute_of_day);
    kiosk_store_close(s);
}

/* The database file deleted or replaced while the kiosk runs: a commit would land in a file
 * nobody reads again, so it is refused and no meal is shown as stored. */
static void test_file_replaced(void)
{
    kiosk_store *s = open_store("gone.db");
    kiosk_meal_entry m = sample_meal(1795404600000LL, today, 690, 1500, 500);
    CHECK_INT(kiosk_store_add_meal(s, &m), KIOSK_OK);
    CHECK_INT(unlink(path_in_dir("gone.db")), 0);
    m = sample_meal(1795404600001LL, today, 691, 1500, 500);
    CHECK_INT(kiosk_store_add_meal(s, &m), KIOSK_ERR_GONE);
    CHECK(strstr(kiosk_store_errmsg(s), "deleted or replaced") != NULL);
    kiosk_store_close(s);
    /* Replaced by another file at the same path. */
    s = open_store("swap.db");
    kiosk_store *other = open_store("swap2.db");
    kiosk_store_close(other);
    CHECK_INT(rename(path_in_dir("swap2.db"), path_in_dir("swap.db")), 0);
    m = sample_meal(1795404600002LL, today, 692, 1500, 500);
    CHECK_INT(kiosk_store_add_meal(s, &m), KIOSK_ERR_GONE);
    kiosk_store_close(s);
}

/* The disk fills up: writes fail, add_meal reports it, and every meal it accepted is there. */
static void test_disk_full(void)
{
    kiosk_store *s = open_store("full.db");
    signal(SIGXFSZ, SIG_IGN);
    struct rlimit old, lim;
    getrlimit(RLIMIT_FSIZE, &old);
    lim = old;
    lim.rlim_cur = 1024 * 1024; /* the WAL (several pages a meal) hits this after dozens */
    setrlimit(RLIMIT_FSIZE, &lim);
    int ok = 0;
    kiosk_rc rc = KIOSK_OK;
    for (int i = 0; i < 5000 && rc == KIOSK_OK; i++) {
        kiosk_meal_entry m = sample_meal(1795404600000LL + i, today, 690, 1500, 500);
        rc = kiosk_store_add_meal(s, &m);
        if (rc == KIOSK_OK)
            ok++;
    }
    setrlimit(RLIMIT_FSIZE, &old);
    CHECK(rc == KIOSK_ERR_FULL || rc == KIOSK_ERR_IO);
    fprintf(stderr, "disk full after %d meals (rc %d)\n", ok, (int)rc);
    CHECK(ok > 10);
    kiosk_store_close(s);
    s = open_store("full.db");
    long meals = 0, pending = 0;
    CHECK_INT(kiosk_store_count_meals(s, &meals, &pending), KIOSK_OK);
    CHECK_INT(meals, ok);
    CHECK_INT(pending, ok);
    kiosk_meal_entry m = sample_meal(1795404700000LL, today, 690, 1500, 500);
    CHECK_INT(kiosk_store_add_meal(s, &m), KIOSK_OK); /* space again: service resumes */
    kiosk_store_close(s);
}

/* A damaged database is set aside and what can be read comes back: here an index page is
 * broken, so every table is still readable and nothing may be lost, the card key included; the
 * recovery knows it is complete because SQLite counts every table in the damaged copy. */
static void test_recover(void)
{
    kiosk_store *s = open_store("rec.db");
    char err[256];
    kiosk_import_stats stats;
    CHECK_INT(import_text(s,
                          "p1,张秀兰,1946-03-12,,320100,320102,320102002,local,active,04A1B2C3,"
                          "active,,\n",
                          err, sizeof err, &stats),
              KIOSK_OK);
    for (int i = 0; i < 300; i++) {
        kiosk_meal_entry m = sample_meal(1795404600000LL + i, today, 690, 1500, 500);
        CHECK_INT(kiosk_store_add_meal(s, &m), KIOSK_OK);
    }
    kiosk_store_close(s);

    sqlite3 *db;
    sqlite3_open(path_in_dir("rec.db"), &db);
    sqlite3_stmt *st;
    sqlite3_prepare_v2(db, "SELECT rootpage FROM sqlite_schema WHERE name = 'meal_by_date'", -1,
                       &st, NULL);
    CHECK_INT(sqlite3_step(st), SQLITE_ROW);
    long page = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    FILE *f = fopen(path_in_dir("rec.db"), "r+b");
    fseek(f, 4096L * (page - 1), SEEK_SET);
    for (int i = 0; i < 12; i++)
        fputc(0xA5, f); /* not a b-tree page type any more */
    fclose(f);

    kiosk_store_check *check = NULL;
    CHECK_INT(kiosk_store_check_open(path_in_dir("rec.db"), &check, err, sizeof err), KIOSK_OK);
    CHECK_INT(kiosk_store_check_run(check, err, sizeof err), KIOSK_ERR_CORRUPT);
    kiosk_store_check_close(check);
    kiosk_recovery rec;
    CHECK_INT(kiosk_store_recover(path_in_dir("rec.db"), &rec, err, sizeof err), KIOSK_OK);
    CHECK(rec.complete);
    CHECK_INT(rec.pages_unreadable, 1);
    CHECK_INT(rec.persons, 1);
    CHECK_INT(rec.cards, 1);
    CHECK_INT(rec.meals, 300);
    CHECK_INT(rec.outbox, 300);
    struct stat sb;
    CHECK(stat(rec.aside_path, &sb) == 0); /* the damaged file is kept */
    CHECK(strstr(rec.aside_path, "rec.db.damaged-") != NULL);

    s = open_store("rec.db");
    long meals = 0, pending = 0;
    CHECK_INT(kiosk_store_count_meals(s, &meals, &pending), KIOSK_OK);
    CHECK_INT(meals, 300);
    CHECK_INT(pending, 300);
    uint8_t key[KIOSK_CARD_KEY_BYTES];
    static const uint8_t uid[] = {0x04, 0xA1, 0xB2, 0xC3};
    kiosk_store_card_key(s, uid, sizeof uid, key);
    kiosk_holder h;
    CHECK_INT(kiosk_store_find_card(s, key, &h), KIOSK_OK); /* same card key as before */
    kiosk_meal_entry m = sample_meal(1795404700000LL, today, 700, 1500, 500);
    CHECK_INT(kiosk_store_add_meal(s, &m), KIOSK_OK); /* the sequence goes on after 300 */
    kiosk_store_close(s);

    /* Not a database at all: set aside, and a fresh empty store takes its place. */
    f = fopen(path_in_dir("junk2.db"), "w");
    for (int i = 0; i < 2000; i++)
        fputs("this is not a database ", f);
    fclose(f);
    CHECK_INT(kiosk_store_recover(path_in_dir("junk2.db"), &rec, err, sizeof err), KIOSK_OK);
    CHECK(!rec.complete);
    CHECK_INT(rec.meals, 0);
    s = open_store("junk2.db");
    CHECK_INT(kiosk_store_count_meals(s, &meals, &pending), KIOSK_OK);
    CHECK_INT(meals, 0);
    kiosk_store_close(s);
}

/* Policy versions are stored, replaced by version and loaded back; a bad one is refused whole. */
static void test_policies(void)
{
    kiosk_store *s = open_store("policy.db");
    static const char v1[] =
        "{\"version\": \"t-1\", \"effective_from\": \"2026-01-01\", \"meals\": {\"lunch\":"
        " {\"start\": \"11:00\", \"end\": \"13:00\", \"price_fen\": 1500}}}";
    static const char v2[] =
        "{\"version\": \"t-2\", \"effective_from\": \"2026-07-01\", \"meals\": {\"lunch\":"
        " {\"start\": \"11:00\", \"end\": \"13:30\", \"price_fen\": 1600}}}";
    char err[256];
    kiosk_clock_set_ms(1795404600000LL);
    CHECK_INT(kiosk_store_put_policy(s, v1, strlen(v1), err, sizeof err), KIOSK_OK);
    CHECK_INT(kiosk_store_put_policy(s, v2, strlen(v2), err, sizeof err), KIOSK_OK);
    CHECK_INT(kiosk_store_put_policy(s, v2, strlen(v2), err, sizeof err), KIOSK_OK); /* again */
    CHECK(kiosk_store_put_policy(s, "{\"version\": 3}", 14, err, sizeof err) != KIOSK_OK);
    CHECK(err[0] != '\0');
    kiosk_policy_set *set = NULL;
    CHECK_INT(kiosk_store_load_policies(s, &set), KIOSK_OK);
    const kiosk_policy *p = set ? kiosk_policy_set_in_force(set, (kiosk_date){2026, 3, 1}) : NULL;
    CHECK(p != NULL);
    if (p)
        CHECK_STR(kiosk_policy_version(p), "t-1");
    p = set ? kiosk_policy_set_in_force(set, today) : NULL;
    CHECK(p != NULL);
    if (p)
        CHECK_STR(kiosk_policy_version(p), "t-2");
    kiosk_policy_set_free(set);
    kiosk_store_close(s);

    sqlite3 *db;
    sqlite3_open(path_in_dir("policy.db"), &db);
    sqlite3_stmt *st;
    sqlite3_prepare_v2(db, "SELECT count(*), min(stored_utc_ms) FROM policy", -1, &st, NULL);
    CHECK_INT(sqlite3_step(st), SQLITE_ROW);
    CHECK_INT(sqlite3_column_int(st, 0), 2);
    CHECK(sqlite3_column_int64(st, 1) >= 1795404600000LL); /* stamped with the kiosk's clock */
    sqlite3_finalize(st);
    sqlite3_close(db);
    kiosk_clock_reset();
}

int main(void)
{
    if (!(dir = check_scratch_dir("kiosk-store")))
        return 1;
    CHECK_INT(kiosk_clock_set_zone("Asia/Shanghai"), KIOSK_OK);
    test_open_migrate_durable();
    test_corrupt();
    test_recover();
    test_roster_import();
    test_roster_modes();
    test_roster_conflicts();
    test_roster_import_beside_taps();
    test_meals();
    test_policies();
    test_outbox_batches();
    test_apply_functions();
    test_summary_at_scale();
    test_file_replaced();
    test_disk_full();
    check_scratch_remove(dir);
    CHECK_DONE();
}
