/* fuzz_driver.c - main() for fuzz targets built WITHOUT libFuzzer (gcc, ASan + UBSan, CTest).
 * It runs LLVMFuzzerTestOneInput over every file named on the command line or found in a
 * directory named there (the seed corpus, in name order), then over --runs=N pseudo-random
 * mutations of those seeds: bit flips, byte changes, inserts and deletes of bytes that matter
 * to our parsers ('"' ',' '\n' '\r' ';' 0xFF 0x00 parts of UTF-8 ...), duplicated chunks and
 * splices of two seeds. The generator has a fixed seed (--seed=S to change it), so a failure
 * reproduces with the same command line. When a sanitizer reports an error or the target
 * aborts, the input is written to crash-<run> (crash-seed-<n> for a seed) in the current
 * directory; pass that file as the only argument with --runs=0 to replay it.
 *
 *   fuzz_roster_csv [--runs=N] [--seed=S] [--max-len=BYTES] DIR_OR_FILE...
 *
 * Long runs use libFuzzer instead of this file: a build with -DKIOSK_LIBFUZZER=ON (clang), see
 * tests/fuzz/README.md.
 * Single-threaded; prints how many inputs ran and exits 0 unless the target crashed. */
#define _POSIX_C_SOURCE 200809L

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#if defined(__GNUC__)
/* Present when a sanitizer runtime is linked; weak, so the driver also links without one. */
void __sanitizer_set_death_callback(void (*callback)(void)) __attribute__((weak));
#endif

typedef struct input {
    uint8_t *data;
    size_t size;
} input;

typedef struct corpus {
    input *items;
    size_t count, cap;
} corpus;

/* The input being run, for the crash dump; seeds count as runs -1, -2, ... */
static const uint8_t *current_data;
static size_t current_size;
static long current_run = -1;
static volatile sig_atomic_t dumped;

static void dump_current(void)
{
    if (dumped || !current_data)
        return;
    dumped = 1;
    char name[64];
    if (current_run < 0)
        snprintf(name, sizeof name, "crash-seed-%ld", -current_run - 1);
    else
        snprintf(name, sizeof name, "crash-%06ld", current_run);
    FILE *f = fopen(name, "wb");
    if (f) {
        fwrite(current_data, 1, current_size, f);
        fclose(f);
    }
    fprintf(stderr, "fuzz_driver: %s failed; its %zu-byte input is in %s\n",
            current_run < 0 ? "a seed" : "a mutation", current_size, name);
}

static void on_abort(int sig)
{
    dump_current();
    signal(sig, SIG_DFL);
    raise(sig);
}

/* xorshift64*: small, fast and the same everywhere, which is all a reproducible run needs. */
static uint64_t rng_state;

static uint64_t rng_next(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545F4914F6CDD1DULL;
}

static size_t rng_below(size_t n)
{
    return n ? (size_t)(rng_next() % n) : 0;
}

static bool corpus_add(corpus *c, const uint8_t *data, size_t size)
{
    if (c->count == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 16;
        input *items = realloc(c->items, cap * sizeof *items);
        if (!items)
            return false;
        c->items = items;
        c->cap = cap;
    }
    uint8_t *copy = malloc(size ? size : 1);
    if (!copy)
        return false;
    if (size)
        memcpy(copy, data, size);
    c->items[c->count++] = (input){copy, size};
    return true;
}

