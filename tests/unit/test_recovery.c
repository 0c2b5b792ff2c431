/* test_recovery.c - a damaged database on a real SQLite file: one data page of each kiosk table
 * overwritten in turn, an interior page, a WAL that must be set aside byte for byte, a recovery
 * that cannot finish (the file must stay as it was, and the next try uses the same aside copy),
 * and one cut short after its copy was made. The rows expected back are counted from the pages
 * themselves before the damage, not taken from the program's output. */
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "clock.h"
#include "db_pages.h"
#include "recid.h"
#include "sample_lunch.h"
#include "store.h"

#define PERSONS 2000
#define MEALS   1500

static const char *dir;
static const char *policy_dir;
static const kiosk_date today = {2026, 11, 23};

static const char *path_in_dir(const char *name)
{
    static char path[8][512];
    static int next;
    char *p = path[next++ % 8];
    snprintf(p, 512, "%s/%s", dir, name);
    return p;
}

/* --- files ------------------------------------------------------------------------------- */

static bool same_bytes(const char *path, const unsigned char *want, size_t want_len)
{
    size_t len;
    unsigned char *got = db_read_all(path, &len);
    bool same = got && len == want_len && memcmp(got, want, len) == 0;
    free(got);
    return same;
}

static bool exists(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0;
}

/* How many files in dir start with prefix. */
static int count_prefixed(const char *prefix)
{
    DIR *d = opendir(dir);
    int n = 0;
    for (struct dirent *e; d && (e = readdir(d));)
        n += strncmp(e->d_name, prefix, strlen(prefix)) == 0;
    if (d)
        closedir(d);
    return n;
}

/* --- the kiosk database the tests damage -------------------------------------------------------
 */

static kiosk_meal_entry meal_of(int i)
{
    char person[16];
    snprintf(person, sizeof person, "P%05d", i % PERSONS);
    return sample_lunch(person, "k1", "canteen-01", 1795404600000LL + i, today);
}

static void card_key_of(kiosk_store *s, int i, uint8_t key[KIOSK_CARD_KEY_BYTES])
{
    uint8_t uid[4] = {0x04, (uint8_t)(i >> 16), (uint8_t)(i >> 8), (uint8_t)i};
    kiosk_store_card_key(s, uid, sizeof uid, key);
}

static void build(const char *path)
{
    kiosk_store *s = NULL;
    char err[300];
    CHECK_INT(kiosk_store_open(path, &s, err, sizeof err), KIOSK_OK);
    if (!s)
        return;
    CHECK_INT(kiosk_store_begin(s), KIOSK_OK);
    for (int i = 0; i < PERSONS; i++) {
        kiosk_person_row p = {
            .person = {.birth = {1940, 1, 2}, .active = true, .local_hukou = true}};
        snprintf(p.person_id, sizeof p.person_id, "P%05d", i);
        snprintf(p.name_masked, sizeof p.name_masked, "王*%d", i);
        CHECK_INT(kiosk_store_upsert_person(s, &p), KIOSK_OK);
        kiosk_card_row c = {.info = {.blocked = false}};
        card_key_of(s, i, c.card_key);
        snprintf(c.person_id, sizeof c.person_id, "P%05d", i);
        CHECK_INT(kiosk_store_upsert_card(s, &c), KIOSK_OK);
    }
    CHECK_INT(kiosk_store_commit(s), KIOSK_OK);
    char policy_path[600];
    snprintf(policy_path, sizeof policy_path, "%s/fixed-by-class.json", policy_dir);
    size_t len;
    unsigned char *policy = db_read_all(policy_path, &len);
    CHECK(policy != NULL);
    if (policy)
        CHECK_INT(kiosk_store_put_policy(s, (const char *)policy, len, err, sizeof err), KIOSK_OK);
    free(policy);
    for (int i = 0; i < MEALS; i++) {
        kiosk_meal_entry m = meal_of(i);
        CHECK_INT(kiosk_store_add_meal(s, &m), KIOSK_OK);
    }
    kiosk_store_close(s); /* checkpoints: everything is in the main file */
}

typedef struct counts {
    long persons, cards, meals, outbox;
} counts;

/* --- one data page of each table ------------------------------------------------------------- */

