/* test_recovery_hall.c - the marriage hall's tables through a database recovery, on a real SQLite
 * file: one data page of each (appointment, checkin, queue_call, calendar_year, calendar_day)
 * overwritten in turn, then an index page, then recovered. Every other row must come back exactly
 * as it was (compared column by column with the undamaged file); the check-ins of a lost page come
 * back from their outbox rows with the same numbers, so a couple checked in before is given its
 * number again and the next ticket repeats none; the recovery is reported incomplete (with the
 * staff notice) exactly when rows were lost for good. The rows expected back are counted in the
 * undamaged file and on the damaged page itself. */
#define _POSIX_C_SOURCE 200809L
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "caltime.h"
#include "check.h"
#include "clock.h"
#include "db_pages.h"
#include "hall.h"
#include "store.h"
#include "workcal.h"

#define APPTS   240 /* each checked in: appointment and checkin span several pages */
#define WALKINS 160
#define CALLS   360             /* queue_call spans several pages too */
#define YEARS   32              /* 2000 .. 2031, KIOSK_WORKCAL_YEARS_MAX */
#define RESTS   20              /* rest days listed per year, with long notes */
#define T0      1795404600000LL /* 2026-11-23 03:30 UTC */

static const char *dir;
static const kiosk_date today = {2026, 11, 23};

static const char *path_in_dir(const char *name)
{
    static char path[4][512];
    static int next;
    char *p = path[next++ % 4];
    snprintf(p, 512, "%s/%s", dir, name);
    return p;
}

/* One integer from path, with the undamaged file attached as p when pristine is given. */
static long count_in(const char *path, const char *pristine, const char *sql)
{
    sqlite3 *db;
    sqlite3_stmt *st;
    long v = -1;
    sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL);
    if (pristine) {
        char attach[700];
        snprintf(attach, sizeof attach, "ATTACH 'file:%s?mode=ro' AS p", pristine);
        sqlite3_db_config(db, SQLITE_DBCONFIG_ENABLE_TRIGGER, 0, NULL);
        CHECK_INT(sqlite3_exec(db, attach, NULL, NULL, NULL), SQLITE_OK);
    }
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
        v = (long)sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return v;
}

/* --- the database the tests damage ------------------------------------------------------- */

static void appointment_of(int i, kiosk_appointment *a)
{
    memset(a, 0, sizeof *a);
    snprintf(a->id, sizeof a->id, "APPT-%04d", i);
    snprintf(a->booking_no, sizeof a->booking_no, "2026112300%04d", i);
    a->service = KIOSK_SERVICE_MARRIAGE;
    a->date = today;
    a->slot_start = 540 + (i % 8) * 30;
    a->slot_end = a->slot_start + 30;
    a->lane = i % 10 == 0 ? KIOSK_LANE_PRIORITY : KIOSK_LANE_BOOKED;
    a->party_count = 2;
    for (int p = 0; p < 2; p++) {
        memset(a->party[p].key, 0x11 * (p + 1), sizeof a->party[p].key);
        a->party[p].key[0] = (uint8_t)i;
        a->party[p].key[1] = (uint8_t)(i >> 8);
        snprintf(a->party[p].name_masked, sizeof a->party[p].name_masked, "%s",
                 p ? "李*红" : "张*明");
        a->party[p].sex = p ? 'F' : 'M';
        a->party[p].has_birth = true;
        a->party[p].birth = (kiosk_date){1990 + i % 10, 1 + i % 12, 1 + i % 28};
    }
    a->status = KIOSK_APPT_BOOKED;
}

static kiosk_rc ticket(kiosk_store *s, int i, const char *appointment, kiosk_checkin_entry *out,
                       bool *existing)
{
    kiosk_ticket_request req = {
        .appointment_id = appointment,
        .service = KIOSK_SERVICE_MARRIAGE,
        .lane = appointment ? KIOSK_LANE_BOOKED : KIOSK_LANE_WALKIN,
        .prefix = 'J',
        .numbering = {1, 1},
        .kiosk_id = "hall-k1",
        .now_utc_ms = T0 + i * 1000LL,
        .at = {today, 570 + i / 60, i % 60},
    };
    return kiosk_store_issue_ticket(s, &req, out, existing);
}

