/* test_staff.c - staff mode's core on a real SQLite file: roles and what each may do, PIN
 * hashes, the staff roster file and its import, signing in (right, wrong, the lock after five
 * wrong PINs, its end by the injectable clock's time, and the lock kept across a restart), the
 * refusal of a supervisor's action to an operator at the store, the audit chain and its
 * verification after rows are changed or removed behind the kiosk's back, and the void of a
 * meal (the meal stays, the void is added, limits and reports no longer count it). */
#define _POSIX_C_SOURCE 200809L
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "check.h"
#include "db_query.h"
#include "hex.h"
#include "sample_lunch.h"
#include "staff.h"
#include "staff_csv.h"
#include "staff_store.h"
#include "store.h"

static const char *dir;
static const char *data_dir;

/* PIN 1234 and 9876 (tests/data/staff.csv says whose). */
static char hash_1234[KIOSK_PIN_HASH_MAX];

static const char *path_in_dir(const char *name)
{
    static char path[600];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return path;
}

static kiosk_store *open_store(const char *name)
{
    kiosk_store *s = NULL;
    char err[300];
    kiosk_rc rc = kiosk_store_open(path_in_dir(name), &s, err, sizeof err);
    if (rc != KIOSK_OK) {
        fprintf(stderr, "open %s: %s\n", name, err);
        exit(1);
    }
    return s;
}

static char *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = malloc(1 << 16);
    *len = fread(buf, 1, (1 << 16) - 1, f);
    buf[*len] = '\0';
    fclose(f);
    return buf;
}

static void import_file(kiosk_store *s, const char *name)
{
    char path[600];
    snprintf(path, sizeof path, "%s/%s", data_dir, name);
    size_t len;
    char *text = read_all(path, &len);
    CHECK(text != NULL);
    kiosk_staff_import_stats stats;
    char err[300] = "";
    CHECK_INT(kiosk_store_import_staff(s, text, len, &stats, err, sizeof err), KIOSK_OK);
    CHECK_STR(err, "");
    free(text);
}

static void card_key(kiosk_store *s, const char *hex, uint8_t key[KIOSK_CARD_KEY_BYTES])
{
    uint8_t uid[KIOSK_UID_MAX];
    int n = kiosk_card_uid_from_hex(hex, strlen(hex), uid);
    CHECK(n > 0);
    kiosk_store_card_key(s, uid, (size_t)n, key);
}

/* Runs SQL on the database behind the kiosk's back (another connection). */
static void tamper(const char *name, const char *sql)
{
    sqlite3 *db;
    CHECK_INT(sqlite3_open(path_in_dir(name), &db), SQLITE_OK);
    char *msg = NULL;
    int code = sqlite3_exec(db, sql, NULL, NULL, &msg);
    if (code != SQLITE_OK)
        fprintf(stderr, "tamper: %s\n", msg ? msg : "?");
    CHECK_INT(code, SQLITE_OK);
    sqlite3_free(msg);
    sqlite3_close(db);
}

static long count(const char *name, const char *sql)
{
    return db_query_long(path_in_dir(name), sql);
}

static void test_roles(void)
{
    for (int a = 0; a < KIOSK_STAFF_ACTION_COUNT; a++)
        CHECK(kiosk_staff_may(KIOSK_STAFF_SUPERVISOR, (kiosk_staff_action)a));
    CHECK(!kiosk_staff_may(KIOSK_STAFF_OPERATOR, KIOSK_STAFF_SETTINGS));
    CHECK(!kiosk_staff_may(KIOSK_STAFF_OPERATOR, KIOSK_STAFF_EXIT_OS));
    CHECK(kiosk_staff_may(KIOSK_STAFF_OPERATOR, KIOSK_STAFF_VOID_MEAL));
    CHECK(kiosk_staff_may(KIOSK_STAFF_OPERATOR, KIOSK_STAFF_DAY_VIEW));
    CHECK(!kiosk_staff_may(KIOSK_STAFF_OPERATOR, KIOSK_STAFF_ACTION_COUNT));
    kiosk_staff_action act;
    CHECK(kiosk_staff_action_parse("void_meal", &act) && act == KIOSK_STAFF_VOID_MEAL);
    CHECK(!kiosk_staff_action_parse("void", &act));
    kiosk_staff_role role;
    CHECK(kiosk_staff_role_parse("supervisor", &role) && role == KIOSK_STAFF_SUPERVISOR);
    CHECK(!kiosk_staff_role_parse("admin", &role));
}

