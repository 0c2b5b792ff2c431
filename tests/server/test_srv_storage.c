/* test_srv_storage.c - the server's storage interface (server/storage.h) on one backend:
 *   test_srv_storage sqlite   a database file in a scratch directory under $TMPDIR
 *   test_srv_storage pg       the database of $KIOSK_TEST_PG (tests/server/with_postgres.sh)
 * Both runs make the same calls and expect the same answers: the two backends must decide
 * alike. Also the ingest rules over the store (ingest.h): dedup, conflicts, ranges and the
 * reconciliation of second subsidies. */
#define _POSIX_C_SOURCE 200809L
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "ingest.h"
#include "storage.h"
#include "store_spec.h"
#include "wire.h"

static srv_store *open_store(const char *spec)
{
    srv_store *st = NULL;
    char err[300] = "";
    kiosk_rc rc = srv_store_open(spec, &st, err, sizeof err);
    if (rc != KIOSK_OK)
        fprintf(stderr, "open %s: %s\n", spec, err);
    CHECK_INT(rc, KIOSK_OK);
    return st;
}

static void test_open_twice(const char *spec)
{
    uint8_t a[32], b[32];
    srv_store *st = open_store(spec);
    CHECK_INT(srv_store_card_key(st, a), KIOSK_OK);
    srv_store_close(st);
    st = open_store(spec); /* the schema is there: opening again changes nothing */
    CHECK_INT(srv_store_card_key(st, b), KIOSK_OK);
    CHECK(memcmp(a, b, 32) == 0);
    static const uint8_t zero[32];
    CHECK(memcmp(a, zero, 32) != 0);
    srv_store_close(st);
}

static kiosk_rc count_site(void *user, const srv_site *s)
{
    (void)s;
    ++*(int *)user;
    return KIOSK_OK;
}