static void test_table_page(const char *pristine, const char *table, bool found_at_open)
{
    char name[64];
    snprintf(name, sizeof name, "%s.db", table);
    const char *path = path_in_dir(name);
    size_t len;
    unsigned char *bytes = db_read_all(pristine, &len);
    db_write_all(path, bytes, len);
    unsigned leaf = db_first_leaf(bytes, db_root_of(path, table));
    free(bytes);
    unsigned lost = db_damage_page(path, leaf);
    CHECK(lost > 0);
    unsigned char *damaged = db_read_all(path, &len);

    /* Found at the opening (the tables a start needs), or by the whole-file check. */
    kiosk_store *s = NULL;
    char err[300] = "";
    kiosk_rc rc = kiosk_store_open(path, &s, err, sizeof err);
    kiosk_store_close(s);
    CHECK_INT(rc, found_at_open ? KIOSK_ERR_CORRUPT : KIOSK_OK);
    kiosk_store_check *check = NULL;
    CHECK_INT(kiosk_store_check_open(path, &check, err, sizeof err), KIOSK_OK);
    CHECK_INT(kiosk_store_check_run(check, err, sizeof err), KIOSK_ERR_CORRUPT);
    kiosk_store_check_close(check);
    CHECK(same_bytes(path, damaged, len)); /* neither look changed a byte */

    kiosk_recovery rec;
    rc = kiosk_store_recover(path, &rec, err, sizeof err);
    CHECK_INT(rc, KIOSK_OK);
    if (rc != KIOSK_OK)
        fprintf(stderr, "  %s: %s\n", table, err);
    bool person = strcmp(table, "person") == 0, card = strcmp(table, "card") == 0;
    bool key = strcmp(table, "device_state") == 0;
    counts want = {PERSONS, PERSONS, MEALS, MEALS};
    if (person)
        want.persons -= lost, want.cards -= lost; /* their cards would only say "unknown" */
    if (card)
        want.cards -= lost;
    if (key)
        want.cards = 0; /* no card hash can match without the key */
    if (strcmp(table, "meal") == 0)
        want.meals -= lost;
    if (strcmp(table, "outbox") == 0)
        want.outbox -= lost;
    CHECK_INT(rec.persons, want.persons);
    CHECK_INT(rec.cards, want.cards);
    CHECK_INT(rec.meals, want.meals);
    CHECK_INT(rec.outbox, want.outbox);
    CHECK(!rec.complete);
    CHECK(rec.pages_unreadable >= 1);
    CHECK(rec.card_key_lost == key);
    CHECK(same_bytes(rec.aside_path, damaged, len)); /* kept byte for byte */
    CHECK(!kiosk_store_recovery_pending(path));
    free(damaged);

    /* The recovered file: sound, and it says at every start what was lost. */
    s = NULL;
    CHECK_INT(kiosk_store_open(path, &s, err, sizeof err), KIOSK_OK);
    if (!s)
        return;
    check = NULL;
    CHECK_INT(kiosk_store_check_open(path, &check, err, sizeof err), KIOSK_OK);
    CHECK_INT(kiosk_store_check_run(check, err, sizeof err), KIOSK_OK);
    kiosk_store_check_close(check);
    char notice[64];
    CHECK_INT(kiosk_store_staff_notice(s, notice, sizeof notice), KIOSK_OK);
    CHECK_STR(notice, key ? KIOSK_NOTICE_CARD_KEY_LOST : KIOSK_NOTICE_RECOVERY_INCOMPLETE);
    long meals = 0, pending = 0;
    CHECK_INT(kiosk_store_count_meals(s, &meals, &pending), KIOSK_OK);
    CHECK_INT(meals, want.meals);
    CHECK_INT(pending, want.outbox);
    /* A card of a person whose rows all survived still finds its holder, with the old key. */
    if (!key && !person && !card) {
        uint8_t k[KIOSK_CARD_KEY_BYTES];
        card_key_of(s, 7, k);
        kiosk_holder h;
        CHECK_INT(kiosk_store_find_card(s, k, &h), KIOSK_OK);
        CHECK_STR(h.person_id, "P00007");
    }
    /* Recording goes on after the recovery. */
    kiosk_meal_entry m = meal_of(MEALS + 1);
    CHECK_INT(kiosk_store_add_meal(s, &m), KIOSK_OK);
    CHECK_INT(kiosk_store_set_staff_notice(s, ""), KIOSK_OK);
    CHECK_INT(kiosk_store_staff_notice(s, notice, sizeof notice), KIOSK_OK);
    CHECK_STR(notice, "");
    kiosk_store_close(s);
}