static void test_pin(void)
{
    CHECK(kiosk_staff_pin_valid("1234"));
    CHECK(kiosk_staff_pin_valid("12345678"));
    CHECK(!kiosk_staff_pin_valid("123"));
    CHECK(!kiosk_staff_pin_valid("123456789"));
    CHECK(!kiosk_staff_pin_valid("12a4"));
    char h[KIOSK_PIN_HASH_MAX];
    CHECK_INT(kiosk_staff_pin_hash("12a4", h), KIOSK_ERR_INVALID);
    CHECK_INT(kiosk_staff_pin_hash("1234", hash_1234), KIOSK_OK);
    CHECK(strncmp(hash_1234, "$argon2id$v=19$m=65536,t=2,p=1$", 31) == 0);
    CHECK(strstr(hash_1234, "1234$") == NULL);
    CHECK(kiosk_staff_pin_check(hash_1234, "1234"));
    CHECK(!kiosk_staff_pin_check(hash_1234, "1235"));
    CHECK(!kiosk_staff_pin_check(hash_1234, "12345"));
    /* Two hashes of one PIN differ (a salt each) and both check. */
    CHECK_INT(kiosk_staff_pin_hash("1234", h), KIOSK_OK);
    CHECK(strcmp(h, hash_1234) != 0);
    CHECK(kiosk_staff_pin_check(h, "1234"));
    /* Costs beyond the limits, other algorithms and damaged hashes are refused unchecked. */
    CHECK(kiosk_staff_pin_hash_valid(hash_1234));
    CHECK(!kiosk_staff_pin_hash_valid("$argon2id$v=19$m=1048576,t=2,p=1$AAAA$BBBB"));
    CHECK(!kiosk_staff_pin_hash_valid("$argon2id$v=19$m=65536,t=99,p=1$AAAA$BBBB"));
    CHECK(!kiosk_staff_pin_hash_valid("$argon2i$v=19$m=65536,t=2,p=1$AAAA$BBBB"));
    CHECK(!kiosk_staff_pin_hash_valid("$argon2id$v=19$m=65536,t=2,p=1$AAAA"));
    CHECK(!kiosk_staff_pin_hash_valid("1234"));
}

typedef struct rows {
    kiosk_staff_row row[8];
    size_t n;
} rows;

static kiosk_rc keep_row(void *user, size_t line, const kiosk_staff_row *row, char *err,
                         size_t err_size)
{
    (void)line;
    (void)err;
    (void)err_size;
    rows *r = user;
    if (r->n < 8)
        r->row[r->n++] = *row;
    return KIOSK_OK;
}

static kiosk_rc parse(const char *text, rows *r, char *err, size_t size)
{
    memset(r, 0, sizeof *r);
    err[0] = '\0';
    return kiosk_staff_csv_parse(text, strlen(text), keep_row, r, err, size);
}

static void test_csv(void)
{
    char path[600], err[300];
    snprintf(path, sizeof path, "%s/staff.csv", data_dir);
    size_t len;
    char *text = read_all(path, &len);
    rows r;
    CHECK_INT(parse(text, &r, err, sizeof err), KIOSK_OK);
    free(text);
    CHECK_INT(r.n, 3);
    CHECK_STR(r.row[0].staff_id, "S001");
    CHECK_STR(r.row[0].name_masked, "王*红");
    CHECK_INT(r.row[0].role, KIOSK_STAFF_OPERATOR);
    CHECK_INT(r.row[1].role, KIOSK_STAFF_SUPERVISOR);
    CHECK_INT(r.row[1].card_count, 2);
    CHECK_INT(r.row[1].card_uid_len[1], 7);
    CHECK_INT(r.row[1].card_uid[1][0], 0x04);
    CHECK(r.row[0].active && !r.row[2].active);
    CHECK_STR(r.row[2].name_masked, "赵*");

    char bad[1024];
    snprintf(bad, sizeof bad,
             "staff_id,name,role,pin_hash\nS1,A B,operator,\"%s\"\nS2,C,boss,\"%s\"\n", hash_1234,
             hash_1234);
    CHECK_INT(parse(bad, &r, err, sizeof err), KIOSK_ERR_PARSE);
    CHECK_STR(err, "line 3: role: must be operator or supervisor");
    snprintf(bad, sizeof bad, "staff_id,name,role,pin_hash\nS1,A,operator,1234\n");
    CHECK_INT(parse(bad, &r, err, sizeof err), KIOSK_ERR_PARSE);
    CHECK(strncmp(err, "line 2: pin_hash: not an argon2id hash", 38) == 0);
    CHECK(strstr(err, "1234") == NULL);
    snprintf(bad, sizeof bad,
             "staff_id,name,role,pin_hash,card_uids\nS1,A,operator,\"%s\",5AF001\n", hash_1234);
    CHECK_INT(parse(bad, &r, err, sizeof err), KIOSK_ERR_PARSE);
    CHECK(strncmp(err, "line 2: card_uids: each card is 8, 14 or 20 hex digits", 54) == 0);
    snprintf(bad, sizeof bad, "staff_id,name,role\nS1,A,operator\n");
    CHECK_INT(parse(bad, &r, err, sizeof err), KIOSK_ERR_PARSE);
    CHECK_STR(err, "line 1: the header has no column pin_hash");
    snprintf(bad, sizeof bad, "staff_id,name,role,pin_hash\n110101195001011239,A,operator,\"%s\"\n",
             hash_1234);
    CHECK_INT(parse(bad, &r, err, sizeof err), KIOSK_ERR_PARSE);
    CHECK(strstr(err, "110101195001011239") == NULL);
}

