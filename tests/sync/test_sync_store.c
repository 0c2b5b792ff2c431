/* test_sync_store.c - the store's side of sync on a real SQLite file: a pulled page and its
 * cursor are one transaction (a process killed between the rows and the commit leaves neither;
 * the same page applied again changes nothing), rows replace older versions only, tombstones
 * remove older rows and leave a person's meals, a card may come before its holder, other kiosks'
 * meals go into meal and never into the outbox and count for the limits, a snapshot swapped in
 * (persons not in it inactive, cards deleted, the cursor saved; a kill while staging changes
 * nothing), enrollment's card key drops hashes made with another key, and the offline figures. */
#define _POSIX_C_SOURCE 200809L
#include <sodium.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "card_key.h"
#include "check.h"
#include "db_query.h"
#include "store.h"
#include "sync_state.h"

static char db_path[600];

static kiosk_store *open_store(void)
{
    kiosk_store *s = NULL;
    char err[600];
    if (kiosk_store_open(db_path, &s, err, sizeof err) != KIOSK_OK) {
        fprintf(stderr, "open: %s\n", err);
        exit(1);
    }
    return s;
}

/* A number from the file through a connection of its own. */
static long query(const char *sql)
{
    return db_query_long(db_path, sql);
}

static kiosk_person_row person(const char *id, const char *name, bool active)
{
    kiosk_person_row r;
    memset(&r, 0, sizeof r);
    snprintf(r.person_id, sizeof r.person_id, "%s", id);
    snprintf(r.name_masked, sizeof r.name_masked, "%s", name);
    r.person.birth = (kiosk_date){1940, 5, 1};
    r.person.local_hukou = r.person.local_resident = true;
    r.person.active = active;
    snprintf(r.person.home.city, sizeof r.person.home.city, "3201");
    return r;
}

static kiosk_card_row card(uint8_t fill, const char *holder, bool blocked)
{
    kiosk_card_row r;
    memset(&r, 0, sizeof r);
    memset(r.card_key, fill, sizeof r.card_key);
    snprintf(r.person_id, sizeof r.person_id, "%s", holder);
    r.info.blocked = blocked;
    return r;
}

static void cursor_is(kiosk_store *s, const char *stream, const char *want)
{
    char cursor[256];
    int64_t ok;
    CHECK_INT(kiosk_store_sync_cursor(s, stream, cursor, sizeof cursor, &ok), KIOSK_OK);
    CHECK_STR(cursor, want);
}

/* The roster page of versions 5..7 (and a card of a person not yet on the roster). */
static kiosk_rc apply_first_page(kiosk_store *s)
{
    kiosk_rc rc = kiosk_store_begin(s);
    kiosk_person_row p1 = person("P1", "张*明", true), p2 = person("P2", "李*", true);
    kiosk_card_row c1 = card(0x11, "P1", false), cx = card(0x22, "PX", true);
    if (rc == KIOSK_OK)
        rc = kiosk_store_sync_put_person(s, &p1, 5);
    if (rc == KIOSK_OK)
        rc = kiosk_store_sync_put_person(s, &p2, 6);
    if (rc == KIOSK_OK)
        rc = kiosk_store_sync_put_card(s, &c1, 7);
    if (rc == KIOSK_OK)
        rc = kiosk_store_sync_put_card(s, &cx, 7);
    return rc;
}

