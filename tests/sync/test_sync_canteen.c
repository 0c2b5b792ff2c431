/* test_sync_canteen.c - what the canteen flow does with the sync status the app lends it: a meal
 * made while the kiosk is out of touch is stored with "offline": true and its age in the
 * payload; a meal made in touch, and every meal of a kiosk without sync, without; past
 * [sync] offline_meal_limit subsidised meals waiting for the server the next subsidised diner
 * sees the staff screen (离线用餐已达上限 / 请工作人员处理) and nothing is recorded, while a
 * diner without a subsidy is still served; once the waiting meals are acknowledged the limit
 * lifts. A real SQLite store and the example policy. */
#define _GNU_SOURCE
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "canteen.h"
#include "check.h"
#include "clock.h"
#include "sync_state.h"

static const char *roster =
    "person_id,name,birth_date,categories,city,district,street,hukou,status,card_uid,"
    "card_status,issuing_canteen,id_number\n"
    "P1,张秀兰,1946-03-12,,320100,320102,320102002,local,active,04A1B2C3,active,,\n"
    "P2,李桂芳,1946-07-08,,320100,320102,320102002,local,active,04A1B2C4,active,,\n"
    "P3,王德顺,1936-01-20,,320100,320102,320102003,local,active,04A1B2C5,active,,\n"
    "P4,梁志明,1962-04-04,,320100,320102,320102003,local,active,04A1B2C6,active,,\n";

static int64_t lunch(int minute)
{
    return kiosk_clock_local_midnight_ms((kiosk_date){2026, 11, 23}) +
           (11 * 60 + 30 + minute) * 60000LL;
}

static kiosk_card card(uint8_t last)
{
    kiosk_card c = {.uid = {0x04, 0xA1, 0xB2, last}, .uid_len = 4};
    return c;
}

static long count(kiosk_store *s, const char *what)
{
    long meals = 0, pending = 0;
    CHECK_INT(kiosk_store_count_meals(s, &meals, &pending), KIOSK_OK);
    return strcmp(what, "meals") == 0 ? meals : pending;
}