static void test_sites_devices(srv_store *st)
{
    srv_site s = {
        .site_id = "s1", .name = "长者食堂", .timezone = "Asia/Shanghai", .created_ms = 1000};
    snprintf(s.area.city, sizeof s.area.city, "320100");
    CHECK_INT(srv_store_begin(st, true), KIOSK_OK);
    CHECK_INT(srv_store_site_add(st, &s), KIOSK_OK);
    CHECK_INT(srv_store_site_add(st, &s), KIOSK_ERR_INVALID);
    srv_site s2 = s;
    snprintf(s2.site_id, sizeof s2.site_id, "s2");
    CHECK_INT(srv_store_site_add(st, &s2), KIOSK_OK);
    CHECK_INT(srv_store_commit(st), KIOSK_OK);
    srv_site got;
    CHECK_INT(srv_store_site_get(st, "s1", &got), KIOSK_OK);
    CHECK_STR(got.name, "长者食堂");
    CHECK_STR(got.area.city, "320100");
    CHECK_INT(srv_store_site_get(st, "nope", &got), KIOSK_ERR_NOT_FOUND);
    int n = 0;
    CHECK_INT(srv_store_site_list(st, count_site, &n), KIOSK_OK);
    CHECK_INT(n, 2);

    srv_device d = {.device_id = "k1", .site_id = "s1", .canteen_id = "c1", .created_ms = 5};
    CHECK_INT(srv_store_device_add(st, &d), KIOSK_OK);
    CHECK_INT(srv_store_device_add(st, &d), KIOSK_ERR_INVALID);
    srv_device bad = {.device_id = "k9", .site_id = "no-such-site", .canteen_id = "c1"};
    CHECK(srv_store_device_add(st, &bad) != KIOSK_OK); /* a device belongs to a known site */
    srv_token t = {.token_sha256 = "aa", .device_id = "k1", .created_ms = 5, .expires_ms = 99};
    CHECK_INT(srv_store_token_add(st, &t), KIOSK_OK);
    srv_token tg;
    CHECK_INT(srv_store_token_get(st, "aa", &tg), KIOSK_OK);
    CHECK_INT(tg.expires_ms, 99);
    CHECK_INT(tg.used_ms, 0);
    CHECK_INT(srv_store_token_use(st, "aa", 7), KIOSK_OK);
    CHECK_INT(srv_store_token_use(st, "aa", 8), KIOSK_ERR_INVALID);
    CHECK_INT(srv_store_token_get(st, "zz", &tg), KIOSK_ERR_NOT_FOUND);

    CHECK_INT(srv_store_device_enroll(st, "k1", "ab12", "{\"v\":1}", 10), KIOSK_OK);
    CHECK_INT(srv_store_device_enroll(st, "k1", "cd34", NULL, 11), KIOSK_ERR_INVALID);
    srv_device dg;
    CHECK_INT(srv_store_device_get(st, "k1", &dg), KIOSK_OK);
    CHECK_STR(dg.secret_hex, "ab12");
    CHECK_INT(dg.enrolled_ms, 10);
    CHECK_INT(dg.hb_received_ms, 0);
    CHECK_INT(dg.hb_pending, -1);

    srv_heartbeat hb = {.received_ms = 20,
                        .body = "{}",
                        .pending = 3,
                        .oldest_pending_ms = -1,
                        .has_clock_offset = true,
                        .clock_offset_ms = -420,
                        .app_version = "0.3"};
    CHECK_INT(srv_store_heartbeat_put(st, "k1", &hb), KIOSK_OK);
    hb.received_ms = 21;
    hb.pending = 0;
    CHECK_INT(srv_store_heartbeat_put(st, "k1", &hb), KIOSK_OK); /* the latest one is kept */
    CHECK_INT(srv_store_device_get(st, "k1", &dg), KIOSK_OK);
    CHECK_INT(dg.hb_received_ms, 21);
    CHECK_INT(dg.hb_pending, 0);
    CHECK(dg.hb_has_clock_offset);
    CHECK_INT(dg.hb_clock_offset_ms, -420);
    CHECK_STR(dg.hb_app_version, "0.3");

    srv_token t2 = {.token_sha256 = "bb", .device_id = "k1", .created_ms = 5, .expires_ms = 99};
    CHECK_INT(srv_store_token_add(st, &t2), KIOSK_OK);
    CHECK_INT(srv_store_device_revoke(st, "k1", 30), KIOSK_OK);
    CHECK_INT(srv_store_device_revoke(st, "k1", 31), KIOSK_ERR_INVALID);
    CHECK_INT(srv_store_device_revoke(st, "nope", 31), KIOSK_ERR_NOT_FOUND);
    CHECK_INT(srv_store_token_get(st, "bb", &tg), KIOSK_OK);
    CHECK_INT(tg.used_ms, 30); /* a revoked device's tokens are spent */
    CHECK_INT(srv_store_device_get(st, "k1", &dg), KIOSK_OK);
    CHECK_INT(dg.revoked_ms, 30);
}

/* A meal payload as a kiosk sends it, via the batch parser. */
static void make_batch(srv_batch *b, const char *device, int n, const int64_t *seqs,
                       const char *const *ids, const char *const *persons, const int64_t *created,
                       const int64_t *subsidy)
{
    json_t *records = json_array();
    for (int i = 0; i < n; i++) {
        json_t *p = json_pack(
            "{s:s, s:s, s:s, s:s, s:s, s:s, s:i, s:s, s:I, s:I, s:I, s:I, s:I, s:i, s:i, s:i, "
            "s:i, s:s, s:s, s:s, s:s}",
            "record_id", ids[i], "person_id", persons[i], "card_key", "", "kiosk_id", device,
            "canteen_id", "c1", "business_date", "2026-11-03", "local_minute", 720, "meal_type",
            "lunch", "created_utc_ms", (json_int_t)created[i], "price_fen", (json_int_t)1500,
            "subsidy_fen", (json_int_t)subsidy[i], "pay_fen", (json_int_t)(1500 - subsidy[i]),
            "city_fen", (json_int_t)subsidy[i], "district_fen", 0, "street_fen", 0, "canteen_fen",
            0, "day_subsidy_fen", 0, "class_id", "age80", "policy_version", "gl-2026.1",
            "price_source", "set", "menu_item", "");
        char *text = srv_wire_canonical(p);
        char hash[65];
        srv_sha256_hex(text, strlen(text), hash);
        free(text);
        json_array_append_new(records, json_pack("{s:s, s:I, s:s, s:I, s:o, s:s}", "record_id",
                                                 ids[i], "device_seq", (json_int_t)seqs[i], "kind",
                                                 "meal", "created_wall_ms", (json_int_t)created[i],
                                                 "payload", p, "payload_sha256", hash));
    }
    json_t *root = json_pack("{s:s, s:o}", "device_id", device, "records", records);
    char *body = json_dumps(root, JSON_COMPACT);
    char detail[200];
    CHECK_INT(srv_wire_batch(body, strlen(body), b, detail, sizeof detail), KIOSK_OK);
    free(body);
    json_decref(root);
}

