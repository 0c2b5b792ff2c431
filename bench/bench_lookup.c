/* bench_lookup.c - roster scale: importing a city-sized roster and finding a card in it.
 *
 * What it measures. A generated roster CSV of N persons (1,000,000; one card each, the format of
 * docs/roster.md) is written to a scratch file first (not timed), then imported into a fresh
 * store with kiosk_store_import_roster, timed on its own and reported in rows per second. The
 * store is then closed and opened again, as the kiosk is started after the staff's import (the
 * open runs PRAGMA quick_check over the whole file, so its time is printed too). Then M lookups
 * (100,000) of random roster cards, each timed with CLOCK_MONOTONIC around
 * kiosk_store_card_key (the keyed HMAC of the UID) + kiosk_store_find_card (the card -> person
 * join): the first thing every tap does, the part that grows with the roster.
 *
 * Why. A city bureau's roster is hundreds of thousands of holders; the lookup must stay far
 * below the tap budget (target: p99 <= 1 ms) however big the roster gets, and a staff import of
 * the whole city must finish in a reasonable time. Every lookup checks it found the right
 * person, so a fast wrong answer cannot pass as a fast answer.
 *
 * Lookups run back to back by default; --gap-ms N sleeps N ms before each one, as the time
 * between two diners would, for machines where idle memory goes cold.
 *
 * A measurement, not a test: exit status 0 unless the set-up fails; "TARGET MET" / "TARGET
 * MISSED" lines say how it went.
 *
 *   bench_lookup [--roster N] [--lookups N] [--gap-ms N] [--seed N] [--dir PARENT] [--keep]
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "bench_common.h"
#include "store.h"

#define TARGET_P99_US 1000.0
#define COUNT(a)      (sizeof(a) / sizeof((a)[0]))

/* Lookups are timed in microseconds. */
static double now_us(void)
{
    return bench_now_ms() * 1e3;
}

/* What a run leaves in its scratch directory. */
static const char *const scratch_files[] = {"kiosk.db", "kiosk.db-wal", "kiosk.db-shm",
                                            "roster.csv"};

typedef struct options {
    long roster, lookups;
    long gap_ms; /* idle time before each lookup, as between two diners */
    uint64_t seed;
    const char *parent_dir;
    bool keep;
} options;

static void usage(FILE *f)
{
    fprintf(f, "usage: bench_lookup [--roster N] [--lookups N] [--gap-ms N] [--seed N]\n"
               "                    [--dir PARENT] [--keep]\n"
               "  --roster N    persons (one card each) in the generated roster (default 1000000)\n"
               "  --lookups N   timed lookups of random roster cards (default 100000)\n"
               "  --gap-ms N    sleep N ms before each lookup (default 0: back to back)\n"
               "  --seed N      which cards are looked up (default 1)\n"
               "  --dir PARENT  where the scratch directory goes (default $TMPDIR or /tmp)\n"
               "  --keep        keep the scratch directory (database and CSV)\n");
}

static bool parse_options(int argc, char **argv, options *o)
{
    *o = (options){.roster = 1000000, .lookups = 100000, .seed = 1};
    const char *tmp = getenv("TMPDIR");
    o->parent_dir = tmp && *tmp ? tmp : "/tmp";
    for (int i = 1; i < argc;) {
        const char *a = argv[i];
        const char *value = i + 1 < argc ? argv[i + 1] : NULL;
        int used = 2; /* the option and its value */
        long v;
        if (strcmp(a, "--help") == 0) {
            usage(stdout);
            exit(0);
        } else if (strcmp(a, "--keep") == 0) {
            o->keep = true;
            used = 1;
        } else if (!value) {
            fprintf(stderr, "bench_lookup: %s: unknown option or missing value\n", a);
            return false;
        } else if (strcmp(a, "--roster") == 0 && bench_parse_long(value, 1, &v) && v <= 9999999) {
            o->roster = v;
        } else if (strcmp(a, "--lookups") == 0 && bench_parse_long(value, 1, &v)) {
            o->lookups = v;
        } else if (strcmp(a, "--gap-ms") == 0 && bench_parse_long(value, 0, &v)) {
            o->gap_ms = v;
        } else if (strcmp(a, "--seed") == 0 && bench_parse_long(value, 0, &v)) {
            o->seed = (uint64_t)v;
        } else if (strcmp(a, "--dir") == 0) {
            o->parent_dir = value;
        } else {
            fprintf(stderr, "bench_lookup: %s %s: unknown option or bad value\n", a, value);
            return false;
        }
        i += used;
    }
    return true;
}

static long long file_size(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? (long long)st.st_size : 0;
}

/* Opens the store, reporting how long the open (with its integrity check) took. */
static kiosk_store *open_store(const char *path, const char *why)
{
    char err[300] = "";
    kiosk_store *store = NULL;
    double t0 = now_us();
    if (kiosk_store_open(path, &store, err, sizeof err) != KIOSK_OK) {
        fprintf(stderr, "bench_lookup: open %s: %s\n", path, err);
        kiosk_store_close(store);
        return NULL;
    }
    printf("store open (%s): %.2f s\n", why, (now_us() - t0) / 1e6);
    return store;
}

