/* fleet.c - the fleet table from the devices and their latest heartbeats (fleet.h). */
#define _POSIX_C_SOURCE 200809L
#include "fleet.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"

const char *const srv_fleet_device_names[SRV_FLEET_DEVICES] = {"reader", "idcard", "printer"};

/* The streams a kiosk reports the age of (docs/sync-protocol.md). */
const char *const srv_fleet_stream_names[SRV_FLEET_STREAMS] = {
    "cards",        "policy",         "roster",   "meals_today",
    "appointments", "checkins_today", "calendar", "staff"};

typedef struct collect {
    srv_fleet_row *rows;
    size_t count, cap;
    int64_t now_ms, beat_ms;
} collect;

static kiosk_rc add_device(void *user, const srv_device *d)
{
    collect *c = user;
    if (c->count == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 16;
        srv_fleet_row *grown = realloc(c->rows, cap * sizeof *grown);
        if (!grown)
            return KIOSK_ERR_NOMEM;
        c->rows = grown;
        c->cap = cap;
    }
    srv_fleet_row *r = &c->rows[c->count++];
    memset(r, 0, sizeof *r);
    r->dev = *d;
    memset(r->dev.secret_hex, 0, sizeof r->dev.secret_hex); /* the table never needs it */
    r->pending = r->oldest_age_ms = r->last_ack_ms = r->rejected = -1;
    r->disk_free_bytes = r->offline_meals = r->config_version = r->uptime_s = -1;
    r->update_at_ms = -1;
    for (int s = 0; s < SRV_FLEET_STREAMS; s++)
        r->stream_age_ms[s] = -1;
    r->state = d->revoked_ms ? "revoked" : !d->enrolled_ms ? "waiting_enrollment" : "silent";
    return KIOSK_OK;
}

/* A non-negative integer member, or -1 (null, absent, not an integer). */
static int64_t member(const json_t *o, const char *key)
{
    const json_t *v = json_object_get(o, key);
    return json_is_integer(v) && json_integer_value(v) >= 0 ? (int64_t)json_integer_value(v) : -1;
}

/* A string member that fits out whole, or "" (a longer one is cut nowhere: it is not shown). */
static void string_member(const json_t *o, const char *key, char *out, size_t size)
{
    const json_t *v = json_object_get(o, key);
    const char *text = json_string_value(v);
    out[0] = '\0';
    if (text && json_string_length(v) < size && !memchr(text, '\0', json_string_length(v)))
        memcpy(out, text, json_string_length(v) + 1);
}

static int compare_id(const void *key, const void *row)
{
    return strcmp(key, ((const srv_fleet_row *)row)->dev.device_id);
}

static kiosk_rc add_beat(void *user, const char *device_id, int64_t received_ms, const char *body)
{
    collect *c = user;
    srv_fleet_row *r = bsearch(device_id, c->rows, c->count, sizeof *c->rows, compare_id);
    if (!r)
        return KIOSK_OK;
    r->has_beat = true;
    r->beat_ms = received_ms;
    json_t *o = json_loads(body, 0, NULL);
    /* The kiosk says how often it beats ([sync] heartbeat_s, remote configuration can change it).
     */
    int64_t every_s = json_is_object(o) ? member(o, "heartbeat_s") : -1;
    r->beat_every_ms = every_s > 0 ? every_s * 1000 : c->beat_ms;
    if (!r->dev.revoked_ms)
        r->state = c->now_ms - received_ms > SRV_FLEET_SILENT_BEATS * r->beat_every_ms ? "offline"
                                                                                       : "online";
    if (!json_is_object(o)) {
        json_decref(o);
        return KIOSK_OK;
    }
    r->pending = member(o, "pending");
    int64_t oldest = member(o, "oldest_pending_ms");
    r->oldest_age_ms = oldest >= 0 ? (received_ms - oldest > 0 ? received_ms - oldest : 0) : -1;
    r->last_ack_ms = member(o, "last_ack_ms");
    r->rejected = member(o, "rejected");
    const json_t *off = json_object_get(o, "clock_offset_ms");
    r->has_offset = json_is_integer(off);
    r->clock_offset_ms = r->has_offset ? (int64_t)json_integer_value(off) : 0;
    r->disk_free_bytes = member(o, "disk_free_bytes");
    r->offline_meals = member(o, "offline_meals");
    const json_t *ages = json_object_get(o, "stream_ages_ms");
    for (int s = 0; s < SRV_FLEET_STREAMS; s++)
        r->stream_age_ms[s] = member(ages, srv_fleet_stream_names[s]);
    const char *v = json_string_value(json_object_get(o, "app_version"));
    snprintf(r->app_version, sizeof r->app_version, "%s", v ? v : "");
    const char *n = json_string_value(json_object_get(o, "staff_notice"));
    snprintf(r->staff_notice, sizeof r->staff_notice, "%s", n ? n : "");
    r->config_version = member(o, "config_version");
    r->uptime_s = member(o, "uptime_s");
    const json_t *devices = json_object_get(o, "devices");
    for (int d = 0; d < SRV_FLEET_DEVICES; d++) {
        const char *st = json_string_value(json_object_get(devices, srv_fleet_device_names[d]));
        snprintf(r->devices[d], sizeof r->devices[d], "%s",
                 st && strcmp(st, "absent") != 0 && strlen(st) < sizeof r->devices[d] ? st : "");
    }
    const char *e = json_string_value(json_object_get(o, "config_error"));
    snprintf(r->config_error, sizeof r->config_error, "%s", e ? e : "");
    const json_t *u = json_object_get(o, "update");
    string_member(u, "result", r->update_result, sizeof r->update_result);
    string_member(u, "version", r->update_version, sizeof r->update_version);
    string_member(u, "previous", r->update_previous, sizeof r->update_previous);
    string_member(u, "reason", r->update_reason, sizeof r->update_reason);
    r->update_at_ms = r->update_result[0] ? member(u, "at_ms") : -1;
    json_decref(o);
    return KIOSK_OK;
}