static kiosk_rc note_review(void *user, const srv_group_member *m)
{
    json_t *map = user;
    json_object_set_new(map, m->record_id, json_string(m->review_status));
    return KIOSK_OK;
}

static const char *review_of(json_t *map, const char *id)
{
    const char *v = json_string_value(json_object_get(map, id));
    return v ? v : "(absent)";
}

static void ingest(srv_store *st, const srv_device *dev, const srv_batch *b, int64_t offset,
                   srv_ingest *out, bool commit)
{
    CHECK_INT(srv_store_begin(st, true), KIOSK_OK);
    CHECK_INT(srv_ingest_batch(st, dev, b, 1000, offset, out), KIOSK_OK);
    if (commit)
        CHECK_INT(srv_store_commit(st), KIOSK_OK);
    else
        srv_store_rollback(st);
}

#define ID(n) "018f3c1d-7a2b-7c01-9f3e-00000000000" #n

static void test_ingest(srv_store *st)
{
    srv_device k2 = {.device_id = "k2", .site_id = "s1", .canteen_id = "c1"};
    srv_device k3 = {.device_id = "k3", .site_id = "s1", .canteen_id = "c1"};
    CHECK_INT(srv_store_device_add(st, &k2), KIOSK_OK);
    CHECK_INT(srv_store_device_add(st, &k3), KIOSK_OK);

    /* Seqs 1, 2 and 5: accepted; high water 5; 3..4 missing. */
    srv_batch b;
    srv_ingest in;
    const int64_t seqs[] = {1, 2, 5};
    const char *const ids[] = {ID(1), ID(2), ID(3)};
    const char *const persons[] = {"P1", "P2", "P3"};
    const int64_t created[] = {100000, 100000, 100000}, subsidy[] = {500, 500, 0};
    make_batch(&b, "k2", 3, seqs, ids, persons, created, subsidy);
    ingest(st, &k2, &b, 0, &in, false); /* rolled back: nothing stays */
    CHECK_INT(in.accepted, 3);
    srv_ingest_cleanup(&in);
    ingest(st, &k2, &b, 0, &in, true);
    CHECK_INT(in.accepted, 3);
    CHECK(in.items[0].server_seq > 0 && in.items[1].server_seq > in.items[0].server_seq);
    CHECK_INT(in.high_water, 5);
    CHECK_INT(in.gap_count, 1);
    CHECK_INT(in.gap_count ? in.gaps[0][0] : 0, 3);
    CHECK_INT(in.gap_count ? in.gaps[0][1] : 0, 4);
    srv_ingest_cleanup(&in);
    /* The same batch again: duplicates. */
    ingest(st, &k2, &b, 0, &in, true);
    CHECK_INT(in.duplicates, 3);
    CHECK_INT(in.accepted, 0);
    srv_ingest_cleanup(&in);
    srv_batch_cleanup(&b);

    /* Seqs 3, 4 fill the gap: one range. Seq 2 with a new id: seq_taken. Id 1 with another
     * payload at seq 6: payload_differs. */
    const int64_t seqs2[] = {2, 3, 4};
    const char *const ids2[] = {ID(9), ID(4), ID(5)};
    const char *const persons2[] = {"P9", "P4", "P5"};
    make_batch(&b, "k2", 3, seqs2, ids2, persons2, created, subsidy);
    ingest(st, &k2, &b, 0, &in, true);
    CHECK_INT(in.items[0].status, SRV_ITEM_CONFLICT);
    CHECK_STR(in.items[0].code, "seq_taken");
    CHECK_INT(in.accepted, 2);
    CHECK_INT(in.gap_count, 0);
    CHECK_INT(in.high_water, 5);
    srv_ingest_cleanup(&in);
    srv_batch_cleanup(&b);
    const int64_t seqs3[] = {6}, other_subsidy[] = {499};
    const char *const ids3[] = {ID(1)};
    make_batch(&b, "k2", 1, seqs3, ids3, persons, created, other_subsidy);
    ingest(st, &k2, &b, 0, &in, true);
    CHECK_INT(in.items[0].status, SRV_ITEM_CONFLICT);
    CHECK_STR(in.items[0].code, "payload_differs");
    srv_ingest_cleanup(&in);
    srv_batch_cleanup(&b);

    /* Reconciliation: P1's lunch of 2026-11-03 is on record from k2 (created 100000). k3
     * uploads one created earlier (a kiosk that was offline): k3's stays, k2's is flagged. A
     * third, later, is flagged too; one without subsidy is never. */
    const int64_t seqs4[] = {1, 2, 3};
    const char *const ids4[] = {ID(6), ID(7), ID(8)};
    const char *const persons4[] = {"P1", "P1", "P1"};
    const int64_t created4[] = {90000, 200000, 300000}, subsidy4[] = {500, 500, 0};
    make_batch(&b, "k3", 3, seqs4, ids4, persons4, created4, subsidy4);
    ingest(st, &k3, &b, 0, &in, true);
    CHECK_INT(in.accepted, 3);
    CHECK(!in.items[0].flagged); /* the earlier one is the original ... */
    CHECK(in.items[1].flagged);  /* ... later ones are suspected */
    CHECK(!in.items[2].flagged); /* no subsidy, nothing to review */
    CHECK_INT(in.flagged, 1);
    srv_ingest_cleanup(&in);
    srv_batch_cleanup(&b);
    json_t *map = json_object();
    CHECK_INT(srv_store_meal_group(st, "P1", "lunch", "2026-11-03", note_review, map), KIOSK_OK);
    CHECK_INT(json_object_size(map), 3); /* the subsidised ones */
    CHECK_STR(review_of(map, ID(6)), "");
    CHECK_STR(review_of(map, ID(1)), SRV_REVIEW_SUSPECTED);
    CHECK_STR(review_of(map, ID(7)), SRV_REVIEW_SUSPECTED);
    json_decref(map);
}