static void build(const char *path)
{
    kiosk_store *s = NULL;
    char err[300] = "";
    CHECK_INT(kiosk_store_open(path, &s, err, sizeof err), KIOSK_OK);
    if (!s)
        return;
    CHECK_INT(kiosk_store_begin(s), KIOSK_OK);
    for (int i = 0; i < APPTS; i++) {
        kiosk_appointment a;
        appointment_of(i, &a);
        CHECK_INT(kiosk_store_upsert_appointment(s, &a, T0), KIOSK_OK);
    }
    /* Long notes so that the rest days fill several pages. */
    static kiosk_workcal cal;
    kiosk_workcal_init(&cal);
    for (int y = 2000; y < 2000 + YEARS; y++) {
        CHECK_INT(kiosk_workcal_add_year(&cal, y), KIOSK_OK);
        int listed = 0;
        for (int64_t d = kiosk_date_to_days((kiosk_date){y, 1, 1}); listed < RESTS; d++) {
            kiosk_date day = kiosk_date_from_days(d);
            if (kiosk_date_weekday(day) >= 5)
                continue;
            char note[KIOSK_WORKCAL_NOTE_MAX];
            snprintf(note, sizeof note, "rest day %d of %d, listed in the State Council notice",
                     listed, y);
            CHECK_INT(kiosk_workcal_set_day(&cal, day, false, note), KIOSK_OK);
            listed++;
        }
    }
    CHECK_INT(kiosk_store_apply_calendar(s, &cal, T0), KIOSK_OK);
    CHECK_INT(kiosk_store_commit(s), KIOSK_OK);

    /* Booked couples and walk-ins in turn, so each page holds both. */
    int n = 0;
    for (int i = 0; i < APPTS; i++) {
        char id[KIOSK_ID_MAX];
        snprintf(id, sizeof id, "APPT-%04d", i);
        kiosk_checkin_entry e;
        bool existing = true;
        CHECK_INT(ticket(s, n++, id, &e, &existing), KIOSK_OK);
        CHECK(!existing);
        if (i < WALKINS) {
            CHECK_INT(ticket(s, n++, NULL, &e, &existing), KIOSK_OK);
            CHECK(!existing);
        }
    }
    for (int i = 0; i < CALLS; i++) {
        kiosk_queue_call call;
        CHECK_INT(kiosk_store_call_next(s, today, 1 + i % 6, "", "board", T0 + 900000 + i, &call),
                  KIOSK_OK);
    }
    kiosk_store_close(s); /* checkpoints: everything is in the main file */
}

static const char *const tables[] = {"appointment", "checkin", "queue_call", "calendar_year",
                                     "calendar_day"};
#define TABLES (sizeof tables / sizeof tables[0])

