/* sync_config.c - the [sync] section: defaults, one key at a time (so a bad value is reported
 * with its line), and the section as a whole. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sync.h"
#include "sync_retry.h"

void kiosk_sync_config_defaults(kiosk_sync_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->heartbeat_s = 60;
    cfg->start_jitter_s = 60;
    cfg->offline_after_s = 1800;
    cfg->offline_meal_limit = 0;
    cfg->batch_records = 500;
    cfg->pull_s = 60;
    cfg->page_rows = 1000;
    cfg->timeout_s = 60;
    cfg->retry_max_ms = KIOSK_BACKOFF_CAP_MS;
}

/* The host of an http(s) URL into host (IPv6 without its brackets); false when there is none or
 * the URL carries a user name (credentials never go in the configuration). */
static bool url_host(const char *url, char *host, size_t size)
{
    const char *p = strstr(url, "://");
    if (!p)
        return false;
    p += 3;
    size_t authority = strcspn(p, "/?#");
    if (memchr(p, '@', authority))
        return false;
    const char *end;
    if (*p == '[') {
        end = memchr(p, ']', authority);
        if (!end)
            return false;
        p++;
    } else {
        end = p;
        while (end < p + authority && *end != ':')
            end++;
    }
    size_t n = (size_t)(end - p);
    if (n == 0 || n >= size)
        return false;
    memcpy(host, p, n);
    host[n] = '\0';
    return true;
}

static bool loopback(const char *host)
{
    return strcmp(host, "localhost") == 0 || strcmp(host, "::1") == 0 ||
           strncmp(host, "127.", 4) == 0;
}

static bool check_url(const char *url, char *problem, size_t size)
{
    bool https = strncmp(url, "https://", 8) == 0, http = strncmp(url, "http://", 7) == 0;
    char host[256];
    if ((!https && !http) || !url_host(url, host, sizeof host)) {
        snprintf(problem, size,
                 "url must be https://HOST[:PORT][/PATH] (no user name in it), not '%s'", url);
        return false;
    }
    if (http && !loopback(host)) {
        snprintf(problem, size,
                 "url: plain http:// only to this machine (127.0.0.1, localhost, ::1); use "
                 "https:// for %s",
                 host);
        return false;
    }
    for (const char *c = url; *c; c++)
        if ((unsigned char)*c <= 0x20 || (unsigned char)*c >= 0x7f) {
            snprintf(problem, size, "url contains a space or a non-ASCII character");
            return false;
        }
    return true;
}

/* sha256//BASE64[;sha256//BASE64...]: each the SHA-256 of a public key (32 bytes). */
static bool check_pin(const char *pin, char *problem, size_t size)
{
    const char *p = pin;
    int count = 0;
    while (*p) {
        size_t n = strcspn(p, ";");
        uint8_t digest[32];
        size_t len = 0;
        if (n < 9 || strncmp(p, "sha256//", 8) != 0 ||
            sodium_base642bin(digest, sizeof digest, p + 8, n - 8, NULL, &len, NULL,
                              sodium_base64_VARIANT_ORIGINAL) != 0 ||
            len != sizeof digest) {
            snprintf(problem, size,
                     "pin must be sha256//BASE64 of a 32-byte key hash, several separated by ';'"
                     " (the spare key too), not '%.*s'",
                     (int)(n > 80 ? 80 : n), p);
            return false;
        }
        count++;
        p += n;
        if (*p == ';')
            p++;
    }
    if (count == 0) {
        snprintf(problem, size, "pin is empty");
        return false;
    }
    return true;
}

static bool set_int(int *field, const char *key, const char *value, long lo, long hi, char *problem,
                    size_t size)
{
    char *end;
    errno = 0;
    long v = strtol(value, &end, 10);
    if (!*value || *end || errno || v < lo || v > hi) {
        snprintf(problem, size, "%s must be an integer from %ld to %ld, not '%s'", key, lo, hi,
                 value);
        return false;
    }
    *field = (int)v;
    return true;
}