static void test_import(void)
{
    kiosk_store *s = open_store("import.db");
    import_file(s, "staff.csv");
    uint8_t k1[32], k2[32], k2b[32], k3[32];
    card_key(s, "5AF00001", k1);
    card_key(s, "5AF00002", k2);
    card_key(s, "04A1B2C3D4E5F6", k2b);
    card_key(s, "5AF00003", k3);
    kiosk_staff_member m;
    CHECK_INT(kiosk_store_find_staff_card(s, k1, &m), KIOSK_OK);
    CHECK_STR(m.staff_id, "S001");
    CHECK_STR(m.name_masked, "王*红");
    CHECK_INT(m.role, KIOSK_STAFF_OPERATOR);
    CHECK_INT(kiosk_store_find_staff_card(s, k2b, &m), KIOSK_OK);
    CHECK_STR(m.staff_id, "S002");
    CHECK_INT(m.role, KIOSK_STAFF_SUPERVISOR);
    CHECK_INT(kiosk_store_find_staff_card(s, k3, &m), KIOSK_ERR_NOT_FOUND); /* inactive */
    /* No PIN in clear anywhere in the file's tables. */
    CHECK_INT(count("import.db", "SELECT count(*) FROM staff WHERE pin_hash LIKE '$argon2id$%'"),
              3);

    /* A later file without S002: S002 inactive, its cards gone. All or nothing on error. */
    char text[1024];
    snprintf(text, sizeof text,
             "staff_id,name,role,pin_hash,card_uids\nS001,王小红,operator,\"%s\","
             "5AF00001\n",
             hash_1234);
    kiosk_staff_import_stats st;
    char err[300] = "";
    CHECK_INT(kiosk_store_import_staff(s, text, strlen(text), &st, err, sizeof err), KIOSK_OK);
    CHECK_INT(st.rows, 1);
    CHECK_INT(st.made_inactive, 1);
    CHECK_INT(kiosk_store_find_staff_card(s, k2, &m), KIOSK_ERR_NOT_FOUND);
    snprintf(text, sizeof text,
             "staff_id,name,role,pin_hash,card_uids\nS002,李建国,supervisor,\"%s\",5AF00002\n"
             "S001,王小红,operator,\"%s\",5AF00002\n",
             hash_1234, hash_1234);
    CHECK_INT(kiosk_store_import_staff(s, text, strlen(text), &st, err, sizeof err),
              KIOSK_ERR_PARSE);
    CHECK_STR(err, "line 3: card_uids: card 1 is listed on an earlier line too");
    CHECK_INT(kiosk_store_find_staff_card(s, k2, &m), KIOSK_ERR_NOT_FOUND); /* rolled back */
    CHECK_INT(kiosk_store_find_staff_card(s, k1, &m), KIOSK_OK);
    snprintf(
        text, sizeof text,
        "staff_id,name,role,pin_hash\nS002,李建国,supervisor,\"%s\"\nS002,李建国,operator,\"%s\"\n",
        hash_1234, hash_1234);
    CHECK_INT(kiosk_store_import_staff(s, text, strlen(text), &st, err, sizeof err),
              KIOSK_ERR_PARSE);
    CHECK_STR(err, "line 3: staff_id: given on an earlier line too");

    /* A diner's card cannot also be a staff card. */
    kiosk_card_row diner = {0};
    memcpy(diner.card_key, k3, 32);
    snprintf(diner.person_id, sizeof diner.person_id, "P9");
    kiosk_person_row person = {0};
    snprintf(person.person_id, sizeof person.person_id, "P9");
    snprintf(person.name_masked, sizeof person.name_masked, "孙*");
    person.person.birth = (kiosk_date){1940, 1, 1};
    person.person.active = true;
    CHECK_INT(kiosk_store_begin(s), KIOSK_OK);
    CHECK_INT(kiosk_store_upsert_person(s, &person), KIOSK_OK);
    CHECK_INT(kiosk_store_upsert_card(s, &diner), KIOSK_OK);
    CHECK_INT(kiosk_store_commit(s), KIOSK_OK);
    snprintf(text, sizeof text,
             "staff_id,name,role,pin_hash,card_uids\nS003,赵六,operator,\"%s\","
             "5AF00003\n",
             hash_1234);
    CHECK_INT(kiosk_store_import_staff(s, text, strlen(text), &st, err, sizeof err),
              KIOSK_ERR_PARSE);
    CHECK_STR(err, "line 2: card_uids: card 1 is a diner's card");
    kiosk_store_close(s);
}

