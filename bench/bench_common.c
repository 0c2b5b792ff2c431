/* bench_common.c - helpers shared by the benchmarks. */
#define _GNU_SOURCE
#include "bench_common.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

double bench_now_ms(void)
{
    struct timespec ts;
    if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0) {
        perror("bench: clock_gettime");
        exit(1);
    }
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

void bench_sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        continue;
}

uint64_t bench_random(uint64_t *state)
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

bench_summary bench_summarize(double *samples, size_t n)
{
    bench_summary s = {0};
    if (n == 0)
        return s;
    qsort(samples, n, sizeof *samples, compare_double);
    double sum = 0;
    for (size_t i = 0; i < n; i++)
        sum += samples[i];
    const double ps[3] = {50, 90, 99};
    double *out[3] = {&s.p50, &s.p90, &s.p99};
    for (int k = 0; k < 3; k++) {
        size_t rank = (size_t)((ps[k] * (double)n + 99.0) / 100.0); /* ceil(p/100 * n) */
        if (rank < 1)
            rank = 1;
        if (rank > n)
            rank = n;
        *out[k] = samples[rank - 1];
    }
    s.max = samples[n - 1];
    s.mean = sum / (double)n;
    return s;
}

bool bench_parse_long(const char *text, long min, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(text, &end, 10);
    if (errno != 0 || end == text || *end != '\0' || v < min)
        return false;
    *out = v;
    return true;
}

void bench_card_uid(long index, uint8_t uid[7])
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
    uint64_t r = bench_random(&state);
    char name[16];
    int len = snprintf(name, sizeof name, "%s%s", surnames[r % COUNT(surnames)],
                       given[(r >> 8) % COUNT(given)]);
    if ((r >> 16) % 4 != 0) /* three in four names have three characters */
        snprintf(name + len, sizeof name - (size_t)len, "%s", given[(r >> 24) % COUNT(given)]);
    int year = 1926 + (int)((r >> 32) % 40); /* 60 to 100 years old on the run's day */
    int month = 1 + (int)((r >> 40) % 12), day = 1 + (int)((r >> 44) % 28);
    unsigned pick = (unsigned)((r >> 50) % 100);
    const char *categories = pick < 8 ? "dibao" : pick < 11 ? "tekun" : pick < 14 ? "disabled" : "";
    const char *hukou = (r >> 58) % 8 == 0 ? "resident" : "local";
    uint8_t uid[7];
    bench_card_uid(index, uid);
    return fprintf(f,
                   "P%07ld,%s,%04d-%02d-%02d,%s,320100,320102,32010200%d,%s,active,"
                   "%02X%02X%02X%02X%02X%02X%02X,active,,\n",
                   index, name, year, month, day, categories, (int)((r >> 61) % 4) + 1, hukou,
                   uid[0], uid[1], uid[2], uid[3], uid[4], uid[5], uid[6]);
}

bool bench_write_roster(const char *path, long persons)
{
    FILE *f = fopen(path, "w");
    if (!f) {
        fprintf(stderr, "bench: %s: %s\n", path, strerror(errno));
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
        fprintf(stderr, "bench: cannot write %s\n", path);
    return ok;
}

void bench_remove_scratch(const char *dir, const char *const *files, size_t count, bool keep)
{
    if (keep) {
        printf("scratch directory kept: %s\n", dir);
        return;
    }
    char path[PATH_MAX + 32];
    for (size_t i = 0; i < count; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, files[i]);
        if (unlink(path) != 0 && errno != ENOENT)
            fprintf(stderr, "bench: cannot remove %s: %s\n", path, strerror(errno));
    }
    if (rmdir(dir) != 0)
        fprintf(stderr, "bench: cannot remove %s: %s\n", dir, strerror(errno));
}