/* Loads one file, cut to max_len bytes. */
static bool load_file(corpus *c, const char *path, size_t max_len)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "fuzz_driver: %s: %s\n", path, strerror(errno));
        return false;
    }
    uint8_t *buf = malloc(max_len ? max_len : 1);
    size_t n = buf ? fread(buf, 1, max_len, f) : 0;
    bool ok = buf && !ferror(f) && corpus_add(c, buf, n);
    free(buf);
    fclose(f);
    return ok;
}

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Loads every regular file of a directory, in name order so that runs are reproducible. */
static bool load_dir(corpus *c, const char *dir, size_t max_len)
{
    DIR *d = opendir(dir);
    if (!d) {
        fprintf(stderr, "fuzz_driver: %s: %s\n", dir, strerror(errno));
        return false;
    }
    char **names = NULL;
    size_t count = 0, cap = 0;
    bool ok = true;
    struct dirent *e;
    while (ok && (e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        if (count == cap) {
            cap = cap ? cap * 2 : 64;
            char **grown = realloc(names, cap * sizeof *grown);
            if (!grown) {
                ok = false;
                break;
            }
            names = grown;
        }
        size_t len = strlen(dir) + strlen(e->d_name) + 2;
        names[count] = malloc(len);
        if (!names[count]) {
            ok = false;
            break;
        }
        snprintf(names[count], len, "%s/%s", dir, e->d_name);
        count++;
    }
    closedir(d);
    if (count > 1)
        qsort(names, count, sizeof *names, compare_names);
    for (size_t i = 0; i < count; i++) {
        struct stat st;
        if (ok && stat(names[i], &st) == 0 && S_ISREG(st.st_mode))
            ok = load_file(c, names[i], max_len);
        free(names[i]);
    }
    free(names);
    return ok;
}

static const uint8_t interesting_bytes[] = {'"',  ',',  '\n', '\r', ';',  ' ',  '\t', 0x00,
                                            0xFF, 0xEF, 0xBB, 0xBF, 0xE5, 0xC2, 0x80, 0xED,
                                            0xF4, 0x90, 'x',  'X',  '0',  '9',  '-',  0x7F};

static const char *const interesting_strings[] = {
    "\"\"", "\r\n",         "\xEF\xBB\xBF",     "\xE3\x80\x80", "\xC2\xB7", "\",\"", "19491231",
    "0229", "\xED\xA0\x80", "\xF4\x90\x80\x80", ";;",           "810000",   "\n\n",
};

/* Inserts n bytes at pos when there is room under max_len. */
static size_t insert_bytes(uint8_t *buf, size_t size, size_t max_len, size_t pos,
                           const uint8_t *bytes, size_t n)
{
    if (size + n > max_len)
        return size;
    memmove(buf + pos + n, buf + pos, size - pos);
    memcpy(buf + pos, bytes, n);
    return size + n;
}

/* One mutation of buf (size bytes, room for max_len); returns the new size. */
static size_t mutate(uint8_t *buf, size_t size, size_t max_len, const corpus *c)
{
    size_t pos = rng_below(size + 1);
    switch (rng_below(8)) {
    case 0: /* flip a bit */
        if (size)
            buf[pos % size] ^= (uint8_t)(1u << rng_below(8));
        return size;
    case 1: /* a random byte */
        if (size)
            buf[pos % size] = (uint8_t)rng_next();
        return size;
    case 2: { /* insert an interesting byte */
        uint8_t b = interesting_bytes[rng_below(sizeof interesting_bytes)];
        return insert_bytes(buf, size, max_len, pos, &b, 1);
    }
    case 3: /* overwrite with an interesting byte */
        if (size)
            buf[pos % size] = interesting_bytes[rng_below(sizeof interesting_bytes)];
        return size;
    case 4: { /* delete up to 8 bytes */
        size_t n = 1 + rng_below(8);
        if (pos + n > size)
            n = size - pos;
        memmove(buf + pos, buf + pos + n, size - pos - n);
        return size - n;
    }
    case 5: { /* duplicate a chunk of up to 64 bytes elsewhere */
        if (!size)
            return size;
        size_t from = rng_below(size), n = 1 + rng_below(64);
        if (from + n > size)
            n = size - from;
        uint8_t chunk[64];
        memcpy(chunk, buf + from, n);
        return insert_bytes(buf, size, max_len, pos, chunk, n);
    }
    case 6: { /* insert an interesting string */
        const char *s = interesting_strings[rng_below(sizeof interesting_strings /
                                                      sizeof *interesting_strings)];
        return insert_bytes(buf, size, max_len, pos, (const uint8_t *)s, strlen(s));
    }
    default: { /* splice: keep our head, take the tail of another seed */
        if (!c->count)
            return size;
        const input *other = &c->items[rng_below(c->count)];
        size_t from = rng_below(other->size + 1), n = other->size - from;
        if (pos + n > max_len)
            n = max_len - pos;
        memcpy(buf + pos, other->data + from, n);
        return pos + n;
    }
    }
}

/* Runs one input from a heap block of exactly its size, so reading past it is caught. */
static void run_one(const uint8_t *data, size_t size, long run)
{
    uint8_t *copy = malloc(size ? size : 1);
    if (!copy) {
        fprintf(stderr, "fuzz_driver: out of memory\n");
        exit(1);
    }
    if (size)
        memcpy(copy, data, size);
    current_data = copy;
    current_size = size;
    current_run = run;
    LLVMFuzzerTestOneInput(copy, size);
    current_data = NULL;
    free(copy);
}

static bool parse_count(const char *text, unsigned long long *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(text, &end, 10);
    if (errno || end == text || *end)
        return false;
    *out = v;
    return true;
}

int main(int argc, char **argv)
{
    unsigned long long runs = 10000, seed = 0x6B696F736BULL, max_len = 8192;
    corpus c = {0};
    int status = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        bool ok = true;
        struct stat st;
        if (strncmp(a, "--runs=", 7) == 0)
            ok = parse_count(a + 7, &runs);
        else if (strncmp(a, "--seed=", 7) == 0)
            ok = parse_count(a + 7, &seed);
        else if (strncmp(a, "--max-len=", 10) == 0)
            ok = parse_count(a + 10, &max_len) && max_len > 0 && max_len <= (1u << 24);
        else if (strncmp(a, "--", 2) == 0)
            ok = false;
        else if (stat(a, &st) == 0 && S_ISDIR(st.st_mode))
            ok = load_dir(&c, a, (size_t)max_len);
        else
            ok = load_file(&c, a, (size_t)max_len);
        if (!ok) {
            fprintf(stderr,
                    "usage: %s [--runs=N] [--seed=S] [--max-len=BYTES] DIR_OR_FILE...\n"
                    "fuzz_driver: cannot use '%s'\n",
                    argv[0], a);
            status = 2;
            goto out;
        }
    }
#if defined(__GNUC__)
    if (__sanitizer_set_death_callback)
        __sanitizer_set_death_callback(dump_current);
#endif
    signal(SIGABRT, on_abort);
    rng_state = seed ? seed : 1;

    for (size_t i = 0; i < c.count; i++)
        run_one(c.items[i].data, c.items[i].size, -(long)i - 1);
    uint8_t *buf = malloc((size_t)max_len);
    if (!buf) {
        status = 1;
        goto out;
    }
    for (unsigned long long r = 0; r < runs; r++) {
        size_t size = 0;
        if (c.count) {
            const input *base = &c.items[rng_below(c.count)];
            size = base->size;
            memcpy(buf, base->data, size);
        }
        size_t steps = 1 + rng_below(4);
        for (size_t k = 0; k < steps; k++)
            size = mutate(buf, size, (size_t)max_len, &c);
        run_one(buf, size, (long)r);
    }
    free(buf);
    printf("fuzz_driver: %zu seeds and %llu mutations ran (%llu inputs), seed %llu\n", c.count,
           runs, c.count + runs, seed);
out:
    for (size_t i = 0; i < c.count; i++)
        free(c.items[i].data);
    free(c.items);
    return status;
}