#define T0      1795404600000LL /* 2026-11-23 03:30 UTC */
#define LOCK_MS (5 * 60 * 1000LL)

static void test_sign_in_and_lock(void)
{
    kiosk_store *s = open_store("pin.db");
    import_file(s, "staff.csv");
    uint8_t k1[32], k2[32], nobody[32];
    card_key(s, "5AF00001", k1);
    card_key(s, "5AF00002", k2);
    card_key(s, "01020304", nobody);
    kiosk_staff_member m;
    kiosk_staff_lock lock;
    CHECK_INT(kiosk_store_staff_sign_in(s, nobody, "1234", T0, LOCK_MS, "k1", &m, &lock),
              KIOSK_ERR_NOT_FOUND);
    CHECK_INT(kiosk_store_staff_sign_in(s, k1, "1234", T0, LOCK_MS, "k1", &m, &lock), KIOSK_OK);
    CHECK_STR(m.staff_id, "S001");
    CHECK_INT(lock.failures, 0);
    /* Four wrong: counted, not locked; the fifth locks the card for the lockout time. */
    for (int i = 1; i <= 4; i++) {
        CHECK_INT(kiosk_store_staff_sign_in(s, k1, "0000", T0 + i, LOCK_MS, "k1", &m, &lock),
                  KIOSK_ERR_DENIED);
        CHECK_INT(lock.failures, i);
        CHECK_INT(lock.locked_until_ms, 0);
    }
    CHECK_INT(kiosk_store_staff_sign_in(s, k1, "1111", T0 + 5, LOCK_MS, "k1", &m, &lock),
              KIOSK_ERR_DENIED);
    CHECK_INT(lock.locked_until_ms, T0 + 5 + LOCK_MS);
    /* Locked: even the right PIN is refused. Another card is not affected. */
    CHECK_INT(kiosk_store_staff_sign_in(s, k1, "1234", T0 + 60000, LOCK_MS, "k1", &m, &lock),
              KIOSK_ERR_DENIED);
    CHECK_INT(lock.locked_until_ms, T0 + 5 + LOCK_MS);
    CHECK_INT(kiosk_store_staff_sign_in(s, k2, "9876", T0 + 60000, LOCK_MS, "k1", &m, &lock),
              KIOSK_OK);
    /* A restart keeps the lock. */
    kiosk_store_close(s);
    s = open_store("pin.db");
    CHECK_INT(kiosk_store_staff_lock_get(s, k1, T0 + 120000, &lock), KIOSK_OK);
    CHECK_INT(lock.locked_until_ms, T0 + 5 + LOCK_MS);
    CHECK_INT(kiosk_store_staff_sign_in(s, k1, "1234", T0 + 120000, LOCK_MS, "k1", &m, &lock),
              KIOSK_ERR_DENIED);
    /* One millisecond before the end still locked; at the end the right PIN opens, and the
     * count starts again from zero. */
    CHECK_INT(kiosk_store_staff_lock_get(s, k1, T0 + 4 + LOCK_MS, &lock), KIOSK_OK);
    CHECK(lock.locked_until_ms != 0);
    CHECK_INT(kiosk_store_staff_lock_get(s, k1, T0 + 5 + LOCK_MS, &lock), KIOSK_OK);
    CHECK_INT(lock.locked_until_ms, 0);
    CHECK_INT(lock.failures, 0);
    CHECK_INT(kiosk_store_staff_sign_in(s, k1, "0000", T0 + 5 + LOCK_MS, LOCK_MS, "k1", &m, &lock),
              KIOSK_ERR_DENIED);
    CHECK_INT(lock.failures, 1);
    CHECK_INT(kiosk_store_staff_sign_in(s, k1, "1234", T0 + 6 + LOCK_MS, LOCK_MS, "k1", &m, &lock),
              KIOSK_OK);
    CHECK_INT(kiosk_store_staff_lock_get(s, k1, T0 + 7 + LOCK_MS, &lock), KIOSK_OK);
    CHECK_INT(lock.failures, 0);
    /* Every attempt is an audit entry (and an outbox record), the PIN in none. */
    CHECK_INT(count("pin.db", "SELECT count(*) FROM audit"), 11);
    CHECK_INT(count("pin.db", "SELECT count(*) FROM outbox WHERE kind = 'audit'"), 11);
    CHECK_INT(
        count("pin.db", "SELECT count(*) FROM audit WHERE payload LIKE '%\"outcome\":\"wrong\"%'"),
        5);
    CHECK_INT(
        count("pin.db", "SELECT count(*) FROM audit WHERE payload LIKE '%\"outcome\":\"lock\"%'"),
        1);
    CHECK_INT(
        count("pin.db", "SELECT count(*) FROM audit WHERE payload LIKE '%\"outcome\":\"locked\"%'"),
        2);
    CHECK_INT(count("pin.db", "SELECT count(*) FROM audit WHERE payload LIKE '%\"1234\"%'"
                              " OR payload LIKE '%\"0000\"%' OR payload LIKE '%\"1111\"%'"),
              0);
    kiosk_store_close(s);
}