static void page_and_cursor(void)
{
    /* A process that dies after applying the rows and before the commit: nothing of it stays. */
    pid_t child = fork();
    if (child == 0) {
        kiosk_store *s = open_store();
        if (apply_first_page(s) != KIOSK_OK)
            _exit(2);
        _exit(0); /* no commit, no close: as a power cut or kill -9 would leave it */
    }
    int status = 0;
    waitpid(child, &status, 0);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    CHECK_INT(query("SELECT count(*) FROM person"), 0);
    kiosk_store *s = open_store();
    cursor_is(s, "roster", "");

    /* The same page again, committed with its cursor. */
    CHECK_INT(apply_first_page(s), KIOSK_OK);
    CHECK_INT(kiosk_store_sync_page_commit(s, "roster", "7", true, 1000), KIOSK_OK);
    cursor_is(s, "roster", "7");
    CHECK_INT(query("SELECT count(*) FROM person WHERE sync_version IS NOT NULL"), 2);
    /* The card's holder PX got an inactive placeholder: a tap is refused, never served. */
    CHECK_INT(query("SELECT active FROM person WHERE person_id = 'PX'"), 0);
    kiosk_holder h;
    uint8_t key[32];
    memset(key, 0x22, sizeof key);
    CHECK_INT(kiosk_store_find_card(s, key, &h), KIOSK_OK);
    CHECK(h.card.blocked && !h.person.active);

    /* Once more: idempotent. */
    CHECK_INT(apply_first_page(s), KIOSK_OK);
    CHECK_INT(kiosk_store_sync_page_commit(s, "roster", "7", true, 2000), KIOSK_OK);
    CHECK_INT(query("SELECT count(*) FROM person"), 3);
    CHECK_INT(query("SELECT count(*) FROM card"), 2);

    /* An older version does not replace a newer one; a newer one does, and the roster's row
     * replaces the placeholder. */
    kiosk_person_row old = person("P1", "旧*名", false), newer = person("P1", "新*名", true),
                     px = person("PX", "周*强", true);
    CHECK_INT(kiosk_store_begin(s), KIOSK_OK);
    CHECK_INT(kiosk_store_sync_put_person(s, &old, 4), KIOSK_OK);
    CHECK_INT(kiosk_store_sync_put_person(s, &px, 8), KIOSK_OK);
    CHECK_INT(kiosk_store_sync_page_commit(s, "roster", "8", false, 3000), KIOSK_OK);
    memset(key, 0x11, sizeof key);
    CHECK_INT(kiosk_store_find_card(s, key, &h), KIOSK_OK);
    CHECK_STR(h.name_masked, "张*明");
    CHECK_INT(query("SELECT active FROM person WHERE person_id = 'PX'"), 1);
    CHECK_INT(kiosk_store_begin(s), KIOSK_OK);
    CHECK_INT(kiosk_store_sync_put_person(s, &newer, 9), KIOSK_OK);
    CHECK_INT(kiosk_store_sync_page_commit(s, "roster", "9", true, 4000), KIOSK_OK);
    CHECK_INT(kiosk_store_find_card(s, key, &h), KIOSK_OK);
    CHECK_STR(h.name_masked, "新*名");

    /* A blocked card from the cards stream takes effect on the next lookup. */
    kiosk_card_row blocked = card(0x11, "P1", true);
    CHECK_INT(kiosk_store_begin(s), KIOSK_OK);
    CHECK_INT(kiosk_store_sync_put_card(s, &blocked, 20), KIOSK_OK);
    CHECK_INT(kiosk_store_sync_page_commit(s, "cards", "20", true, 5000), KIOSK_OK);
    CHECK_INT(kiosk_store_find_card(s, key, &h), KIOSK_OK);
    CHECK(h.card.blocked);

    /* Tombstones: an older one is ignored, a newer one removes the person and the cards. */
    CHECK_INT(kiosk_store_begin(s), KIOSK_OK);
    CHECK_INT(kiosk_store_sync_drop_person(s, "P2", 3), KIOSK_OK);
    CHECK_INT(kiosk_store_sync_page_commit(s, "roster", "10", true, 6000), KIOSK_OK);
    CHECK_INT(query("SELECT count(*) FROM person WHERE person_id = 'P2'"), 1);
    CHECK_INT(kiosk_store_begin(s), KIOSK_OK);
    CHECK_INT(kiosk_store_sync_drop_person(s, "PX", 30), KIOSK_OK);
    CHECK_INT(kiosk_store_sync_drop_card(s, key, 10), KIOSK_OK); /* older than the card's 20 */
    CHECK_INT(kiosk_store_sync_page_commit(s, "roster", "30", true, 7000), KIOSK_OK);
    CHECK_INT(query("SELECT count(*) FROM person WHERE person_id = 'PX'"), 0);
    CHECK_INT(query("SELECT count(*) FROM card WHERE person_id = 'PX'"), 0);
    CHECK_INT(query("SELECT count(*) FROM card WHERE person_id = 'P1'"), 1);
    kiosk_store_close(s);
}

