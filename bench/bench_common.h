/* bench_common.h - what the benchmarks share: a monotonic clock, a seeded generator, nearest-rank
 * percentiles, option parsing, the generated roster (docs/roster.md format) and scratch clean-up.
 * Single-threaded benchmark code only. */
#ifndef BENCH_COMMON_H
#define BENCH_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The business day of the runs: a Monday, inside the example policy's validity. */
#define BENCH_DAY ((kiosk_date){2026, 11, 23})

typedef struct bench_summary {
    double p50, p90, p99, max, mean;
} bench_summary;

/* CLOCK_MONOTONIC in milliseconds (exits if the clock fails). */
double bench_now_ms(void);
void bench_sleep_ms(long ms);
/* splitmix64: tiny and well mixed, so runs with the same seed pick the same cards. */
uint64_t bench_random(uint64_t *state);
/* Nearest-rank percentiles (the p99 of 1000 samples is the 990th smallest), the maximum and the
 * mean. Sorts samples in place. */
bench_summary bench_summarize(double *samples, size_t n);
/* A decimal integer >= min filling all of text. */
bool bench_parse_long(const char *text, long min, long *out);

/* The 7-byte UID of roster person `index`: 0x04 (NXP) and six bytes of the index. Sequential
 * UIDs are fine: the store keys cards by a keyed hash, which scatters them as real UIDs are. */
void bench_card_uid(long index, uint8_t uid[7]);
/* Writes a roster of `persons` rows, person P<index> holding card bench_card_uid(index): every
 * one eligible for a subsidised lunch, spread over the example policy's classes (ages 60-100,
 * some with hardship categories), so amounts and screens vary as on a real day. */
bool bench_write_roster(const char *path, long persons);
/* Removes the named files in dir, then dir itself, unless keep. */
void bench_remove_scratch(const char *dir, const char *const *files, size_t count, bool keep);

#endif