static kiosk_staff_actor actor(const char *id, kiosk_staff_role role)
{
    kiosk_staff_actor a = {.role = role};
    snprintf(a.staff_id, sizeof a.staff_id, "%s", id);
    snprintf(a.kiosk_id, sizeof a.kiosk_id, "k1");
    return a;
}

static void test_roles_at_core(void)
{
    kiosk_store *s = open_store("roles.db");
    kiosk_staff_actor op = actor("S001", KIOSK_STAFF_OPERATOR);
    kiosk_staff_actor sup = actor("S002", KIOSK_STAFF_SUPERVISOR);
    CHECK_INT(kiosk_store_staff_act(s, &op, KIOSK_STAFF_EXIT_OS, "", "", "", T0), KIOSK_ERR_DENIED);
    CHECK_INT(kiosk_store_staff_act(s, &op, KIOSK_STAFF_SETTINGS, "volume", "", "", T0),
              KIOSK_ERR_DENIED);
    CHECK_INT(kiosk_store_staff_act(s, &sup, KIOSK_STAFF_SETTINGS, "volume", "", "80", T0),
              KIOSK_OK);
    CHECK_INT(kiosk_store_staff_act(s, &op, KIOSK_STAFF_DAY_VIEW, "", "", "", T0), KIOSK_OK);
    CHECK_INT(count("roles.db", "SELECT count(*) FROM audit WHERE payload LIKE"
                                " '%\"action\":\"exit_os\",\"at_ms\"%\"outcome\":\"refused\"%'"
                                " AND payload LIKE '%\"staff_id\":\"S001\"%'"),
              1);
    CHECK_INT(count("roles.db", "SELECT count(*) FROM audit WHERE payload LIKE"
                                " '%\"outcome\":\"refused\"%'"),
              2);
    kiosk_store_close(s);
}

/* The voice's volume, a local setting: a supervisor's only (refused at the core for an operator,
 * audited, nothing kept), kept with its audit entry (old -> new), and still there when the
 * database is opened again, as when the kiosk restarts; out of 0..100 is refused. */
