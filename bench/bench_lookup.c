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

#include "store.h"

#define TARGET_P99_US 1000.0
#define COUNT(a)      (sizeof(a) / sizeof((a)[0]))

/* The import's "today" (birth dates must not be after it). */
static const kiosk_date import_day = {2026, 11, 23};

typedef struct options {
    long roster, lookups;
    long gap_ms; /* idle time before each lookup, as between two diners */
    uint64_t seed;
    const char *parent_dir;
    bool keep;
} options;

static double now_us(void)
{
    struct timespec ts;
    if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0) {
        perror("bench_lookup: clock_gettime");
        exit(1);
    }
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        continue;
}

/* splitmix64: tiny and well mixed; the same seed looks up the same cards. */
static uint64_t next_random(uint64_t *state)
{
    uint64_t z = (*state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

static int compare_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Nearest rank on sorted samples: the p99 of 100,000 lookups is the 99,000th fastest. */
static double percentile(const double *sorted, size_t n, double p)
{
    size_t rank = (size_t)((p * (double)n + 99.0) / 100.0);
    if (rank < 1)
        rank = 1;
    if (rank > n)
        rank = n;
    return sorted[rank - 1];
}

static bool parse_long(const char *text, long min, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(text, &end, 10);
    if (errno != 0 || end == text || *end != '\0' || v < min)
        return false;
    *out = v;
    return true;
}

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
        } else if (strcmp(a, "--roster") == 0 && parse_long(value, 1, &v) && v <= 9999999) {
            o->roster = v;
        } else if (strcmp(a, "--lookups") == 0 && parse_long(value, 1, &v)) {
            o->lookups = v;
        } else if (strcmp(a, "--gap-ms") == 0 && parse_long(value, 0, &v)) {
            o->gap_ms = v;
        } else if (strcmp(a, "--seed") == 0 && parse_long(value, 0, &v)) {
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

/* --- the generated roster (the same rows as bench_tap.c writes) ---------------------------- */

/* 0x04 (NXP) and six bytes of roster index: sequential UIDs are fine because the store keys
 * cards by a keyed hash, which scatters them over the card index as real UIDs are. */
static void card_uid(long index, uint8_t uid[7])
{
    uid[0] = 0x04;
    for (int i = 0; i < 6; i++)
        uid[6 - i] = (uint8_t)((uint64_t)index >> (8 * i));
}

static const char *const surnames[] = {"王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周",
                                       "徐", "孙", "马", "朱", "胡", "郭", "何", "高", "林", "罗",
                                       "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹"};
static const char *const given[] = {"秀", "兰", "英", "华", "明", "国", "建", "玉", "芳", "桂",
                                    "珍", "淑", "凤", "德", "文", "志", "强", "永", "福", "春",
                                    "海", "金", "荣", "平", "军", "红", "梅", "丽", "云", "清",
                                    "宝", "成", "林", "和", "生", "祥", "顺", "贵", "良", "琴"};

static int write_roster_row(FILE *f, long index)
{
    uint64_t state = (uint64_t)index * 0x2545F4914F6CDD1DULL + 7;
    uint64_t r = next_random(&state);
    char name[16];
    int len = snprintf(name, sizeof name, "%s%s", surnames[r % COUNT(surnames)],
                       given[(r >> 8) % COUNT(given)]);
    if ((r >> 16) % 4 != 0)
        snprintf(name + len, sizeof name - (size_t)len, "%s", given[(r >> 24) % COUNT(given)]);
    int year = 1926 + (int)((r >> 32) % 40);
    int month = 1 + (int)((r >> 40) % 12), day = 1 + (int)((r >> 44) % 28);
    unsigned pick = (unsigned)((r >> 50) % 100);
    const char *categories = pick < 8 ? "dibao" : pick < 11 ? "tekun" : pick < 14 ? "disabled" : "";
    const char *hukou = (r >> 58) % 8 == 0 ? "resident" : "local";
    uint8_t uid[7];
    card_uid(index, uid);
    return fprintf(f,
                   "P%07ld,%s,%04d-%02d-%02d,%s,320100,320102,32010200%d,%s,active,"
                   "%02X%02X%02X%02X%02X%02X%02X,active,,\n",
                   index, name, year, month, day, categories, (int)((r >> 61) % 4) + 1, hukou,
                   uid[0], uid[1], uid[2], uid[3], uid[4], uid[5], uid[6]);
}

static bool write_roster(const char *path, long persons)
{
    FILE *f = fopen(path, "w");
    if (!f) {
        fprintf(stderr, "bench_lookup: %s: %s\n", path, strerror(errno));
        return false;
    }
    bool ok = fputs("person_id,name,birth_date,categories,city,district,street,hukou,status,"
                    "card_uid,card_status,issuing_canteen,id_number\n",
                    f) >= 0;
    for (long i = 0; ok && i < persons; i++)
        ok = write_roster_row(f, i) > 0;
    if (fclose(f) != 0)
        ok = false;
    if (!ok)
        fprintf(stderr, "bench_lookup: cannot write %s\n", path);
    return ok;
}

static long long file_size(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? (long long)st.st_size : 0;
}

static void remove_scratch(const char *dir, bool keep)
{
    static const char *const files[] = {"kiosk.db", "kiosk.db-wal", "kiosk.db-shm", "roster.csv"};
    if (keep) {
        printf("scratch directory kept: %s\n", dir);
        return;
    }
    char path[PATH_MAX + 32];
    for (size_t i = 0; i < COUNT(files); i++) {
        snprintf(path, sizeof path, "%s/%s", dir, files[i]);
        if (unlink(path) != 0 && errno != ENOENT)
            fprintf(stderr, "bench_lookup: cannot remove %s: %s\n", path, strerror(errno));
    }
    if (rmdir(dir) != 0)
        fprintf(stderr, "bench_lookup: cannot remove %s: %s\n", dir, strerror(errno));
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
    if (!write_roster(csv_path, o.roster))
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
    kiosk_rc rc = kiosk_store_import_roster(store, csv, import_day, &stats, err, sizeof err);
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
        long index = (long)(next_random(&state) % (uint64_t)o.roster);
        uint8_t uid[7], key[KIOSK_CARD_KEY_BYTES];
        card_uid(index, uid);
        kiosk_holder holder;
        if (o.gap_ms > 0)
            sleep_ms(o.gap_ms);
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
    qsort(lookup_us, n, sizeof *lookup_us, compare_double);
    double sum = 0;
    for (size_t i = 0; i < n; i++)
        sum += lookup_us[i];
    double p99 = percentile(lookup_us, n, 99);
    printf("lookup (card_key + find_card)     n=%-7zu p50 %7.1f  p90 %7.1f  p99 %7.1f  max %8.1f"
           "  mean %7.1f us\n",
           n, percentile(lookup_us, n, 50), percentile(lookup_us, n, 90), p99, lookup_us[n - 1],
           sum / (double)n);
    printf("%s: lookup p99 %.1f us <= %.0f us\n",
           p99 <= TARGET_P99_US ? "TARGET MET" : "TARGET MISSED", p99, TARGET_P99_US);
    status = 0;
out:
    kiosk_store_close(store);
    free(lookup_us);
    remove_scratch(dir, o.keep);
    return status;
}