static bool set_str(char *field, size_t field_size, const char *key, const char *value,
                    char *problem, size_t size)
{
    if (strlen(value) >= field_size) {
        snprintf(problem, size, "%s is longer than %zu bytes", key, field_size - 1);
        return false;
    }
    memcpy(field, value, strlen(value) + 1);
    return true;
}

bool kiosk_sync_config_set(kiosk_sync_config *cfg, const char *key, const char *value,
                           char *problem, size_t size)
{
    cfg->enabled = true;
    if (strcmp(key, "url") == 0)
        return set_str(cfg->url, sizeof cfg->url, key, value, problem, size) &&
               check_url(value, problem, size);
    if (strcmp(key, "ca_file") == 0) {
        if (!set_str(cfg->ca_file, sizeof cfg->ca_file, key, value, problem, size))
            return false;
        if (value[0] && access(value, R_OK) != 0) {
            snprintf(problem, size, "ca_file %s cannot be read: %s", value, strerror(errno));
            return false;
        }
        return true;
    }
    if (strcmp(key, "pin") == 0)
        return set_str(cfg->pin, sizeof cfg->pin, key, value, problem, size) &&
               (!value[0] || check_pin(value, problem, size));
    if (strcmp(key, "proxy") == 0)
        return set_str(cfg->proxy, sizeof cfg->proxy, key, value, problem, size);
    if (strcmp(key, "enroll_token") == 0) {
        for (const char *c = value; *c; c++)
            if ((unsigned char)*c <= 0x20 || (unsigned char)*c >= 0x7f) {
                snprintf(problem, size, "enroll_token contains a space or a non-ASCII character");
                return false;
            }
        return set_str(cfg->enroll_token, sizeof cfg->enroll_token, key, value, problem, size);
    }
    if (strcmp(key, "heartbeat_s") == 0)
        return set_int(&cfg->heartbeat_s, key, value, 5, 86400, problem, size);
    if (strcmp(key, "start_jitter_s") == 0)
        return set_int(&cfg->start_jitter_s, key, value, 0, 3600, problem, size);
    if (strcmp(key, "offline_after_s") == 0)
        return set_int(&cfg->offline_after_s, key, value, 1, 7 * 86400, problem, size);
    if (strcmp(key, "offline_meal_limit") == 0)
        return set_int(&cfg->offline_meal_limit, key, value, 0, 1000000, problem, size);
    if (strcmp(key, "batch_records") == 0)
        return set_int(&cfg->batch_records, key, value, 1, 500, problem, size);
    if (strcmp(key, "pull_s") == 0)
        return set_int(&cfg->pull_s, key, value, 1, 86400, problem, size);
    if (strcmp(key, "page_rows") == 0)
        return set_int(&cfg->page_rows, key, value, 1, 1000, problem, size);
    if (strcmp(key, "timeout_s") == 0)
        return set_int(&cfg->timeout_s, key, value, 1, 600, problem, size);
    if (strcmp(key, "retry_max_ms") == 0)
        return set_int(&cfg->retry_max_ms, key, value, 100, KIOSK_BACKOFF_CAP_MS, problem, size);
    snprintf(problem, size,
             "unknown key '%s' in section [sync] (url, ca_file, pin, proxy, enroll_token,"
             " heartbeat_s, start_jitter_s, offline_after_s, offline_meal_limit, batch_records,"
             " pull_s, page_rows, timeout_s, retry_max_ms)",
             key);
    return false;
}

kiosk_rc kiosk_sync_config_check(const kiosk_sync_config *cfg, char *problem, size_t size)
{
    if (!cfg->enabled)
        return KIOSK_OK;
    if (!cfg->url[0])
        return kiosk_fail(KIOSK_ERR_CONFIG, problem, size,
                          "[sync] has no url: give the central server's https:// address, or"
                          " remove the section to run without sync");
    if (strncmp(cfg->url, "https://", 8) == 0 && !cfg->ca_file[0])
        return kiosk_fail(KIOSK_ERR_CONFIG, problem, size,
                          "[sync] url is https:// but there is no ca_file: the kiosk trusts only"
                          " the bureau's private CA, give its certificate file");
    return KIOSK_OK;
}
