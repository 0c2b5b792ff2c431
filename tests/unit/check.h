/* check.h - a tiny assertion header for the unit tests: each failed check prints the file, line,
 * the expression and both values, counts the failure, and the test's main returns the count. */
#ifndef KIOSK_TEST_CHECK_H
#define KIOSK_TEST_CHECK_H

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int check_failures;
static int check_count;

#define CHECK(cond)                                                                  \
    do {                                                                             \
        check_count++;                                                               \
        if (!(cond)) {                                                               \
            fprintf(stderr, "%s:%d: CHECK(%s) failed\n", __FILE__, __LINE__, #cond); \
            check_failures++;                                                        \
        }                                                                            \
    } while (0)

#define CHECK_INT(a, b)                                                                           \
    do {                                                                                          \
        long long check_a_ = (long long)(a), check_b_ = (long long)(b);                           \
        check_count++;                                                                            \
        if (check_a_ != check_b_) {                                                               \
            fprintf(stderr, "%s:%d: %s == %s failed: %lld != %lld\n", __FILE__, __LINE__, #a, #b, \
                    check_a_, check_b_);                                                          \
            check_failures++;                                                                     \
        }                                                                                         \
    } while (0)

#define CHECK_STR(a, b)                                                                           \
    do {                                                                                          \
        const char *check_a_ = (a), *check_b_ = (b);                                              \
        check_count++;                                                                            \
        if (!check_a_ || !check_b_ || strcmp(check_a_, check_b_) != 0) {                          \
            fprintf(stderr, "%s:%d: %s == %s failed: \"%s\" != \"%s\"\n", __FILE__, __LINE__, #a, \
                    #b, check_a_ ? check_a_ : "(null)", check_b_ ? check_b_ : "(null)");          \
            check_failures++;                                                                     \
        }                                                                                         \
    } while (0)

/* A fresh scratch directory under $TMPDIR (default /tmp) whose name starts with prefix; NULL
 * when it cannot be made. The path is static storage; check_scratch_remove deletes it and all it
 * holds, so a test leaves nothing behind. */
char *mkdtemp(char *template);
static inline const char *check_scratch_dir(const char *prefix)
{
    static char path[512];
    const char *tmp = getenv("TMPDIR");
    snprintf(path, sizeof path, "%s/%s-XXXXXX", tmp && *tmp ? tmp : "/tmp", prefix);
    return mkdtemp(path);
}

static inline void check_scratch_remove(const char *path)
{
    char cmd[600];
    if (!path)
        return;
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", path);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", path);
}

/* Ends a test main: prints a summary line and returns non-zero when any check failed. */
#define CHECK_DONE()                                                                          \
    do {                                                                                      \
        fprintf(stderr, "%s: %d checks, %d failed\n", __FILE__, check_count, check_failures); \
        return check_failures ? 1 : 0;                                                        \
    } while (0)

#endif
