/* bench_sync.c - the sync worker's throughput against the scripted server
 * (tests/sync/sync_server.c, started by bench/sync_pull.sh):
 *
 *   bench_sync push --server URL [--records N] [--dir PARENT] [--keep]
 *       N meal records (default 100,000) are committed to a fresh database as taps commit them
 *       (one durable transaction each, through kiosk_store_add_meal: this part is not timed), then
 *       the worker is started and timed until the last is acknowledged. Goal: 100,000 in <= 10 s.
 *   bench_sync pull --server URL [--dir PARENT] [--keep]
 *       the worker pulls the server's roster into a fresh database (the server generates it:
 *       --roster-gen 1000000); timed until the roster stream is up to date. Goal: 1,000,000 persons
 *       in <= 30 s.
 *
 * The database gets the benchmark's identity and card key (bench_sync_id.h). It is a
 * measurement, not a test: exit status 0 whatever the figures (1 when the set-up fails), with
 * TARGET MET / TARGET MISSED lines. */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_common.h"
#include "bench_sync_id.h"
#include "clock.h"
#include "log.h"
#include "store.h"
#include "sync.h"
#include "sync_state.h"

#define PUSH_GOAL_S 10.0
#define PULL_GOAL_S 30.0

static const char *const scratch_files[] = {"kiosk.db", "kiosk.db-wal", "kiosk.db-shm"};

static bool quiet_status(void *user, const kiosk_sync_status *status)
{
    (void)user;
    (void)status;
    return true;
}

static kiosk_store *open_enrolled(const char *path)
{
    kiosk_store *store = NULL;
    char err[300];
    if (kiosk_store_open(path, &store, err, sizeof err) != KIOSK_OK) {
        fprintf(stderr, "bench_sync: open %s: %s\n", path, err);
        kiosk_store_close(store);
        return NULL;
    }
    kiosk_sync_identity id;
    uint8_t key[32];
    bool dropped;
    bench_sync_identity(&id, key);
    if (kiosk_store_sync_enroll(store, &id, key, &dropped) != KIOSK_OK) {
        fprintf(stderr, "bench_sync: enroll: %s\n", kiosk_store_errmsg(store));
        kiosk_store_close(store);
        return NULL;
    }
    return store;
}

static kiosk_sync *start_worker(const char *url, const char *db_path)
{
    kiosk_sync_config cfg;
    kiosk_sync_config_defaults(&cfg);
    char problem[300];
    if (!kiosk_sync_config_set(&cfg, "url", url, problem, sizeof problem)) {
        fprintf(stderr, "bench_sync: --server: %s\n", problem);
        return NULL;
    }
    cfg.start_jitter_s = 0;
    cfg.heartbeat_s = 3600;
    cfg.pull_s = 3600;
    snprintf(cfg.app_version, sizeof cfg.app_version, "bench");
    kiosk_sync *sync = kiosk_sync_start(&cfg, db_path, quiet_status, NULL, problem, sizeof problem);
    if (!sync)
        fprintf(stderr, "bench_sync: worker: %s\n", problem);
    return sync;
}

static bool fill(kiosk_store *store, long n)
{
    int64_t at = kiosk_clock_local_midnight_ms(BENCH_DAY) + (11 * 60 + 30) * 60000LL;
    double t0 = bench_now_ms();
    for (long i = 0; i < n; i++) {
        kiosk_meal_entry m;
        memset(&m, 0, sizeof m);
        m.record_id = kiosk_recid_new(at + i);
        snprintf(m.person_id, sizeof m.person_id, "P%07ld", i);
        m.has_card = true;
        memset(m.card_key, (int)(i & 0xff), sizeof m.card_key);
        snprintf(m.kiosk_id, sizeof m.kiosk_id, "bench-01");
        snprintf(m.canteen_id, sizeof m.canteen_id, "canteen-01");
        m.created_utc_ms = at + i;
        m.at = (kiosk_local_time){BENCH_DAY, 690, 0};
        m.decision.meal_type = KIOSK_MEAL_LUNCH;
        m.decision.price_fen = 1500;
        m.decision.subsidy_fen = 500;
        m.decision.pay_fen = 1000;
        m.decision.funding_fen[KIOSK_LEVEL_CITY] = 300;
        m.decision.funding_fen[KIOSK_LEVEL_DISTRICT] = 200;
        snprintf(m.decision.class_id, sizeof m.decision.class_id, "age80");
        snprintf(m.decision.policy_version, sizeof m.decision.policy_version, "gl-2026.1");
        m.offline_age_s = -1;
        if (kiosk_store_add_meal(store, &m) != KIOSK_OK) {
            fprintf(stderr, "bench_sync: meal %ld: %s\n", i, kiosk_store_errmsg(store));
            return false;
        }
    }
    printf("queued %ld records in %.1f s (one durable commit each, not timed)\n", n,
           (bench_now_ms() - t0) / 1e3);
    return true;
}

