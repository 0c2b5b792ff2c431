/* test_recovery_staff.c - staff mode's tables through a database recovery, on a real SQLite file:
 * one data page of each (staff, staff_card, staff_lock, audit, meal_void) overwritten in turn,
 * then recovered. Every other row must come back: the staff still sign in with their cards, a
 * locked card stays locked, voided meals stay voided, and the audit chain keeps its numbers and
 * verifies: the entries of a lost audit page come back from their outbox rows, and when those
 * were acknowledged and removed before the damage, verification names the first one missing.
 * The rows expected back are counted in the undamaged file and on the damaged page itself. */
#define _POSIX_C_SOURCE 200809L
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "clock.h"
#include "db_pages.h"
#include "db_query.h"
#include "help_call.h"
#include "hex.h"
#include "recid.h"
#include "sample_lunch.h"
#include "staff.h"
#include "staff_store.h"
#include "store.h"

#define STAFF   150 /* S0000 .. S0149, one card each: staff and staff_card span several pages */
#define MEALS   300
#define VOIDS   200             /* the first VOIDS meals are voided, each with its audit entry */
#define T0      1795404600000LL /* 2026-11-23 03:30 UTC */
#define LOCK_MS (5 * 60 * 1000)
#define LOCKED  7 /* the member whose card five wrong PINs lock */

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

static long count_in(const char *path, const char *sql)
{
    return db_query_long(path, sql);
}

/* --- b-tree pages, read by hand ---------------------------------------------------------- */

/* The first rowid on a table leaf page: the first cell is a payload-size varint, then the
 * rowid varint. */
static long first_rowid(const unsigned char *db, unsigned page)
{
    const unsigned char *p =
        db + (size_t)(page - 1) * DB_PAGE + db_get16(db_page_header(db, page) + 5 + 3);
    while (*p & 0x80)
        p++;
    p++;
    long v = 0;
    for (int i = 0; i < 8; i++, p++) {
        v = v << 7 | (*p & 0x7f);
        if (!(*p & 0x80))
            break;
    }
    return v;
}

/* --- the database the tests damage ------------------------------------------------------- */

static void staff_card_key(kiosk_store *s, int i, uint8_t key[KIOSK_CARD_KEY_BYTES])
{
    char hex[16];
    snprintf(hex, sizeof hex, "5AF1%04X", (unsigned)i);
    uint8_t uid[KIOSK_UID_MAX];
    int n = kiosk_card_uid_from_hex(hex, strlen(hex), uid);
    CHECK(n > 0);
    kiosk_store_card_key(s, uid, n > 0 ? (size_t)n : 0, key);
}

static kiosk_meal_entry meal_of(int i)
{
    char person[16];
    snprintf(person, sizeof person, "P%05d", i);
    return sample_lunch(person, "k1", "canteen-01", T0 + i, today);
}

static void build(const char *path)
{
    kiosk_store *s = NULL;
    char err[300] = "";
    CHECK_INT(kiosk_store_open(path, &s, err, sizeof err), KIOSK_OK);
    if (!s)
        return;
    char hash[KIOSK_PIN_HASH_MAX];
    CHECK_INT(kiosk_staff_pin_hash("1234", hash), KIOSK_OK);
    size_t cap = 64 + (size_t)STAFF * 200, used = 0;
    char *csv = malloc(cap);
    used += (size_t)snprintf(csv, cap, "staff_id,name,role,card_uids,pin_hash,status\n");
    for (int i = 0; i < STAFF; i++)
        used += (size_t)snprintf(csv + used, cap - used, "S%04d,王小红,%s,5AF1%04X,\"%s\",active\n",
                                 i, i % 10 == 0 ? "supervisor" : "operator", (unsigned)i, hash);
    kiosk_staff_import_stats stats;
    CHECK_INT(kiosk_store_import_staff(s, csv, used, &stats, err, sizeof err), KIOSK_OK);
    CHECK_STR(err, "");
    free(csv);

    static kiosk_recid ids[MEALS];
    for (int i = 0; i < MEALS; i++) {
        kiosk_meal_entry m = meal_of(i);
        ids[i] = m.record_id;
        CHECK_INT(kiosk_store_add_meal(s, &m), KIOSK_OK);
    }
    kiosk_staff_actor op = {.role = KIOSK_STAFF_OPERATOR};
    snprintf(op.staff_id, sizeof op.staff_id, "S0001");
    snprintf(op.kiosk_id, sizeof op.kiosk_id, "k1");
    for (int i = 0; i < VOIDS; i++) {
        kiosk_recid v;
        CHECK_INT(kiosk_store_void_meal(s, &op, &ids[i], "wrong_person", today, T0 + 1000 + i, &v),
                  KIOSK_OK);
    }
    uint8_t key[KIOSK_CARD_KEY_BYTES];
    staff_card_key(s, LOCKED, key);
    kiosk_staff_member who;
    kiosk_staff_lock lock;
    for (int i = 0; i < KIOSK_STAFF_PIN_TRIES; i++)
        CHECK_INT(
            kiosk_store_staff_sign_in(s, key, "0000", T0 + 5000 + i, LOCK_MS, "k1", &who, &lock),
            KIOSK_ERR_DENIED);
    CHECK(lock.locked_until_ms > T0);
    /* A diner's call for help and its answer: outbox rows of their own kinds. */
    kiosk_recid call;
    CHECK_INT(kiosk_store_help_call(s, "k1", T0 + 6000, &call), KIOSK_OK);
    CHECK_INT(kiosk_store_help_call_answer(s, "S0001", T0 + 7000, NULL), KIOSK_OK);
    kiosk_store_close(s); /* checkpoints: everything is in the main file */
}