typedef struct cases {
    int n;
    int64_t id;
    char status[16];
} cases;

static kiosk_rc note_case(void *user, const srv_case *c)
{
    cases *cs = user;
    cs->n++;
    cs->id = c->case_id;
    snprintf(cs->status, sizeof cs->status, "%s", c->status);
    return KIOSK_OK;
}

static kiosk_rc count_meal(void *user, const srv_case_meal *m)
{
    (void)m;
    ++*(int *)user;
    return KIOSK_OK;
}

static void test_cases(srv_store *st)
{
    cases cs = {0};
    CHECK_INT(srv_store_case_list(st, true, note_case, &cs), KIOSK_OK);
    CHECK_INT(cs.n, 1);
    CHECK_STR(cs.status, "open");
    int meals = 0;
    CHECK_INT(srv_store_case_meals(st, cs.id, count_meal, &meals), KIOSK_OK);
    CHECK_INT(meals, 3);
    long decided = 0;
    CHECK_INT(srv_store_begin(st, true), KIOSK_OK);
    CHECK_INT(srv_store_case_decide(st, cs.id, "accepted", SRV_REVIEW_ACCEPTED, 50, &decided),
              KIOSK_OK);
    CHECK_INT(srv_store_commit(st), KIOSK_OK);
    CHECK_INT(decided, 2);
    CHECK_INT(srv_store_case_decide(st, 999, "waived", SRV_REVIEW_WAIVED, 50, &decided),
              KIOSK_ERR_NOT_FOUND);
    cases open = {0}, all = {0};
    CHECK_INT(srv_store_case_list(st, true, note_case, &open), KIOSK_OK);
    CHECK_INT(srv_store_case_list(st, false, note_case, &all), KIOSK_OK);
    CHECK_INT(open.n, 0);
    CHECK_INT(all.n, 1);
    CHECK_STR(all.status, "accepted");
    /* A new suspected meal in the same (person, type, date) reopens the case. */
    int64_t again = 0;
    CHECK_INT(srv_store_case_open(st, "P1", "lunch", "2026-11-03", 60, &again), KIOSK_OK);
    CHECK_INT(again, cs.id);
    srv_case c;
    CHECK_INT(srv_store_case_get(st, cs.id, &c), KIOSK_OK);
    CHECK_STR(c.status, "open");
}