/* A damaged interior page of a rowid table holds only pointers: every row comes back. A query
 * that reaches damage marks the handle damaged. */
static void test_interior_page(const char *pristine)
{
    const char *path = path_in_dir("interior.db");
    size_t len;
    unsigned char *bytes = db_read_all(pristine, &len);
    db_write_all(path, bytes, len);
    unsigned root = db_root_of(path, "person");
    CHECK(db_is_interior(db_page_header(bytes, root)[0]));
    free(bytes);
    db_damage_page(path, root);

    kiosk_store *s = NULL;
    char err[300];
    CHECK_INT(kiosk_store_open(path, &s, err, sizeof err), KIOSK_OK);
    if (s) {
        uint8_t k[KIOSK_CARD_KEY_BYTES];
        card_key_of(s, 3, k);
        kiosk_holder h;
        CHECK(!kiosk_store_damaged(s));
        CHECK_INT(kiosk_store_find_card(s, k, &h), KIOSK_ERR_CORRUPT);
        CHECK(kiosk_store_damaged(s));
    }
    kiosk_store_close(s);
    kiosk_recovery rec;
    CHECK_INT(kiosk_store_recover(path, &rec, err, sizeof err), KIOSK_OK);
    CHECK_INT(rec.persons, PERSONS);
    CHECK_INT(rec.cards, PERSONS);
    CHECK_INT(rec.meals, MEALS);
    CHECK_INT(rec.rows_skipped, 0);
    CHECK_INT(rec.pages_unreadable, 1);
}

/* The WAL holds the newest meals: opening the damaged file and closing it again must leave the
 * WAL exactly as it was, and it is set aside with the file and read. */
static void test_wal_set_aside(const char *pristine)
{
    const char *path = path_in_dir("wal.db");
    char wal[600];
    snprintf(wal, sizeof wal, "%s-wal", path);
    size_t len;
    unsigned char *bytes = db_read_all(pristine, &len);
    db_write_all(path, bytes, len);
    free(bytes);
    /* Meals committed to the WAL by a process that then dies, as at a power cut. */
    pid_t pid = fork();
    if (pid == 0) {
        kiosk_store *s = NULL;
        char err[300];
        if (kiosk_store_open(path, &s, err, sizeof err) != KIOSK_OK)
            _exit(1);
        for (int i = 0; i < 40; i++) {
            kiosk_meal_entry m = meal_of(MEALS + 100 + i);
            if (kiosk_store_add_meal(s, &m) != KIOSK_OK)
                _exit(1);
        }
        _exit(0);
    }
    int status = -1;
    waitpid(pid, &status, 0);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    size_t wal_len;
    unsigned char *wal_bytes = db_read_all(wal, &wal_len);
    CHECK(wal_bytes != NULL && wal_len > 0);
    /* The policy's page is in the file only, and a start checks it. */
    bytes = db_read_all(path, &len);
    unsigned leaf = db_first_leaf(bytes, db_root_of(path, "policy"));
    free(bytes);
    db_damage_page(path, leaf);

    kiosk_store *s = NULL;
    char err[300];
    CHECK_INT(kiosk_store_open(path, &s, err, sizeof err), KIOSK_ERR_CORRUPT);
    kiosk_store_close(s);
    CHECK(same_bytes(wal, wal_bytes, wal_len)); /* not checkpointed, not deleted */

    kiosk_recovery rec;
    CHECK_INT(kiosk_store_recover(path, &rec, err, sizeof err), KIOSK_OK);
    char aside_wal[1200];
    snprintf(aside_wal, sizeof aside_wal, "%s-wal", rec.aside_path);
    CHECK(same_bytes(aside_wal, wal_bytes, wal_len));
    CHECK_INT(rec.meals, MEALS + 40);
    CHECK_INT(rec.outbox, MEALS + 40);
    CHECK(!exists(wal) ||
          !same_bytes(wal, wal_bytes, wal_len)); /* the old WAL never meets the new file */
    free(wal_bytes);
}

/* A recovery that cannot finish leaves the file exactly as it was and the marker in place; the
 * next try uses the same aside copy. A UTF-16 database is one the salvage cannot read. */