kiosk_rc srv_fleet_collect(srv_store *st, int64_t now_ms, int64_t beat_ms, srv_fleet_row **rows,
                           size_t *count)
{
    collect c = {.now_ms = now_ms, .beat_ms = beat_ms};
    kiosk_rc rc = srv_store_begin(st, false);
    if (rc == KIOSK_OK) {
        /* Both lists come in device id order, so the heartbeats find their device by bsearch. */
        rc = srv_store_device_list(st, add_device, &c);
        if (rc == KIOSK_OK)
            rc = srv_store_heartbeat_list(st, add_beat, &c);
        srv_store_rollback(st);
    }
    if (rc != KIOSK_OK) {
        free(c.rows);
        c.rows = NULL;
        c.count = 0;
    }
    *rows = c.rows;
    *count = c.count;
    return rc;
}

static void put_int(int64_t v)
{
    if (v < 0)
        printf("\t-");
    else
        printf("\t%lld", (long long)v);
}

static void put_time(int64_t ms)
{
    if (ms < 0) {
        printf("\t-");
        return;
    }
    char text[KIOSK_CLOCK_TEXT_SIZE];
    kiosk_clock_format_local(ms, text);
    printf("\t%s", text);
}

void srv_fleet_update_text(const srv_fleet_row *r, char *out, size_t size)
{
    out[0] = '\0';
    if (!r->update_result[0] || size == 0)
        return;
    size_t n = 0;
#define PUT(...)                                                         \
    do {                                                                 \
        int w = snprintf(out + n, size - n, __VA_ARGS__);                \
        n = w < 0 ? n : n + (size_t)w < size ? n + (size_t)w : size - 1; \
    } while (0)
    PUT("%s", r->update_result);
    if (r->update_version[0])
        PUT(" %s", r->update_version);
    if (r->update_previous[0])
        PUT(" (from %s)", r->update_previous);
    if (r->update_at_ms >= 0) {
        char when[KIOSK_CLOCK_TEXT_SIZE];
        kiosk_clock_format_local(r->update_at_ms, when);
        PUT(" at %s", when);
    }
    if (r->update_reason[0])
        PUT(": %s", r->update_reason);
#undef PUT
    /* One line of a tab-separated table whatever a kiosk sent. */
    for (char *c = out; *c; c++)
        if ((unsigned char)*c < 0x20 || *c == 0x7f)
            *c = ' ';
}

int srv_fleet_command(srv_store *st, int argc, char **argv)
{
    int64_t beat_ms = SRV_FLEET_BEAT_MS;
    if (argc == 2 && strcmp(argv[0], "--interval") == 0) {
        char *end;
        long s = strtol(argv[1], &end, 10);
        if (*end || s < 1 || s > 86400) {
            fprintf(stderr, "server: fleet: --interval is 1..86400 seconds\n");
            return 2;
        }
        beat_ms = s * 1000LL;
    } else if (argc != 0) {
        fprintf(stderr, "usage: server fleet [--interval SECONDS]  (the heartbeat interval of "
                        "kiosks whose heartbeat does not say; 60 unless given)\n");
        return 2;
    }
    srv_fleet_row *rows;
    size_t count;
    kiosk_rc rc = srv_fleet_collect(st, kiosk_clock_now_ms(), beat_ms, &rows, &count);
    if (rc != KIOSK_OK) {
        fprintf(stderr, "server: fleet failed: %s %s\n", kiosk_strerror(rc), srv_store_errmsg(st));
        return 1;
    }
    printf("device_id\tsite_id\tstate\tlast_heartbeat\tapp_version\tuptime_s\tpending\t"
           "oldest_pending_s\tlast_ack\tclock_offset_ms\tdisk_free_mb\toffline_meals\trejected\t"
           "config\tdevices\tupdate\n");
    for (size_t i = 0; i < count; i++) {
        const srv_fleet_row *r = &rows[i];
        char line[400];
        printf("%s\t%s\t%s", r->dev.device_id, r->dev.site_id, r->state);
        put_time(r->has_beat ? r->beat_ms : -1);
        printf("\t%s", r->app_version[0] ? r->app_version : "-");
        put_int(r->uptime_s);
        put_int(r->pending);
        put_int(r->oldest_age_ms < 0 ? -1 : r->oldest_age_ms / 1000);
        put_time(r->last_ack_ms);
        if (r->has_offset)
            printf("\t%lld", (long long)r->clock_offset_ms);
        else
            printf("\t-");
        put_int(r->disk_free_bytes < 0 ? -1 : r->disk_free_bytes / (1024 * 1024));
        put_int(r->offline_meals);
        put_int(r->rejected);
        put_int(r->config_version);
        if (r->config_error[0])
            printf(" (%s)", r->config_error);
        int shown = 0;
        for (int d = 0; d < SRV_FLEET_DEVICES; d++)
            if (r->devices[d][0])
                printf("%s%s=%s", shown++ ? "," : "\t", srv_fleet_device_names[d], r->devices[d]);
        printf("%s", shown ? "" : "\t-");
        srv_fleet_update_text(r, line, sizeof line);
        printf("\t%s\n", line[0] ? line : "-");
    }
    free(rows);
    return 0;
}