typedef struct rows {
    int n;
    char keys[16][SRV_KEY_MAX];
    int64_t versions[16];
    int tombstones;
} rows;

static kiosk_rc note_row(void *user, const srv_stream_row *r)
{
    rows *rs = user;
    if (rs->n < 16) {
        snprintf(rs->keys[rs->n], sizeof rs->keys[rs->n], "%s", r->key);
        rs->versions[rs->n] = r->version;
    }
    rs->n++;
    rs->tombstones += r->row == NULL;
    return KIOSK_OK;
}

static void test_streams(srv_store *st)
{
    int64_t v0, first;
    CHECK_INT(srv_store_version_now(st, &v0), KIOSK_OK);
    CHECK_INT(srv_store_begin(st, true), KIOSK_OK);
    CHECK_INT(srv_store_version_take(st, 4, &first), KIOSK_OK);
    CHECK_INT(first, v0 + 1);
    /* Keys out of order, one of them with a byte above ASCII: key order is byte order. */
    CHECK_INT(srv_store_stream_put(st, "s1", "roster", "b", "{\"n\":1}", first, 100), KIOSK_OK);
    CHECK_INT(srv_store_stream_put(st, "s1", "roster", "a", "{\"n\":2}", first + 1, 100), KIOSK_OK);
    CHECK_INT(srv_store_stream_put(st, "s1", "roster", "B", "{\"n\":3}", first + 2, 100), KIOSK_OK);
    CHECK_INT(srv_store_stream_put(st, "*", "policy", "p1", "{}", first + 3, 100), KIOSK_OK);
    CHECK_INT(srv_store_commit(st), KIOSK_OK);
    int64_t now;
    CHECK_INT(srv_store_version_now(st, &now), KIOSK_OK);
    CHECK_INT(now, v0 + 4);

    rows r = {0};
    CHECK_INT(srv_store_stream_changes(st, "s1", NULL, "roster", 0, 2, note_row, &r), KIOSK_OK);
    CHECK_INT(r.n, 2);
    CHECK_STR(r.keys[0], "b");
    CHECK_STR(r.keys[1], "a");
    rows live = {0};
    CHECK_INT(srv_store_stream_live(st, "s1", NULL, "roster", "", 0, note_row, &live), KIOSK_OK);
    CHECK_INT(live.n, 3);
    CHECK_STR(live.keys[0], "B"); /* 'B' < 'a' < 'b' in byte order, whatever the locale */
    CHECK_STR(live.keys[1], "a");
    CHECK_STR(live.keys[2], "b");
    rows after = {0};
    CHECK_INT(srv_store_stream_live(st, "s1", NULL, "roster", "a", 1, note_row, &after), KIOSK_OK);
    CHECK_INT(after.n, 1);
    CHECK_STR(after.keys[0], "b");
    rows policy = {0}, policy_s2 = {0};
    CHECK_INT(srv_store_stream_changes(st, "s1", "*", "policy", 0, 10, note_row, &policy),
              KIOSK_OK);
    CHECK_INT(srv_store_stream_changes(st, "s2", "*", "policy", 0, 10, note_row, &policy_s2),
              KIOSK_OK);
    CHECK_INT(policy.n, 1);
    CHECK_INT(policy_s2.n, 1);

    /* A tombstone, then its expiry: the floor rises to its version. */
    CHECK_INT(srv_store_begin(st, true), KIOSK_OK);
    CHECK_INT(srv_store_version_take(st, 1, &first), KIOSK_OK);
    CHECK_INT(srv_store_stream_put(st, "s1", "roster", "a", NULL, first, 200), KIOSK_OK);
    CHECK_INT(srv_store_commit(st), KIOSK_OK);
    rows changes = {0};
    CHECK_INT(srv_store_stream_changes(st, "s1", NULL, "roster", v0, 10, note_row, &changes),
              KIOSK_OK);
    CHECK_INT(changes.n, 3); /* a appears once, as its tombstone */
    CHECK_INT(changes.tombstones, 1);
    int64_t floor = -1;
    CHECK_INT(srv_store_stream_floor(st, "s1", NULL, "roster", &floor), KIOSK_OK);
    CHECK_INT(floor, 0);
    long dropped = -1;
    CHECK_INT(srv_store_begin(st, true), KIOSK_OK);
    CHECK_INT(srv_store_stream_expire(st, "s1", "roster", 150, &dropped), KIOSK_OK);
    CHECK_INT(dropped, 0); /* written at 200: younger than the limit */
    CHECK_INT(srv_store_stream_expire(st, "s1", "roster", 200, &dropped), KIOSK_OK);
    CHECK_INT(dropped, 1);
    CHECK_INT(srv_store_commit(st), KIOSK_OK);
    CHECK_INT(srv_store_stream_floor(st, "s1", NULL, "roster", &floor), KIOSK_OK);
    CHECK_INT(floor, first);
    CHECK_INT(srv_store_stream_floor(st, "s2", NULL, "roster", &floor), KIOSK_OK);
    CHECK_INT(floor, 0);
}