static void test_failed_recovery(void)
{
    const char *path = path_in_dir("utf16.db");
    sqlite3 *db;
    sqlite3_open(path, &db);
    sqlite3_exec(db,
                 "PRAGMA encoding = 'UTF-16le'; CREATE TABLE t(x TEXT); WITH RECURSIVE n(i) AS"
                 " (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 500)"
                 " INSERT INTO t SELECT printf('row %05d', i) FROM n;",
                 NULL, NULL, NULL);
    sqlite3_close(db);
    size_t len;
    unsigned char *bytes = db_read_all(path, &len);
    memset(bytes + 100, 0xA5, DB_PAGE - 100); /* the schema page, its header kept */
    db_write_all(path, bytes, len);

    kiosk_store *s = NULL;
    char err[300];
    CHECK_INT(kiosk_store_open(path, &s, err, sizeof err), KIOSK_ERR_CORRUPT);
    kiosk_store_close(s);
    kiosk_recovery rec;
    CHECK(kiosk_store_recover(path, &rec, err, sizeof err) != KIOSK_OK);
    CHECK(err[0] != '\0');
    CHECK(same_bytes(path, bytes, len));
    CHECK(kiosk_store_recovery_pending(path));
    CHECK(!exists(path_in_dir("utf16.db.recovering")));
    CHECK_INT(count_prefixed("utf16.db.damaged-"), 1);
    CHECK(kiosk_store_recover(path, &rec, err, sizeof err) != KIOSK_OK); /* again: same copy */
    CHECK_INT(count_prefixed("utf16.db.damaged-"), 1);
    CHECK(same_bytes(path, bytes, len));
    free(bytes);
}

/* A recovery cut short after its copy was made goes on from that copy. */
static void test_resumed_recovery(const char *pristine)
{
    const char *path = path_in_dir("resume.db");
    const char *aside = path_in_dir("resume.db.damaged-earlier");
    size_t len;
    unsigned char *bytes = db_read_all(pristine, &len);
    db_write_all(path, bytes, len);
    db_write_all(aside, bytes, len);
    free(bytes);
    char marker[600];
    snprintf(marker, sizeof marker, "%s.recovery", path);
    FILE *f = fopen(marker, "w");
    fputs(aside, f);
    fclose(f);
    CHECK(kiosk_store_recovery_pending(path));
    kiosk_recovery rec;
    char err[300];
    CHECK_INT(kiosk_store_recover(path, &rec, err, sizeof err), KIOSK_OK);
    CHECK_STR(rec.aside_path, aside);
    CHECK_INT(count_prefixed("resume.db.damaged-"), 1);
    CHECK_INT(rec.persons, PERSONS);
    CHECK_INT(rec.meals, MEALS);
    CHECK(rec.complete);
    CHECK(!kiosk_store_recovery_pending(path));
    /* Asked for by a running kiosk: the marker names no copy yet, and one is made. */
    CHECK_INT(kiosk_store_request_recovery(path, err, sizeof err), KIOSK_OK);
    CHECK(kiosk_store_recovery_pending(path));
    CHECK_INT(kiosk_store_recover(path, &rec, err, sizeof err), KIOSK_OK);
    CHECK_INT(count_prefixed("resume.db.damaged-"), 2);
    CHECK(rec.complete);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: test_recovery POLICY_DIR\n");
        return 2;
    }
    policy_dir = argv[1];
    if (!(dir = check_scratch_dir("kiosk-recovery")))
        return 1;
    CHECK_INT(kiosk_clock_set_zone("Asia/Shanghai"), KIOSK_OK);
    static char pristine[512]; /* path_in_dir's buffers are reused */
    snprintf(pristine, sizeof pristine, "%s", path_in_dir("pristine.db"));
    build(pristine);
    static const struct {
        const char *table;
        bool found_at_open;
    } tables[] = {{"device_state", true}, {"person", false}, {"card", false},
                  {"policy", true},       {"meal", false},   {"outbox", true}};
    for (size_t i = 0; i < sizeof tables / sizeof tables[0]; i++)
        test_table_page(pristine, tables[i].table, tables[i].found_at_open);
    test_interior_page(pristine);
    test_wal_set_aside(pristine);
    test_failed_recovery();
    test_resumed_recovery(pristine);
    check_scratch_remove(dir);
    CHECK_DONE();
}