int main(int argc, char **argv)
{
    const char *src = argc > 1 ? argv[1] : getenv("KIOSK_SOURCE_DIR");
    if (!src || kiosk_clock_set_zone("Asia/Shanghai") != KIOSK_OK || sodium_init() < 0)
        return 1;
    const char *dir = check_scratch_dir("kiosk-sync-canteen");
    char db[600], policy_path[600], err[300];
    snprintf(db, sizeof db, "%s/k.db", dir);
    snprintf(policy_path, sizeof policy_path, "%s/tests/policies/fixed-by-class.json", src);
    kiosk_store *store = NULL;
    CHECK_INT(kiosk_store_open(db, &store, err, sizeof err), KIOSK_OK);
    FILE *csv = fmemopen((void *)roster, strlen(roster), "r");
    kiosk_import_stats stats;
    CHECK_INT(
        kiosk_store_import_roster(store, csv, (kiosk_date){2026, 11, 23}, &stats, err, sizeof err),
        KIOSK_OK);
    fclose(csv);
    FILE *pf = fopen(policy_path, "rb");
    static char json[65536];
    size_t len = pf ? fread(json, 1, sizeof json, pf) : 0;
    if (pf)
        fclose(pf);
    CHECK_INT(kiosk_store_put_policy(store, json, len, err, sizeof err), KIOSK_OK);
    kiosk_policy_set *policies = NULL;
    CHECK_INT(kiosk_store_load_policies(store, &policies), KIOSK_OK);

    kiosk_flow_settings settings = {
        .result_seconds = 8, .repeat_tap_seconds = 0, .offline_meal_limit = 1};
    snprintf(settings.kiosk_id, sizeof settings.kiosk_id, "k1");
    snprintf(settings.site_name, sizeof settings.site_name, "测试助餐点");
    snprintf(settings.site.canteen_id, sizeof settings.site.canteen_id, "c1");
    snprintf(settings.site.area.city, sizeof settings.site.area.city, "320100");
    snprintf(settings.site.area.district, sizeof settings.site.area.district, "320102");
    kiosk_sync_status sync = {.state = KIOSK_SYNC_OFFLINE,
                              .offline_records = false,
                              .last_ok_ms = -1,
                              .last_ok_mono_ms = 1000,
                              .clock_uncert_ms = -1};
    kiosk_flow_env env = {
        .settings = &settings, .store = store, .policies = policies, .sync = &sync};
    kiosk_canteen *c = kiosk_canteen_new(&env);
    CHECK(c != NULL);

    /* In touch: no offline field. */
    kiosk_card k1 = card(0xC3);
    kiosk_canteen_on_card(c, &k1, (kiosk_now){lunch(0), 2000});
    CHECK_INT(kiosk_canteen_view(c)->tone, KIOSK_TONE_SUCCESS);
    long n = -1;
    CHECK_INT(kiosk_store_sync_offline_pending(store, &n), KIOSK_OK);
    CHECK_INT(n, 0);

    /* Out of touch: the payload says so and how long (mono 1000 -> 3,601,000: 3600 s). */
    sync.offline_records = true;
    kiosk_card k2 = card(0xC4);
    kiosk_canteen_on_card(c, &k2, (kiosk_now){lunch(1), 3601000});
    CHECK_INT(kiosk_canteen_view(c)->tone, KIOSK_TONE_SUCCESS);
    CHECK_INT(kiosk_store_sync_offline_pending(store, &n), KIOSK_OK);
    CHECK_INT(n, 1);
    kiosk_outbox_batch b;
    CHECK_INT(kiosk_store_outbox_pending(store, 10, 1 << 20, &b), KIOSK_OK);
    CHECK_INT(b.count, 2);
    CHECK(b.count == 2 && !strstr(b.items[0].payload, "offline"));
    CHECK(b.count == 2 && strstr(b.items[1].payload, "\"offline\":true") &&
          strstr(b.items[1].payload, "\"offline_age_s\":3600"));
    kiosk_recid second = b.count == 2 ? b.items[1].record_id : (kiosk_recid){{0}};
    kiosk_outbox_batch_cleanup(&b);

    /* The limit (1) is reached: a subsidised diner is sent to staff, nothing is recorded. */
    long meals = count(store, "meals");
    kiosk_card k3 = card(0xC5);
    kiosk_canteen_on_card(c, &k3, (kiosk_now){lunch(2), 3602000});
    const kiosk_view *v = kiosk_canteen_view(c);
    CHECK_STR(v->headline, "离线用餐已达上限");
    CHECK_STR(v->advice, "请到窗口找工作人员");
    CHECK_INT(v->tone, KIOSK_TONE_ERROR);
    CHECK_INT(count(store, "meals"), meals);
    /* A diner without a subsidy (60-69 here: no rule of that class) is still served. */
    kiosk_card k4 = card(0xC6);
    kiosk_canteen_on_card(c, &k4, (kiosk_now){lunch(3), 3603000});
    CHECK_INT(count(store, "meals"), meals + 1);

    /* The waiting meal reaches the server: the limit lifts. */
    kiosk_outbox_result acked = {.record_id = second, .outcome = KIOSK_OUTBOX_ACKED};
    CHECK_INT(kiosk_store_outbox_mark(store, &acked, 1, lunch(4)), KIOSK_OK);
    kiosk_canteen_on_card(c, &k3, (kiosk_now){lunch(5), 3605000});
    CHECK_INT(kiosk_canteen_view(c)->tone, KIOSK_TONE_SUCCESS);
    CHECK_INT(count(store, "meals"), meals + 2);

    /* Without sync (env.sync NULL): never offline, never held. */
    kiosk_canteen_free(c);
    env.sync = NULL;
    c = kiosk_canteen_new(&env);
    CHECK(c != NULL);
    CHECK_INT(kiosk_store_sync_offline_pending(store, &n), KIOSK_OK);
    kiosk_card k1b = card(0xC3);
    kiosk_canteen_on_card(c, &k1b, (kiosk_now){lunch(6), 3606000}); /* a second lunch: refused */
    CHECK(strcmp(kiosk_canteen_view(c)->headline, "离线用餐已达上限") != 0);
    kiosk_canteen_free(c);
    kiosk_policy_set_free(policies);
    kiosk_store_close(store);
    check_scratch_remove(dir);
    CHECK_DONE();
}