static kiosk_meal_entry meal_of(const char *person_id, const char *kiosk, bool offline,
                                int64_t subsidy)
{
    kiosk_meal_entry m;
    memset(&m, 0, sizeof m);
    m.record_id = kiosk_recid_new(1795404600000);
    snprintf(m.person_id, sizeof m.person_id, "%s", person_id);
    snprintf(m.kiosk_id, sizeof m.kiosk_id, "%s", kiosk);
    snprintf(m.canteen_id, sizeof m.canteen_id, "canteen-01");
    m.created_utc_ms = 1795404600000;
    m.at = (kiosk_local_time){{2026, 11, 23}, 690, 0};
    m.decision.meal_type = KIOSK_MEAL_LUNCH;
    m.decision.price_fen = 1500;
    m.decision.subsidy_fen = subsidy;
    m.decision.pay_fen = 1500 - subsidy;
    m.decision.funding_fen[KIOSK_LEVEL_CITY] = subsidy;
    snprintf(m.decision.class_id, sizeof m.decision.class_id, "age80");
    snprintf(m.decision.policy_version, sizeof m.decision.policy_version, "gl-2026.1");
    m.offline = offline;
    m.offline_age_s = offline ? 4000 : -1;
    return m;
}

static void meals_and_offline(void)
{
    kiosk_store *s = open_store();
    /* Another kiosk's meal: in meal (source server), not in the outbox, counted by the limits. */
    kiosk_meal_entry other = meal_of("P1", "k-other", false, 500);
    CHECK_INT(kiosk_store_begin(s), KIOSK_OK);
    CHECK_INT(kiosk_store_sync_put_meal(s, &other), KIOSK_OK);
    CHECK_INT(kiosk_store_sync_put_meal(s, &other), KIOSK_OK); /* again: nothing more */
    CHECK_INT(kiosk_store_sync_page_commit(s, "meals_today", "1", true, 1000), KIOSK_OK);
    CHECK_INT(query("SELECT count(*) FROM meal WHERE source = 'server'"), 1);
    CHECK_INT(query("SELECT count(*) FROM outbox"), 0);
    kiosk_meal_summary sum;
    CHECK_INT(kiosk_store_meal_summary(s, "P1", (kiosk_date){2026, 11, 23}, &sum), KIOSK_OK);
    CHECK_INT(sum.type_count[KIOSK_MEAL_LUNCH], 1);
    /* A meal the table refuses leaves the page usable. */
    kiosk_meal_entry bad = meal_of("P1", "k-other", false, 500);
    bad.decision.pay_fen = 7;
    CHECK_INT(kiosk_store_begin(s), KIOSK_OK);
    CHECK_INT(kiosk_store_sync_put_meal(s, &bad), KIOSK_ERR_INVALID);
    CHECK_INT(kiosk_store_sync_page_commit(s, "meals_today", "2", true, 1000), KIOSK_OK);
    cursor_is(s, "meals_today", "2");

    /* This kiosk's meals made offline: pending and subsidised ones count towards the limit. */
    long n = -1;
    CHECK_INT(kiosk_store_sync_offline_pending(s, &n), KIOSK_OK);
    CHECK_INT(n, 0);
    kiosk_meal_entry off1 = meal_of("P1", "k1", true, 500), off2 = meal_of("P2", "k1", true, 0),
                     on = meal_of("P2", "k1", false, 500);
    CHECK_INT(kiosk_store_add_meal(s, &off1), KIOSK_OK);
    CHECK_INT(kiosk_store_add_meal(s, &off2), KIOSK_OK);
    CHECK_INT(kiosk_store_add_meal(s, &on), KIOSK_OK);
    CHECK_INT(kiosk_store_sync_offline_pending(s, &n), KIOSK_OK);
    CHECK_INT(n, 1);
    CHECK_INT(kiosk_store_sync_offline_meals_on(s, (kiosk_date){2026, 11, 23}, &n), KIOSK_OK);
    CHECK_INT(n, 2);
    CHECK_INT(query("SELECT count(*) FROM outbox WHERE payload LIKE '%\"offline\":true%'"), 2);
    kiosk_outbox_result acked = {.record_id = off1.record_id, .outcome = KIOSK_OUTBOX_ACKED};
    CHECK_INT(kiosk_store_outbox_mark(s, &acked, 1, 5000), KIOSK_OK);
    CHECK_INT(kiosk_store_sync_offline_pending(s, &n), KIOSK_OK);
    CHECK_INT(n, 0);
    kiosk_store_close(s);
}