/* Damages a leaf of the b-tree `tree` (a table, or an index when of_table names its table). */
static void test_page(const char *pristine, const char *tree, const char *of_table)
{
    char name[64];
    snprintf(name, sizeof name, "%s.db", tree);
    const char *path = path_in_dir(name);
    size_t len;
    unsigned char *bytes = db_read_all(pristine, &len);
    db_write_all(path, bytes, len);
    unsigned root = db_root_of(path, tree);
    unsigned leaf = db_middle_leaf(bytes, root);
    free(bytes);
    unsigned lost = db_damage_page(path, leaf);
    CHECK(lost > 0);
    /* Rows lost for good: those of a table's own page, but check-ins come back from the outbox. */
    long gone = of_table || strcmp(tree, "checkin") == 0 ? 0 : (long)lost;

    long had[TABLES];
    for (size_t t = 0; t < TABLES; t++) {
        char sql[100];
        snprintf(sql, sizeof sql, "SELECT count(*) FROM %s", tables[t]);
        had[t] = count_in(pristine, NULL, sql);
    }
    CHECK_INT(had[0], APPTS);
    CHECK_INT(had[1], APPTS + WALKINS);
    CHECK_INT(had[2], CALLS);
    CHECK_INT(had[3], YEARS);
    CHECK_INT(had[4], YEARS * RESTS);

    kiosk_recovery rec;
    char err[300] = "";
    kiosk_rc rc = kiosk_store_recover(path, &rec, err, sizeof err);
    CHECK_INT(rc, KIOSK_OK);
    if (rc != KIOSK_OK) {
        fprintf(stderr, "  %s: %s\n", tree, err);
        return;
    }
    bool own = !of_table;
    CHECK_INT(rec.appointments, had[0] - (own && strcmp(tree, "appointment") == 0 ? gone : 0));
    CHECK_INT(rec.checkins, had[1]);
    CHECK_INT(rec.checkins_restored, own && strcmp(tree, "checkin") == 0 ? (long)lost : 0);
    CHECK_INT(rec.calls, had[2] - (own && strcmp(tree, "queue_call") == 0 ? gone : 0));
    CHECK_INT(rec.calendar_days, had[4] - (own && strcmp(tree, "calendar_day") == 0 ? gone : 0));
    CHECK_INT(rec.outbox, count_in(pristine, NULL, "SELECT count(*) FROM outbox"));
    /* One page lost and no record refused: none was claimed by another table's shape (an index
     * entry or another table's row taken for a hall row would be refused by the STRICT table). */
    CHECK_INT(rec.pages_unreadable, 1);
    CHECK_INT(rec.rows_skipped, 0);
    /* Incomplete exactly when rows are gone for good, and staff are told. */
    CHECK(rec.complete == (gone == 0));
    if (rec.complete != (gone == 0))
        fprintf(stderr, "  %s: complete %d, %ld rows gone\n", tree, rec.complete, gone);

    /* Every row that came back is the undamaged file's, column for column (a call keeps its
     * number, a check-in its source), and only the damaged page's rows are missing. */
    for (size_t t = 0; t < TABLES; t++) {
        char sql[200];
        snprintf(sql, sizeof sql,
                 "SELECT count(*) FROM (SELECT * FROM main.%s EXCEPT SELECT * FROM p.%s)",
                 tables[t], tables[t]);
        CHECK_INT(count_in(path, pristine, sql), 0);
        snprintf(sql, sizeof sql,
                 "SELECT count(*) FROM (SELECT * FROM p.%s EXCEPT SELECT * FROM main.%s)",
                 tables[t], tables[t]);
        long missing = count_in(path, pristine, sql);
        CHECK_INT(missing, own && strcmp(tree, tables[t]) == 0 ? gone : 0);
    }

    kiosk_store *s = NULL;
    CHECK_INT(kiosk_store_open(path, &s, err, sizeof err), KIOSK_OK);
    if (!s)
        return;
    char notice[64] = "?";
    CHECK_INT(kiosk_store_staff_notice(s, notice, sizeof notice), KIOSK_OK);
    CHECK_STR(notice, gone ? KIOSK_NOTICE_RECOVERY_INCOMPLETE : "");

    /* Every couple checked in before is given the number they had, not a second one. */
    sqlite3 *p;
    CHECK_INT(sqlite3_open_v2(pristine, &p, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    sqlite3_stmt *st;
    CHECK_INT(sqlite3_prepare_v2(p,
                                 "SELECT appointment_id, number FROM checkin"
                                 " WHERE appointment_id <> '' ORDER BY appointment_id",
                                 -1, &st, NULL),
              SQLITE_OK);
    int again = 0, same = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        const char *id = (const char *)sqlite3_column_text(st, 0);
        const char *number = (const char *)sqlite3_column_text(st, 1);
        kiosk_checkin_entry e;
        bool existing = false;
        CHECK_INT(ticket(s, 1000 + again++, id, &e, &existing), KIOSK_OK);
        CHECK(existing);
        same += strcmp(e.number, number) == 0;
    }
    sqlite3_finalize(st);
    sqlite3_close(p);
    CHECK_INT(again, APPTS);
    CHECK_INT(same, APPTS);

    /* The next ticket repeats no number issued before the damage. */
    kiosk_checkin_entry next;
    bool existing = true;
    CHECK_INT(ticket(s, 2000, NULL, &next, &existing), KIOSK_OK);
    CHECK(!existing);
    kiosk_store_close(s);
    char sql[200];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM p.checkin WHERE number = '%s'", next.number);
    CHECK_INT(count_in(path, pristine, sql), 0);
    snprintf(sql, sizeof sql, "SELECT count(*) FROM main.checkin WHERE number = '%s'", next.number);
    CHECK_INT(count_in(path, pristine, sql), 1);
}

int main(void)
{
    if (!(dir = check_scratch_dir("kiosk-recovery-hall")))
        return 1;
    CHECK_INT(kiosk_clock_set_zone("Asia/Shanghai"), KIOSK_OK);
    static char pristine[512];
    snprintf(pristine, sizeof pristine, "%s", path_in_dir("pristine.db"));
    build(pristine);
    /* The tables meant to span several pages do: their roots are interior pages. */
    size_t len;
    unsigned char *bytes = db_read_all(pristine, &len);
    CHECK(bytes != NULL);
    if (!bytes)
        return 1;
    CHECK_INT(db_page_header(bytes, db_root_of(pristine, "appointment"))[0], 0x05);
    CHECK_INT(db_page_header(bytes, db_root_of(pristine, "checkin"))[0], 0x02);
    CHECK_INT(db_page_header(bytes, db_root_of(pristine, "queue_call"))[0], 0x05);
    CHECK_INT(db_page_header(bytes, db_root_of(pristine, "calendar_day"))[0], 0x05);
    free(bytes);
    for (size_t i = 0; i < TABLES; i++)
        test_page(pristine, tables[i], NULL);
    /* A lost index page loses no row: complete. */
    test_page(pristine, "appointment_by_party1", "appointment");
    check_scratch_remove(dir);
    CHECK_DONE();
}