int main(int argc, char **argv)
{
    options o;
    if (!parse_options(argc, argv, &o)) {
        usage(stderr);
        return 1;
    }
    char dir[PATH_MAX];
    snprintf(dir, sizeof dir, "%s/kiosk-bench-lookup-XXXXXX", o.parent_dir);
    if (!mkdtemp(dir)) {
        fprintf(stderr, "bench_lookup: mkdtemp %s: %s\n", dir, strerror(errno));
        return 1;
    }
    char db_path[PATH_MAX + 32], csv_path[PATH_MAX + 32];
    snprintf(db_path, sizeof db_path, "%s/kiosk.db", dir);
    snprintf(csv_path, sizeof csv_path, "%s/roster.csv", dir);

    int status = 1;
    kiosk_store *store = NULL;
    double *lookup_us = NULL;
    printf("bench_lookup: %ld-person roster, %ld lookups, scratch %s\n", o.roster, o.lookups, dir);

    double t0 = now_us();
    if (!bench_write_roster(csv_path, o.roster))
        goto out;
    printf("roster CSV: %lld bytes written in %.2f s (not part of the import time)\n",
           file_size(csv_path), (now_us() - t0) / 1e6);

    store = open_store(db_path, "new database");
    if (!store)
        goto out;
    FILE *csv = fopen(csv_path, "rb");
    if (!csv) {
        fprintf(stderr, "bench_lookup: %s: %s\n", csv_path, strerror(errno));
        goto out;
    }
    kiosk_import_stats stats;
    char err[300] = "";
    t0 = now_us();
    kiosk_rc rc = kiosk_store_import_roster(store, csv, BENCH_DAY, &stats, err, sizeof err);
    double import_s = (now_us() - t0) / 1e6;
    fclose(csv); /* read-only: nothing to lose */
    if (rc != KIOSK_OK) {
        fprintf(stderr, "bench_lookup: import: %s: %s\n", kiosk_strerror(rc), err);
        goto out;
    }
    if (stats.rows != o.roster || stats.cards != o.roster) {
        fprintf(stderr, "bench_lookup: import: %ld rows, %ld cards; expected %ld\n", stats.rows,
                stats.cards, o.roster);
        goto out;
    }
    printf("import: %ld rows (%ld persons, %ld cards) in %.2f s = %.0f rows/s\n", stats.rows,
           stats.persons, stats.cards, import_s, (double)stats.rows / import_s);
    kiosk_store_close(store);
    store = NULL;
    printf("database: %lld bytes after the import (closed, WAL checkpointed)\n",
           file_size(db_path));

    store = open_store(db_path, "kiosk start, quick_check included");
    if (!store)
        goto out;

    lookup_us = malloc((size_t)o.lookups * sizeof *lookup_us);
    if (!lookup_us) {
        fprintf(stderr, "bench_lookup: out of memory\n");
        goto out;
    }
    uint64_t state = o.seed;
    for (long i = 0; i < o.lookups; i++) {
        long index = (long)(bench_random(&state) % (uint64_t)o.roster);
        uint8_t uid[7], key[KIOSK_CARD_KEY_BYTES];
        bench_card_uid(index, uid);
        kiosk_holder holder;
        if (o.gap_ms > 0)
            bench_sleep_ms(o.gap_ms);
        double start = now_us();
        kiosk_store_card_key(store, uid, sizeof uid, key);
        rc = kiosk_store_find_card(store, key, &holder);
        lookup_us[i] = now_us() - start;
        char want[16];
        snprintf(want, sizeof want, "P%07ld", index);
        if (rc != KIOSK_OK || strcmp(holder.person_id, want) != 0) {
            fprintf(stderr, "bench_lookup: lookup %ld (card of %s): %s\n", i, want,
                    rc != KIOSK_OK ? kiosk_strerror(rc) : "wrong person");
            goto out;
        }
    }
    size_t n = (size_t)o.lookups;
    bench_summary s = bench_summarize(lookup_us, n);
    double p99 = s.p99;
    printf("lookup (card_key + find_card)     n=%-7zu p50 %7.1f  p90 %7.1f  p99 %7.1f  max %8.1f"
           "  mean %7.1f us\n",
           n, s.p50, s.p90, p99, s.max, s.mean);
    printf("%s: lookup p99 %.1f us <= %.0f us\n",
           p99 <= TARGET_P99_US ? "TARGET MET" : "TARGET MISSED", p99, TARGET_P99_US);
    status = 0;
out:
    kiosk_store_close(store);
    free(lookup_us);
    bench_remove_scratch(dir, scratch_files, COUNT(scratch_files), o.keep);
    return status;
}