static void stage_roster(kiosk_store *s)
{
    kiosk_person_row p1 = person("P1", "新*名二", true), p5 = person("P5", "钱*", true);
    CHECK_INT(kiosk_store_sync_snapshot_start(s, "roster"), KIOSK_OK);
    CHECK_INT(kiosk_store_sync_shadow_begin(s), KIOSK_OK);
    CHECK_INT(kiosk_store_sync_shadow_person(s, &p1, 40), KIOSK_OK);
    CHECK_INT(kiosk_store_sync_shadow_commit(s), KIOSK_OK);
    CHECK_INT(kiosk_store_sync_shadow_begin(s), KIOSK_OK);
    CHECK_INT(kiosk_store_sync_shadow_person(s, &p5, 41), KIOSK_OK);
    CHECK_INT(kiosk_store_sync_shadow_commit(s), KIOSK_OK);
}

static void snapshots(void)
{
    kiosk_store *s = open_store();
    kiosk_person_row p4 = person("P4", "孙*", true);
    kiosk_card_row c4 = card(0x44, "P4", false), c5 = card(0x55, "P1", false);
    CHECK_INT(kiosk_store_begin(s), KIOSK_OK);
    CHECK_INT(kiosk_store_sync_put_person(s, &p4, 35), KIOSK_OK);
    CHECK_INT(kiosk_store_sync_put_card(s, &c4, 35), KIOSK_OK);
    CHECK_INT(kiosk_store_sync_put_card(s, &c5, 36), KIOSK_OK);
    CHECK_INT(kiosk_store_sync_page_commit(s, "cards", "36", true, 1000), KIOSK_OK);
    kiosk_store_close(s);
    long persons = query("SELECT count(*) FROM person");
    long active = query("SELECT count(*) FROM person WHERE active = 1");

    /* Killed while staging: the live tables are as they were. */
    pid_t child = fork();
    if (child == 0) {
        kiosk_store *k = open_store();
        stage_roster(k);
        _exit(check_failures ? 2 : 0);
    }
    int status = 0;
    waitpid(child, &status, 0);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    CHECK_INT(query("SELECT count(*) FROM person"), persons);
    CHECK_INT(query("SELECT count(*) FROM person WHERE active = 1"), active);
    CHECK_INT(query("SELECT count(*) FROM person WHERE person_id = 'P5'"), 0);

    /* Staged and swapped in (one row per transaction, to cross chunk boundaries). */
    s = open_store();
    stage_roster(s);
    kiosk_snapshot_report report;
    CHECK_INT(kiosk_store_sync_snapshot_swap(s, "roster", "41", 9000, 1, &report), KIOSK_OK);
    CHECK_INT(report.rows, 2);
    CHECK_INT(report.written, 2);
    CHECK(report.removed >= 2); /* P2 and P4 at least */
    cursor_is(s, "roster", "41");
    CHECK_INT(query("SELECT count(*) FROM person WHERE person_id = 'P5' AND active = 1"), 1);
    CHECK_INT(query("SELECT count(*) FROM person WHERE person_id = 'P4' AND active = 0"), 1);
    CHECK_INT(query("SELECT count(*) FROM person WHERE active = 1"), 2);
    CHECK_INT(query("SELECT count(*) FROM person WHERE person_id = 'P1' AND sync_version = 40"), 1);
    /* Their meals and cards stay on record. */
    CHECK_INT(query("SELECT count(*) FROM meal WHERE person_id = 'P2'"), 2);
    CHECK_INT(query("SELECT count(*) FROM card WHERE person_id = 'P4'"), 1);
    /* The same snapshot again writes nothing: the swap is by difference. */
    stage_roster(s);
    CHECK_INT(kiosk_store_sync_snapshot_swap(s, "roster", "41", 9500, 1000, &report), KIOSK_OK);
    CHECK_INT(report.written, 0);
    CHECK_INT(report.removed, 0);

    /* Cards: the ones not in the snapshot are deleted. */
    kiosk_card_row keep = card(0x55, "P1", true);
    CHECK_INT(kiosk_store_sync_snapshot_start(s, "cards"), KIOSK_OK);
    CHECK_INT(kiosk_store_sync_shadow_begin(s), KIOSK_OK);
    CHECK_INT(kiosk_store_sync_shadow_card(s, &keep, 50), KIOSK_OK);
    CHECK_INT(kiosk_store_sync_shadow_commit(s), KIOSK_OK);
    CHECK_INT(kiosk_store_sync_snapshot_swap(s, "cards", "50", 9900, 1000, &report), KIOSK_OK);
    CHECK_INT(query("SELECT count(*) FROM card"), 1);
    CHECK_INT(query("SELECT blocked FROM card"), 1);
    cursor_is(s, "cards", "50");
    kiosk_store_close(s);
}