typedef struct want {
    long staff, staff_cards, staff_locks, audit, voids;
} want;

/* Marks the audit entries' outbox rows acknowledged and removes them, as once the server has
 * them. */
static void prune_audit_outbox(const char *path)
{
    sqlite3 *db;
    CHECK_INT(sqlite3_open(path, &db), SQLITE_OK);
    CHECK_INT(sqlite3_exec(db,
                           "UPDATE outbox SET state = 'acked' WHERE kind = 'audit';"
                           " DELETE FROM outbox WHERE kind = 'audit';"
                           " PRAGMA wal_checkpoint(TRUNCATE);",
                           NULL, NULL, NULL),
              SQLITE_OK);
    sqlite3_close(db);
}

/* With pruned, the audit entries' outbox rows were acknowledged and removed before the damage:
 * an entry of the lost page then exists nowhere else. */
static void test_table_page(const char *pristine, const char *table, bool pruned)
{
    char name[64];
    snprintf(name, sizeof name, "%s%s.db", table, pruned ? "-pruned" : "");
    const char *path = path_in_dir(name);
    size_t len;
    unsigned char *bytes = db_read_all(pristine, &len);
    db_write_all(path, bytes, len);
    free(bytes);
    if (pruned)
        prune_audit_outbox(path);
    bytes = db_read_all(path, &len);
    unsigned leaf = db_middle_leaf(bytes, db_root_of(path, table));
    bool audit = strcmp(table, "audit") == 0;
    long first_lost = audit ? first_rowid(bytes, leaf) : 0;
    free(bytes);
    unsigned lost = db_damage_page(path, leaf);
    CHECK(lost > 0);

    /* What the undamaged file held. */
    want w = {count_in(pristine, "SELECT count(*) FROM staff"),
              count_in(pristine, "SELECT count(*) FROM staff_card"),
              count_in(pristine, "SELECT count(*) FROM staff_lock"),
              count_in(pristine, "SELECT count(*) FROM audit"),
              count_in(pristine, "SELECT count(*) FROM meal_void")};
    CHECK_INT(w.staff, STAFF);
    CHECK_INT(w.staff_cards, STAFF);
    CHECK_INT(w.staff_locks, 1);
    CHECK_INT(w.voids, VOIDS);
    /* Each void and each wrong PIN has its entry (the fifth may add one for the lock). */
    CHECK(w.audit >= VOIDS + KIOSK_STAFF_PIN_TRIES);
    if (strcmp(table, "staff") == 0)
        w.staff -= lost, w.staff_cards -= lost; /* one card each: a lost member's card goes */
    if (strcmp(table, "staff_card") == 0)
        w.staff_cards -= lost;
    if (strcmp(table, "staff_lock") == 0)
        w.staff_locks -= lost;
    if (audit && pruned)
        w.audit -= lost; /* else they come back from the outbox */
    if (strcmp(table, "meal_void") == 0)
        w.voids -= lost;

    kiosk_recovery rec;
    char err[300] = "";
    kiosk_rc rc = kiosk_store_recover(path, &rec, err, sizeof err);
    CHECK_INT(rc, KIOSK_OK);
    if (rc != KIOSK_OK) {
        fprintf(stderr, "  %s: %s\n", table, err);
        return;
    }
    CHECK_INT(rec.staff, w.staff);
    CHECK_INT(rec.staff_cards, w.staff_cards);
    CHECK_INT(rec.staff_locks, w.staff_locks);
    CHECK_INT(rec.audit, w.audit);
    CHECK_INT(rec.audit_restored, audit && !pruned ? (long)lost : 0);
    CHECK_INT(rec.voids, w.voids);
    CHECK_INT(rec.meals, MEALS);
    /* Every upload record, the help call's and its answer's too (no outbox page was lost). */
    long outbox = count_in(pristine, "SELECT count(*) FROM outbox");
    CHECK_INT(count_in(pristine, "SELECT count(*) FROM outbox WHERE kind LIKE 'help_%'"), 2);
    CHECK_INT(rec.outbox, pruned ? outbox - (w.audit + (long)lost) : outbox);
    CHECK(!rec.complete);
    CHECK(!rec.card_key_lost);

    kiosk_store *s = NULL;
    CHECK_INT(kiosk_store_open(path, &s, err, sizeof err), KIOSK_OK);
    if (!s)
        return;
    kiosk_store_check *check = NULL;
    CHECK_INT(kiosk_store_check_open(path, &check, err, sizeof err), KIOSK_OK);
    CHECK_INT(kiosk_store_check_run(check, err, sizeof err), KIOSK_OK);
    kiosk_store_check_close(check);
    /* Each entry under its own number (the rowid), not renumbered to close a gap. */
    CHECK_INT(count_in(path, "SELECT count(*) FROM audit"
                             " WHERE seq IS NOT json_extract(payload, '$.seq')"),
              0);
    CHECK_INT(count_in(path, "SELECT count(*) FROM staff_card WHERE staff_id NOT IN"
                             " (SELECT staff_id FROM staff)"),
              0);

    /* Every member whose card came back still signs in with it; the locked card stays locked
     * (unless its lock was on the lost page). */
    long found = 0;
    for (int i = 0; i < STAFF; i++) {
        uint8_t key[KIOSK_CARD_KEY_BYTES];
        staff_card_key(s, i, key);
        kiosk_staff_member m;
        found += kiosk_store_find_staff_card(s, key, &m) == KIOSK_OK;
    }
    CHECK_INT(found, w.staff_cards);
    uint8_t key[KIOSK_CARD_KEY_BYTES];
    staff_card_key(s, LOCKED, key);
    kiosk_staff_lock lock;
    CHECK_INT(kiosk_store_staff_lock_get(s, key, T0 + 60000, &lock), KIOSK_OK);
    CHECK(w.staff_locks == 1
              ? lock.locked_until_ms == T0 + 5000 + KIOSK_STAFF_PIN_TRIES - 1 + LOCK_MS
              : lock.locked_until_ms == 0);

    /* Voided meals stay voided: the day view marks exactly the voids carried. */
    static kiosk_day_meal day[MEALS + 10];
    size_t n = 0;
    CHECK_INT(kiosk_store_day_meals(s, today, day, MEALS + 10, &n), KIOSK_OK);
    CHECK_INT(n, MEALS);
    long voided = 0;
    for (size_t i = 0; i < n; i++)
        voided += day[i].voided;
    CHECK_INT(voided, w.voids);

    /* The chain kept its numbers: it verifies, or names the first entry of the lost page. */
    long entries = 0;
    int64_t bad = 0;
    char why[300] = "";
    rc = kiosk_store_audit_verify(s, &entries, &bad, why, sizeof why);
    if (audit && pruned) {
        CHECK_INT(rc, KIOSK_ERR_INVALID);
        CHECK_INT(bad, first_lost);
        CHECK(first_lost > 1);
    } else {
        if (rc != KIOSK_OK)
            fprintf(stderr, "  %s: the chain: %s\n", table, why);
        CHECK_INT(rc, KIOSK_OK);
        CHECK_INT(entries, w.audit);
        /* And it goes on from where it was. */
        kiosk_staff_actor sup = {.role = KIOSK_STAFF_SUPERVISOR};
        snprintf(sup.staff_id, sizeof sup.staff_id, "S0000");
        snprintf(sup.kiosk_id, sizeof sup.kiosk_id, "k1");
        CHECK_INT(kiosk_store_staff_act(s, &sup, KIOSK_STAFF_STATUS, "", "", "", T0 + 90000),
                  KIOSK_OK);
        CHECK_INT(kiosk_store_audit_verify(s, &entries, &bad, why, sizeof why), KIOSK_OK);
        CHECK_INT(entries, w.audit + 1);
    }
    kiosk_store_close(s);
}

int main(void)
{
    if (!(dir = check_scratch_dir("kiosk-recovery-staff")))
        return 1;
    CHECK_INT(kiosk_clock_set_zone("Asia/Shanghai"), KIOSK_OK);
    static char pristine[512];
    snprintf(pristine, sizeof pristine, "%s", path_in_dir("pristine.db"));
    build(pristine);
    static const char *const tables[] = {"staff", "staff_card", "staff_lock", "audit", "meal_void"};
    for (size_t i = 0; i < sizeof tables / sizeof tables[0]; i++)
        test_table_page(pristine, tables[i], false);
    test_table_page(pristine, "audit", true);
    check_scratch_remove(dir);
    CHECK_DONE();
}