static void test_voice_volume(void)
{
    kiosk_store *s = open_store("volume.db");
    kiosk_staff_actor op = actor("S001", KIOSK_STAFF_OPERATOR);
    kiosk_staff_actor sup = actor("S002", KIOSK_STAFF_SUPERVISOR);
    int volume = -1;
    CHECK_INT(kiosk_store_voice_volume(s, &volume), KIOSK_ERR_NOT_FOUND);
    CHECK_INT(volume, -1);
    CHECK_INT(kiosk_store_set_voice_volume(s, &op, 80, 90, T0), KIOSK_ERR_DENIED);
    CHECK_INT(kiosk_store_voice_volume(s, &volume), KIOSK_ERR_NOT_FOUND);
    CHECK_INT(count("volume.db", "SELECT count(*) FROM audit WHERE payload LIKE"
                                 " '%\"action\":\"settings\"%\"outcome\":\"refused\"%'"
                                 " AND payload LIKE '%\"staff_id\":\"S001\"%'"),
              1);
    CHECK_INT(kiosk_store_set_voice_volume(s, &sup, 80, 101, T0), KIOSK_ERR_INVALID);
    CHECK_INT(kiosk_store_set_voice_volume(s, &sup, 80, -10, T0), KIOSK_ERR_INVALID);
    CHECK_INT(kiosk_store_set_voice_volume(s, &sup, 80, 90, T0 + 1000), KIOSK_OK);
    CHECK_INT(kiosk_store_set_voice_volume(s, &sup, 90, 100, T0 + 2000), KIOSK_OK);
    CHECK_INT(kiosk_store_voice_volume(s, &volume), KIOSK_OK);
    CHECK_INT(volume, 100);
    CHECK_INT(count("volume.db", "SELECT count(*) FROM audit WHERE payload LIKE"
                                 " '%\"action\":\"settings\"%\"detail\":\"voice_volume 80 -> 90\"%'"
                                 " AND payload LIKE '%\"outcome\":\"ok\"%'"
                                 " AND payload LIKE '%\"staff_id\":\"S002\"%'"),
              1);
    CHECK_INT(count("volume.db", "SELECT count(*) FROM audit"), 3);
    /* Each entry went to the outbox with it, and the chain holds. */
    CHECK_INT(count("volume.db", "SELECT count(*) FROM outbox WHERE payload LIKE '%voice_volume%'"),
              2);
    kiosk_store_close(s);
    s = open_store("volume.db");
    volume = -1;
    CHECK_INT(kiosk_store_voice_volume(s, &volume), KIOSK_OK);
    CHECK_INT(volume, 100);
    long entries = 0;
    int64_t bad = 0;
    char why[200];
    CHECK_INT(kiosk_store_audit_verify(s, &entries, &bad, why, sizeof why), KIOSK_OK);
    CHECK_INT(entries, 3);
    kiosk_store_close(s);
}

/* Chains of n entries in a fresh database. */
static kiosk_store *chain_db(const char *name, int n)
{
    kiosk_store *s = open_store(name);
    kiosk_staff_actor op = actor("S001", KIOSK_STAFF_OPERATOR);
    for (int i = 0; i < n; i++) {
        char detail[32];
        snprintf(detail, sizeof detail, "entry %d", i + 1);
        CHECK_INT(kiosk_store_staff_act(s, &op, KIOSK_STAFF_STATUS, "", "", detail, T0 + i),
                  KIOSK_OK);
    }
    return s;
}

static void expect_break(kiosk_store *s, int64_t seq, const char *why_part)
{
    long entries;
    int64_t bad;
    char why[300];
    CHECK_INT(kiosk_store_audit_verify(s, &entries, &bad, why, sizeof why), KIOSK_ERR_INVALID);
    CHECK_INT(bad, seq);
    if (!strstr(why, why_part))
        fprintf(stderr, "the reason '%s' lacks '%s'\n", why, why_part);
    CHECK(strstr(why, why_part) != NULL);
}

/* Rewrites entry 3's detail and stores the hash of the new payload with it, as a forger who
 * knows the scheme would; with drop_outbox, the outbox copies are deleted too. */