static void policies(void)
{
    const char *src = getenv("KIOSK_SOURCE_DIR");
    char path[700];
    snprintf(path, sizeof path, "%s/tests/policies/fixed-by-class.json", src ? src : ".");
    FILE *f = fopen(path, "rb");
    CHECK(f != NULL);
    if (!f)
        return;
    static char json[1 << 16];
    size_t len = fread(json, 1, sizeof json, f);
    fclose(f);
    kiosk_store *s = open_store();
    bool changed = false;
    char err[200];
    CHECK_INT(kiosk_store_begin(s), KIOSK_OK);
    CHECK_INT(kiosk_store_sync_put_policy(s, json, len, 3, &changed, err, sizeof err), KIOSK_OK);
    CHECK(changed);
    CHECK_INT(kiosk_store_sync_put_policy(s, json, len, 3, &changed, err, sizeof err), KIOSK_OK);
    CHECK(!changed);
    CHECK_INT(kiosk_store_sync_put_policy(s, "{\"version\":1}", 13, 4, &changed, err, sizeof err),
              KIOSK_ERR_PARSE);
    CHECK_INT(kiosk_store_sync_page_commit(s, "policy", "4", true, 1000), KIOSK_OK);
    kiosk_policy_set *set = NULL;
    CHECK_INT(kiosk_store_load_policies(s, &set), KIOSK_OK);
    CHECK(kiosk_policy_set_in_force(set, (kiosk_date){2026, 11, 23}) != NULL);
    kiosk_policy_set_free(set);
    CHECK_INT(kiosk_store_begin(s), KIOSK_OK);
    CHECK_INT(kiosk_store_sync_drop_policy(s, "gl-2026.1", 2, &changed), KIOSK_OK);
    CHECK(!changed);
    CHECK_INT(kiosk_store_sync_drop_policy(s, "gl-2026.1", 9, &changed), KIOSK_OK);
    CHECK(changed);
    CHECK_INT(kiosk_store_sync_page_commit(s, "policy", "9", true, 1000), KIOSK_OK);
    CHECK_INT(query("SELECT count(*) FROM policy"), 0);
    kiosk_store_close(s);
}