static int push(const char *url, const char *db_path, long n)
{
    kiosk_store *store = open_enrolled(db_path);
    if (!store || !fill(store, n)) {
        kiosk_store_close(store);
        return 1;
    }
    double t0 = bench_now_ms();
    kiosk_sync *sync = start_worker(url, db_path);
    if (!sync) {
        kiosk_store_close(store);
        return 1;
    }
    long meals = 0, pending = n, next_report = n - n / 10;
    double until = t0 + 600000;
    while (pending > 0 && bench_now_ms() < until) {
        bench_sleep_ms(20);
        if (kiosk_store_count_meals(store, &meals, &pending) != KIOSK_OK)
            pending = n;
        if (pending <= next_report && pending > 0) {
            printf("  %ld acknowledged after %.2f s\n", n - pending, (bench_now_ms() - t0) / 1e3);
            next_report -= n / 10;
        }
    }
    double took = (bench_now_ms() - t0) / 1e3;
    kiosk_sync_stop(sync);
    kiosk_outbox_stats st;
    bool ok = kiosk_store_outbox_stats(store, &st) == KIOSK_OK;
    kiosk_store_close(store);
    if (pending > 0) {
        fprintf(stderr, "bench_sync: %ld records still pending after 600 s\n", pending);
        return 1;
    }
    printf("push: %ld records acknowledged in %.2f s (%.0f records/s)%s\n", n, took, n / took,
           ok && st.rejected ? "; some were rejected" : "");
    printf("%s: push of %ld records %.2f s <= %.0f s\n",
           took <= PUSH_GOAL_S ? "TARGET MET" : "TARGET MISSED", n, took, PUSH_GOAL_S);
    return 0;
}

static int pull(const char *url, const char *db_path)
{
    kiosk_store *store = open_enrolled(db_path);
    if (!store)
        return 1;
    double t0 = bench_now_ms();
    kiosk_sync *sync = start_worker(url, db_path);
    if (!sync) {
        kiosk_store_close(store);
        return 1;
    }
    char cursor[256];
    int64_t up_to_date = -1;
    double until = t0 + 600000;
    while (up_to_date < 0 && bench_now_ms() < until) {
        bench_sleep_ms(20);
        if (kiosk_store_sync_cursor(store, "roster", cursor, sizeof cursor, &up_to_date) !=
            KIOSK_OK)
            up_to_date = -1;
    }
    double took = (bench_now_ms() - t0) / 1e3;
    kiosk_sync_stop(sync);
    kiosk_store_close(store);
    if (up_to_date < 0) {
        fprintf(stderr, "bench_sync: the roster was not up to date after 600 s\n");
        return 1;
    }
    printf("pull: the roster (cursor %s) up to date in %.2f s\n", cursor, took);
    printf("%s: pull of the roster %.2f s <= %.0f s\n",
           took <= PULL_GOAL_S ? "TARGET MET" : "TARGET MISSED", took, PULL_GOAL_S);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2 || (strcmp(argv[1], "push") != 0 && strcmp(argv[1], "pull") != 0)) {
        fprintf(stderr, "usage: bench_sync push|pull --server URL [--records N] [--dir PARENT]"
                        " [--keep]\n");
        return 1;
    }
    const char *url = NULL, *tmp = getenv("TMPDIR");
    const char *parent = tmp && *tmp ? tmp : "/tmp";
    long n = 100000;
    bool keep = false;
    for (int i = 2; i < argc; i++) {
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(argv[i], "--keep") == 0) {
            keep = true;
        } else if (strcmp(argv[i], "--server") == 0 && v) {
            url = argv[++i];
        } else if (strcmp(argv[i], "--dir") == 0 && v) {
            parent = argv[++i];
        } else if (strcmp(argv[i], "--records") == 0 && v && bench_parse_long(v, 1, &n)) {
            i++;
        } else {
            fprintf(stderr, "bench_sync: %s: unknown option or bad value\n", argv[i]);
            return 1;
        }
    }
    if (!url) {
        fprintf(stderr, "bench_sync: --server URL is needed\n");
        return 1;
    }
    if (kiosk_clock_set_zone("Asia/Shanghai") != KIOSK_OK)
        return 1;
    if (getenv("BENCH_SYNC_DEBUG")) /* the worker's every request and page, on stderr */
        kiosk_log_setup(KIOSK_LOG_DEBUG, false);
    char dir[PATH_MAX];
    snprintf(dir, sizeof dir, "%s/kiosk-bench-sync-XXXXXX", parent);
    if (!mkdtemp(dir)) {
        fprintf(stderr, "bench_sync: mkdtemp %s: %s\n", dir, strerror(errno));
        return 1;
    }
    char db_path[PATH_MAX + 16];
    snprintf(db_path, sizeof db_path, "%s/kiosk.db", dir);
    int status = strcmp(argv[1], "push") == 0 ? push(url, db_path, n) : pull(url, db_path);
    bench_remove_scratch(dir, scratch_files, sizeof scratch_files / sizeof scratch_files[0], keep);
    return status;
}