static void forge(const char *name, bool drop_outbox)
{
    sqlite3 *db;
    sqlite3_open(path_in_dir(name), &db);
    sqlite3_exec(db, "DROP TRIGGER audit_immutable; DROP TRIGGER outbox_nodelete;", NULL, NULL,
                 NULL);
    sqlite3_stmt *st;
    sqlite3_prepare_v2(db, "SELECT payload FROM audit WHERE seq = 3", -1, &st, NULL);
    CHECK_INT(sqlite3_step(st), SQLITE_ROW);
    char forged[1024];
    snprintf(forged, sizeof forged, "%s", (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    char *at = strstr(forged, "entry 3");
    CHECK(at != NULL);
    if (at)
        at[6] = '9';
    uint8_t h[32];
    kiosk_audit_hash(forged, strlen(forged), h);
    sqlite3_prepare_v2(db, "UPDATE audit SET payload = ?1, hash = ?2 WHERE seq = 3", -1, &st, NULL);
    sqlite3_bind_text(st, 1, forged, -1, SQLITE_STATIC);
    sqlite3_bind_blob(st, 2, h, 32, SQLITE_STATIC);
    CHECK_INT(sqlite3_step(st), SQLITE_DONE);
    sqlite3_finalize(st);
    if (drop_outbox)
        CHECK_INT(sqlite3_exec(db, "DELETE FROM outbox WHERE kind = 'audit'", NULL, NULL, NULL),
                  SQLITE_OK);
    sqlite3_close(db);
}

static void test_audit_chain(void)
{
    kiosk_store *s = chain_db("chain.db", 6);
    long entries;
    int64_t bad;
    char why[300];
    CHECK_INT(kiosk_store_audit_verify(s, &entries, &bad, why, sizeof why), KIOSK_OK);
    CHECK_INT(entries, 6);
    /* The triggers refuse changes through SQL. */
    sqlite3 *db;
    sqlite3_open(path_in_dir("chain.db"), &db);
    CHECK(sqlite3_exec(db, "UPDATE audit SET payload = 'x' WHERE seq = 2", NULL, NULL, NULL) !=
          SQLITE_OK);
    CHECK(sqlite3_exec(db, "DELETE FROM audit WHERE seq = 2", NULL, NULL, NULL) != SQLITE_OK);
    sqlite3_close(db);
    kiosk_store_close(s);

    /* A changed entry, with the triggers dropped: named by its hash. */
    tamper("chain.db", "DROP TRIGGER audit_immutable; DROP TRIGGER audit_nodelete;"
                       "UPDATE audit SET payload = replace(payload, 'entry 3', 'entry 9')"
                       " WHERE seq = 3");
    s = open_store("chain.db");
    expect_break(s, 3, "does not match its stored hash");
    kiosk_store_close(s);

    /* Changed with its hash made to match: the outbox copy names it. */
    s = chain_db("chain2.db", 6);
    kiosk_store_close(s);
    forge("chain2.db", false);
    s = open_store("chain2.db");
    expect_break(s, 3, "differs from the copy queued for the server");
    kiosk_store_close(s);

    /* A removed entry: the first missing number. */
    s = chain_db("chain3.db", 6);
    kiosk_store_close(s);
    tamper("chain3.db", "DROP TRIGGER audit_nodelete; DELETE FROM audit WHERE seq = 4");
    s = open_store("chain3.db");
    expect_break(s, 4, "entry 4 is missing");
    kiosk_store_close(s);

    /* The last entries removed leave a chain that holds: the server, which has them, sees it.
     * An entry renumbered to close the gap breaks the chain at that entry. */
    s = chain_db("chain4.db", 6);
    kiosk_store_close(s);
    tamper("chain4.db", "DROP TRIGGER audit_nodelete; DROP TRIGGER audit_immutable;"
                        "DELETE FROM audit WHERE seq = 2; UPDATE audit SET seq = 2 WHERE seq = 3");
    s = open_store("chain4.db");
    expect_break(s, 2, "sequence number 3 where 2 was due");
    kiosk_store_close(s);

    /* Changed with its hash made to match, the outbox copy gone (as when acknowledged and
     * pruned): the next entry's prev names the break. */
    s = chain_db("chain5.db", 6);
    kiosk_store_close(s);
    forge("chain5.db", true);
    s = open_store("chain5.db");
    expect_break(s, 4, "prev is not the hash of entry 3");
    kiosk_store_close(s);
}

static void test_void(void)
{
    kiosk_store *s = open_store("void.db");
    kiosk_date today = {2026, 11, 23}, yesterday = {2026, 11, 22};
    kiosk_meal_entry a = sample_lunch("p1", "k1", "canteen-01", T0, today);
    kiosk_meal_entry b = sample_lunch("p1", "k1", "canteen-01", T0 - 86400000, yesterday);
    CHECK_INT(kiosk_store_add_meal(s, &a), KIOSK_OK);
    CHECK_INT(kiosk_store_add_meal(s, &b), KIOSK_OK);
    kiosk_meal_summary sum;
    CHECK_INT(kiosk_store_meal_summary(s, "p1", today, &sum), KIOSK_OK);
    CHECK_INT(sum.day_count, 1);
    CHECK_INT(sum.month_subsidy_fen, 1000);

    kiosk_staff_actor op = actor("S001", KIOSK_STAFF_OPERATOR);
    kiosk_recid v;
    CHECK_INT(kiosk_store_void_meal(s, &op, &b.record_id, "wrong_person", today, T0 + 1000, &v),
              KIOSK_ERR_INVALID); /* not today's */
    kiosk_recid unknown = kiosk_recid_new(T0);
    CHECK_INT(kiosk_store_void_meal(s, &op, &unknown, "wrong_person", today, T0 + 1000, &v),
              KIOSK_ERR_NOT_FOUND);
    CHECK_INT(kiosk_store_void_meal(s, &op, &a.record_id, "wrong_person", today, T0 + 1000, &v),
              KIOSK_OK);
    CHECK_INT(kiosk_store_void_meal(s, &op, &a.record_id, "wrong_person", today, T0 + 2000, &v),
              KIOSK_ERR_INVALID); /* once */

    /* The meal stays; the void is added, with its outbox row and audit entry. */
    CHECK_INT(count("void.db", "SELECT count(*) FROM meal"), 2);
    CHECK_INT(count("void.db", "SELECT count(*) FROM meal_void"), 1);
    CHECK_INT(count("void.db", "SELECT count(*) FROM outbox WHERE kind = 'override' AND payload"
                               " LIKE '%\"type\":\"void\"%' AND payload LIKE '%wrong_person%'"),
              1);
    CHECK_INT(count("void.db",
                    "SELECT count(*) FROM audit WHERE payload LIKE"
                    " '%\"action\":\"void_meal\"%' AND payload LIKE '%\"staff_id\":\"S001\"%'"),
              1);
    /* The limits, the report and the day list see it. */
    CHECK_INT(kiosk_store_meal_summary(s, "p1", today, &sum), KIOSK_OK);
    CHECK_INT(sum.day_count, 0);
    CHECK_INT(sum.month_subsidy_fen, 500);
    kiosk_report rep;
    CHECK_INT(kiosk_store_report(s, today, today, &rep), KIOSK_OK);
    CHECK_INT(rep.meals, 0);
    CHECK_INT(kiosk_store_report(s, yesterday, today, &rep), KIOSK_OK);
    CHECK_INT(rep.meals, 1);
    CHECK_INT(rep.subsidy_fen, 500);
    kiosk_day_meal list[4];
    size_t n;
    CHECK_INT(kiosk_store_day_meals(s, today, list, 4, &n), KIOSK_OK);
    CHECK_INT(n, 1);
    CHECK(list[0].voided);
    long entries;
    int64_t bad;
    char why[200];
    CHECK_INT(kiosk_store_audit_verify(s, &entries, &bad, why, sizeof why), KIOSK_OK);
    CHECK_INT(entries, 1);
    kiosk_store_close(s);
}

/* The pure chain step: an entry with the wrong prev or number is refused and leaves the chain. */
static void test_chain_step(void)
{
    kiosk_audit_entry e = {.seq = 1, .at_ms = T0};
    snprintf(e.action, sizeof e.action, "pin");
    char *p1 = kiosk_audit_payload(&e);
    kiosk_audit_chain c;
    kiosk_audit_chain_init(&c);
    char why[200];
    CHECK_INT(kiosk_audit_chain_step(&c, p1, strlen(p1), why, sizeof why), KIOSK_OK);
    uint8_t h1[32];
    kiosk_audit_hash(p1, strlen(p1), h1);
    CHECK(memcmp(c.last_hash, h1, 32) == 0);
    e.seq = 2;
    char *wrong = kiosk_audit_payload(&e); /* prev still zeros */
    CHECK_INT(kiosk_audit_chain_step(&c, wrong, strlen(wrong), why, sizeof why), KIOSK_ERR_INVALID);
    CHECK_INT(c.last_seq, 1);
    memcpy(e.prev, h1, 32);
    char *p2 = kiosk_audit_payload(&e);
    CHECK_INT(kiosk_audit_chain_step(&c, p2, strlen(p2), why, sizeof why), KIOSK_OK);
    CHECK_INT(kiosk_audit_chain_step(&c, p2, strlen(p2), why, sizeof why), KIOSK_ERR_INVALID);
    CHECK_INT(kiosk_audit_chain_step(&c, "{}", 2, why, sizeof why), KIOSK_ERR_INVALID);
    /* The canonical bytes: sorted keys, no spaces. */
    static const char canonical[] = "{\"action\":\"pin\",\"at_ms\":1795404600000,\"detail\":\"\","
                                    "\"kiosk_id\":\"\",\"outcome\":\"\",\"prev\":\"0000";
    CHECK(strncmp(p1, canonical, sizeof canonical - 1) == 0);
    free(p1);
    free(wrong);
    free(p2);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: test_staff DATA_DIR\n");
        return 2;
    }
    data_dir = argv[1];
    dir = check_scratch_dir("test_staff");
    if (!dir)
        return 1;
    test_roles();
    test_pin();
    test_csv();
    test_import();
    test_sign_in_and_lock();
    test_roles_at_core();
    test_voice_volume();
    test_chain_step();
    test_audit_chain();
    test_void();
    check_scratch_remove(dir);
    printf("%d checks, %d failed\n", check_count, check_failures);
    return check_failures ? 1 : 0;
}