static void enrollment(void)
{
    kiosk_store *s = open_store();
    kiosk_sync_identity id;
    CHECK_INT(kiosk_store_sync_identity(s, &id), KIOSK_ERR_NOT_FOUND);
    /* Hashes made with this database's own key ... */
    uint8_t uid[4] = {4, 1, 2, 3}, local[32];
    kiosk_store_card_key(s, uid, sizeof uid, local);
    kiosk_card_row mine = card(0, "P1", false);
    memcpy(mine.card_key, local, 32);
    CHECK_INT(kiosk_store_begin(s), KIOSK_OK);
    CHECK_INT(kiosk_store_upsert_card(s, &mine), KIOSK_OK);
    CHECK_INT(kiosk_store_commit(s), KIOSK_OK);
    CHECK_INT(query("SELECT count(*) FROM person WHERE id_key IS NOT NULL"), 0);

    /* ... are dropped when the city's key replaces it. */
    memset(&id, 0, sizeof id);
    snprintf(id.device_id, sizeof id.device_id, "k-0412");
    memset(id.secret, 7, sizeof id.secret);
    uint8_t city[32];
    memset(city, 0x5a, sizeof city);
    bool dropped = false;
    CHECK_INT(kiosk_store_sync_enroll(s, &id, city, &dropped), KIOSK_OK);
    CHECK(dropped);
    CHECK_INT(query("SELECT count(*) FROM card"), 0);
    cursor_is(s, "cards", "");
    bool from_server = false;
    CHECK_INT(kiosk_store_card_key_from_server(s, &from_server), KIOSK_OK);
    CHECK(from_server);
    uint8_t now_key[32], expect[32];
    kiosk_store_card_key(s, uid, sizeof uid, now_key);
    kiosk_card_key_of_uid(city, uid, sizeof uid, expect);
    CHECK(memcmp(now_key, expect, 32) == 0);
    kiosk_store_close(s);

    /* Another handle reads the identity and the new key. */
    s = open_store();
    kiosk_sync_identity back;
    CHECK_INT(kiosk_store_sync_identity(s, &back), KIOSK_OK);
    CHECK_STR(back.device_id, "k-0412");
    CHECK_INT(back.secret[5], 7);
    kiosk_store_card_key(s, uid, sizeof uid, now_key);
    CHECK(memcmp(now_key, expect, 32) == 0);
    /* The same key again drops nothing. */
    CHECK_INT(kiosk_store_sync_enroll(s, &back, city, &dropped), KIOSK_OK);
    CHECK(!dropped);
    int64_t v = 0;
    CHECK_INT(kiosk_store_sync_get_int(s, "sync_last_ok_ms", &v), KIOSK_ERR_NOT_FOUND);
    CHECK_INT(kiosk_store_sync_set_int(s, "sync_last_ok_ms", 42), KIOSK_OK);
    CHECK_INT(kiosk_store_sync_get_int(s, "sync_last_ok_ms", &v), KIOSK_OK);
    CHECK_INT(v, 42);
    CHECK_INT(kiosk_store_sync_set_int(s, "card_key", 1), KIOSK_ERR_INVALID);
    kiosk_store_close(s);
}

int main(void)
{
    if (sodium_init() < 0)
        return 1;
    const char *dir = check_scratch_dir("kiosk-sync-store");
    if (!dir)
        return 1;
    snprintf(db_path, sizeof db_path, "%s/kiosk.db", dir);
    kiosk_store *s = open_store();
    CHECK(kiosk_store_schema_version(s) >= 3);
    kiosk_store_close(s);
    page_and_cursor();
    meals_and_offline();
    snapshots();
    policies();
    enrollment();
    check_scratch_remove(dir);
    CHECK_DONE();
}