static kiosk_rc count_settle(void *user, const srv_settle_meal *m)
{
    int *n = user;
    n[0]++;
    n[1] += m->review_status[0] != '\0';
    return KIOSK_OK;
}

static void test_meals(srv_store *st)
{
    rows r = {0}, mine = {0}, live = {0};
    CHECK_INT(srv_store_records_changes(st, "meal", "s1", "k3", "2026-11-02", 0, 100, note_row, &r),
              KIOSK_OK);
    CHECK_INT(r.n, 5); /* k2's five stored meals, not k3's own */
    CHECK_INT(srv_store_records_changes(st, "meal", "s1", "k2", "2026-11-04", 0, 100, note_row, &mine),
              KIOSK_OK);
    CHECK_INT(mine.n, 0); /* none from that date on */
    CHECK_INT(srv_store_records_live(st, "meal", "s1", "nobody", "2026-11-03", ID(5), 100, note_row, &live),
              KIOSK_OK);
    CHECK_INT(live.n, 3); /* ids 6, 7, 8 follow 5 */
    int64_t max_seq = 0;
    CHECK_INT(srv_store_record_max_seq(st, &max_seq), KIOSK_OK);
    CHECK(max_seq >= 8);
    int n[2] = {0, 0};
    CHECK_INT(srv_store_settle_meals(st, "", "2026-11-01", "2026-12-01", count_settle, n),
              KIOSK_OK);
    CHECK_INT(n[0], 8);
    CHECK_INT(n[1], 2); /* the two accepted on review */
    int none[2] = {0, 0};
    CHECK_INT(srv_store_settle_meals(st, "s2", "2026-11-01", "2026-12-01", count_settle, none),
              KIOSK_OK);
    CHECK_INT(none[0], 0);
}

int main(int argc, char **argv)
{
    if (sodium_init() < 0)
        return 1;
    char spec[1024];
    const char *dir;
    int status = srv_test_store_spec(argc, argv, "srv-storage", spec, sizeof spec, &dir);
    if (status != 0)
        return status;
    test_open_twice(spec);
    srv_store *st = open_store(spec);
    if (st) {
        CHECK_STR(srv_store_backend(st), strcmp(argv[1], "pg") == 0 ? "postgresql" : "sqlite");
        test_sites_devices(st);
        test_ingest(st);
        test_cases(st);
        test_streams(st);
        test_meals(st);
        srv_store_close(st);
    }
    check_scratch_remove(dir);
    CHECK_DONE();
}
