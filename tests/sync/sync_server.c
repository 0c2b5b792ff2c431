/* sync_server.c - a scripted stand-in for the central server, for the kiosk's sync tests and
 * benchmarks: it plays docs/sync-protocol.md on a loopback port with libmicrohttpd (enrollment,
 * signed requests checked with the domain's signature, batches stored once by record_id with
 * the payload hash checked, pulls and snapshots from in-memory streams, heartbeats) and takes
 * scripted faults and data changes on a control interface (/_ctl/...), so the kiosk's tests do
 * not depend on the real server (server/) being finished. Not a model of the real server's
 * storage: everything is in memory, written to --state at exit and read back at start (devices
 * and records), so a test can stop the server and bring it back.
 *
 *   sync_server [--port N] [--port-file F] [--state F] [--token T]... [--card-key HEX]
 *               [--device ID:SECRET_BASE64]... [--roster-gen N] [--no-echo-meals] [--log F]
 *               [--tls-cert PEM --tls-key PEM]
 *
 * --device enrolls a device up front (the benchmarks store the same identity in their database
 * instead of enrolling over the network).
 *
 * Control (no signature):
 *   POST /_ctl/fault?path=batch|pull|snapshot|heartbeat|enroll&kind=close|status
 *        [&status=503][&retry_after=S][&count=N][&stream=S]
 *        the next N requests to that path get the fault; close: the request is read and acted
 *        on (a batch is stored), then the connection is closed with no answer at all
 *   POST /_ctl/card?uid=HEX&person=P[&blocked=1][&canteen=C]    a change in the cards stream
 *   POST /_ctl/person?id=P[&name=][&birth=][&active=0][&hukou=][&categories=a,b][&purge=1]
 *        a roster change; purge: the person leaves the stream without a tombstone
 *   POST /_ctl/delete?stream=S&key=K                              a tombstone
 *   POST /_ctl/policy   (body: a policy JSON)                     a policy change
 *   POST /_ctl/meal     (body: a meal payload JSON)               another kiosk's meal
 *   POST /_ctl/expire?stream=S     every cursor handed out so far answers 410 (snapshot needed)
 *   POST /_ctl/revoke              signed requests answer 403 device_revoked
 *   GET  /_ctl/state               counts, as JSON
 *   GET  /_ctl/log                 one line per request: mono_ms method target status
 *   GET  /_ctl/records             one line per stored record: record_id device_seq offline
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <signal.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "card_key.h"
#include "sync_sign.h"

#define BODY_MAX     (8u << 20)
#define INFLATED_MAX (4u << 20)
#define MAX_DEVICES  16
#define MAX_TOKENS   16
#define MAX_FAULTS   32
#define STREAMS      8

/* Every stream the kiosk pulls (kiosk_stream): the ones a test does not fill answer empty pages,
 * as the real server's do for a site without such rows. */
static const char *const stream_names[STREAMS] = {"cards",       "policy",       "roster",
                                                  "meals_today", "appointments", "checkins_today",
                                                  "calendar",    "staff"};

/* --- state ----------------------------------------------------------------------------------- */

typedef struct device {
    char id[32];
    uint8_t secret[32];
    int64_t high_water;
    int64_t stored; /* records stored for it: equal to high_water when there is no gap */
} device;

typedef struct record {
    char id[40];
    char device[32];
    int64_t seq;
    char sha[65];
    bool offline;
    int times; /* how often it was received */
} record;

typedef struct change {
    char *key;
    int64_t version;
    bool del, dead; /* dead: superseded by a later change of the key, or purged */
    char *row;      /* JSON text of the row */
} change;

typedef struct stream {
    change *items;
    size_t count, cap;
    int64_t version;       /* the latest version */
    int64_t expired_below; /* cursors below this answer 410 */
    long gen;              /* generated roster rows, versions 1..gen */
    int64_t snapshot_cursor;
} stream;

typedef struct fault {
    char path[16];
    char stream[16];
    bool close;
    int status;
    long retry_after;
    int count;
} fault;

typedef struct log_line {
    int64_t mono_ms;
    char method[8];
    char target[160];
    int status;
} log_line;

static struct {
    device devices[MAX_DEVICES];
    int device_count;
    char tokens[MAX_TOKENS][128];
    bool token_used[MAX_TOKENS];
    int token_count;
    uint8_t card_key[32];
    bool revoked;
    bool echo_meals;
    record *records;
    size_t record_count, record_cap;
    size_t *index; /* open addressing over records, by record_id */
    size_t index_cap;
    long accepted, duplicates, conflicts, rejected, batches, heartbeats, bad_signatures;
    char *last_heartbeat;
    stream streams[STREAMS];
    fault faults[MAX_FAULTS];
    int fault_count;
    log_line *log;
    size_t log_count, log_cap;
    const char *state_path;
    const char *log_path;
} S;

static volatile sig_atomic_t stopping;

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int64_t wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void *xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n);
    if (!q) {
        fprintf(stderr, "sync_server: out of memory\n");
        exit(1);
    }
    return q;
}

/* --- records --------------------------------------------------------------------------------- */

static uint64_t hash_text(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

static void index_rebuild(size_t cap)
{
    free(S.index);
    S.index_cap = cap;
    S.index = xrealloc(NULL, cap * sizeof *S.index);
    for (size_t i = 0; i < cap; i++)
        S.index[i] = SIZE_MAX;
    for (size_t r = 0; r < S.record_count; r++) {
        size_t slot = hash_text(S.records[r].id) % cap;
        while (S.index[slot] != SIZE_MAX)
            slot = (slot + 1) % cap;
        S.index[slot] = r;
    }
}

static record *record_find(const char *id)
{
    if (!S.index_cap)
        return NULL;
    size_t slot = hash_text(id) % S.index_cap;
    while (S.index[slot] != SIZE_MAX) {
        if (strcmp(S.records[S.index[slot]].id, id) == 0)
            return &S.records[S.index[slot]];
        slot = (slot + 1) % S.index_cap;
    }
    return NULL;
}

static record *record_add(const record *r)
{
    if (S.record_count == S.record_cap) {
        S.record_cap = S.record_cap ? S.record_cap * 2 : 1024;
        S.records = xrealloc(S.records, S.record_cap * sizeof *S.records);
    }
    S.records[S.record_count++] = *r;
    if (S.record_count * 2 > S.index_cap)
        index_rebuild(S.index_cap ? S.index_cap * 4 : 4096);
    else {
        size_t slot = hash_text(r->id) % S.index_cap;
        while (S.index[slot] != SIZE_MAX)
            slot = (slot + 1) % S.index_cap;
        S.index[slot] = S.record_count - 1;
    }
    return &S.records[S.record_count - 1];
}

static bool seq_taken(const char *device_id, int64_t seq, const char *by_other_than)
{
    /* Linear, but only on the slow path of a record never seen before whose seq is not new. */
    for (size_t i = 0; i < S.record_count; i++)
        if (S.records[i].seq == seq && strcmp(S.records[i].device, device_id) == 0 &&
            strcmp(S.records[i].id, by_other_than) != 0)
            return true;
    return false;
}

/* --- streams --------------------------------------------------------------------------------- */

static void stream_put(int s, const char *key, bool del, char *row)
{
    stream *st = &S.streams[s];
    for (size_t i = 0; i < st->count; i++)
        if (!st->items[i].dead && strcmp(st->items[i].key, key) == 0)
            st->items[i].dead = true;
    if (st->count == st->cap) {
        st->cap = st->cap ? st->cap * 2 : 64;
        st->items = xrealloc(st->items, st->cap * sizeof *st->items);
    }
    st->items[st->count++] = (change){strdup(key), ++st->version, del, false, row};
}

static void stream_purge(int s, const char *key)
{
    stream *st = &S.streams[s];
    for (size_t i = 0; i < st->count; i++)
        if (strcmp(st->items[i].key, key) == 0)
            st->items[i].dead = true;
}

static int stream_find(const char *name)
{
    for (int i = 0; i < STREAMS; i++)
        if (name && strcmp(stream_names[i], name) == 0)
            return i;
    return -1;
}

/* Generated roster row i (1-based): person S0000001 ... */
static void gen_key(long i, char out[16])
{
    snprintf(out, 16, "S%07ld", i);
}

static char *gen_row(long i)
{
    char key[16], birth[16];
    gen_key(i, key);
    snprintf(birth, sizeof birth, "%04ld-%02ld-%02ld", 1926 + i % 40, 1 + i % 12, 1 + i % 28);
    json_t *o = json_pack("{s:s, s:s, s:s, s:[], s:s, s:s, s:s, s:s, s:b, s:n}", "person_id", key,
                          "name_masked", "张*明", "birth_date", birth, "categories", "city", "3201",
                          "district", "320106", "street", "320106002", "hukou", "local", "active",
                          1, "id_key");
    if (i % 7 == 0)
        json_array_append_new(json_object_get(o, "categories"), json_string("dibao"));
    char *text = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    return text;
}

/* --- HTTP helpers ---------------------------------------------------------------------------- */

typedef struct request {
    char uri[2048]; /* as sent, for the signature */
    char *body;
    size_t len;
    bool too_big;
    bool started; /* the first call (headers only) was seen */
} request;

static void log_request(const char *method, const char *target, int status)
{
    if (S.log_count == S.log_cap) {
        S.log_cap = S.log_cap ? S.log_cap * 2 : 1024;
        S.log = xrealloc(S.log, S.log_cap * sizeof *S.log);
    }
    log_line *l = &S.log[S.log_count++];
    l->mono_ms = mono_ms();
    snprintf(l->method, sizeof l->method, "%s", method);
    snprintf(l->target, sizeof l->target, "%s", target);
    l->status = status;
    if (S.log_path) {
        FILE *f = fopen(S.log_path, "a");
        if (f) {
            fprintf(f, "%" PRId64 " %s %s %d\n", l->mono_ms, l->method, l->target, status);
            fclose(f);
        }
    }
}

static enum MHD_Result reply(struct MHD_Connection *c, int status, const char *body,
                             const char *method, const char *target, long retry_after)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(
        body ? strlen(body) : 0, (void *)(body ? body : ""), MHD_RESPMEM_MUST_COPY);
    char t[32];
    snprintf(t, sizeof t, "%" PRId64, wall_ms());
    MHD_add_response_header(r, "X-Server-Time-Ms", t);
    if (body)
        MHD_add_response_header(r, "Content-Type", "application/json");
    if (retry_after > 0) {
        char ra[32];
        snprintf(ra, sizeof ra, "%ld", retry_after);
        MHD_add_response_header(r, "Retry-After", ra);
    }
    enum MHD_Result ok = MHD_queue_response(c, (unsigned)status, r);
    MHD_destroy_response(r);
    log_request(method, target, status);
    return ok;
}

/* Dumps o (taking it) with server_time_ms and answers with it. */
static enum MHD_Result reply_json(struct MHD_Connection *c, int status, json_t *o,
                                  const char *method, const char *target)
{
    json_object_set_new(o, "server_time_ms", json_integer(wall_ms()));
    char *text = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    enum MHD_Result r = reply(c, status, text, method, target, 0);
    free(text);
    return r;
}

static enum MHD_Result reply_error(struct MHD_Connection *c, int status, const char *code,
                                   const char *detail, const char *method, const char *target,
                                   long retry_after)
{
    json_t *o = json_pack("{s:s, s:s, s:I}", "error", code, "detail", detail, "server_time_ms",
                          (json_int_t)wall_ms());
    char *text = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    enum MHD_Result r = reply(c, status, text, method, target, retry_after);
    free(text);
    return r;
}

static const char *arg(struct MHD_Connection *c, const char *name)
{
    return MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, name);
}

static const char *header(struct MHD_Connection *c, const char *name)
{
    return MHD_lookup_connection_value(c, MHD_HEADER_KIND, name);
}

static bool gunzip(const char *in, size_t len, char **out, size_t *out_len)
{
    z_stream z;
    memset(&z, 0, sizeof z);
    if (inflateInit2(&z, 15 + 16) != Z_OK)
        return false;
    size_t cap = len * 4 + 4096;
    char *buf = xrealloc(NULL, cap + 1);
    z.next_in = (Bytef *)in;
    z.avail_in = (uInt)len;
    size_t used = 0;
    int zr;
    for (;;) {
        z.next_out = (Bytef *)buf + used;
        z.avail_out = (uInt)(cap - used);
        zr = inflate(&z, Z_NO_FLUSH);
        used = cap - z.avail_out;
        if (zr == Z_STREAM_END || (zr != Z_OK && zr != Z_BUF_ERROR) || used > INFLATED_MAX)
            break;
        if (z.avail_out == 0) {
            cap *= 2;
            buf = xrealloc(buf, cap + 1);
        } else if (z.avail_in == 0) {
            break;
        }
    }
    inflateEnd(&z);
    if (zr != Z_STREAM_END || used > INFLATED_MAX) {
        free(buf);
        return false;
    }
    buf[used] = '\0';
    *out = buf;
    *out_len = used;
    return true;
}

/* The next fault scripted for this path (and stream), used up by one. */
static fault *take_fault(const char *path, const char *stream_name)
{
    for (int i = 0; i < S.fault_count; i++) {
        fault *f = &S.faults[i];
        if (f->count > 0 && strcmp(f->path, path) == 0 &&
            (!f->stream[0] || (stream_name && strcmp(f->stream, stream_name) == 0))) {
            f->count--;
            return f;
        }
    }
    return NULL;
}

/* --- the protocol ------------------------------------------------------------------------------
 */

static device *find_device(const char *id)
{
    for (int i = 0; id && i < S.device_count; i++)
        if (strcmp(S.devices[i].id, id) == 0)
            return &S.devices[i];
    return NULL;
}

static enum MHD_Result enroll(struct MHD_Connection *c, request *q, const char *target)
{
    json_t *body = json_loadb(q->body ? q->body : "", q->len, 0, NULL);
    const char *token = json_string_value(json_object_get(body, "token"));
    int found = -1;
    for (int i = 0; token && i < S.token_count; i++)
        if (strcmp(S.tokens[i], token) == 0)
            found = i;
    json_decref(body);
    if (found < 0 || S.token_used[found])
        return reply_error(c, 401, "token_invalid", "unknown, used or expired token", "POST",
                           target, 0);
    if (S.device_count == MAX_DEVICES)
        return reply_error(c, 409, "already_enrolled", "too many devices", "POST", target, 0);
    S.token_used[found] = true;
    device *d = &S.devices[S.device_count++];
    snprintf(d->id, sizeof d->id, "k-%04d", S.device_count);
    randombytes_buf(d->secret, sizeof d->secret);
    char secret[64], key[65];
    sodium_bin2base64(secret, sizeof secret, d->secret, sizeof d->secret,
                      sodium_base64_VARIANT_ORIGINAL);
    sodium_bin2hex(key, sizeof key, S.card_key, sizeof S.card_key);
    return reply_json(c, 201,
                      json_pack("{s:s, s:s, s:s, s:s, s:s}", "device_id", d->id, "site_id",
                                "site-1", "canteen_id", "canteen-01", "device_secret", secret,
                                "card_key", key),
                      "POST", target);
}

/* Checks the signature headers; NULL (and the reply queued in *result) when refused. */
static device *authenticate(struct MHD_Connection *c, request *q, const char *method,
                            const char *target, enum MHD_Result *result)
{
    const char *id = header(c, "X-Kiosk-Device"), *when = header(c, "X-Kiosk-Time"),
               *sig = header(c, "X-Kiosk-Signature");
    device *d = find_device(id);
    char *end = NULL;
    long long t = when ? strtoll(when, &end, 10) : 0;
    if (!d || !when || *end ||
        !kiosk_sync_sign_check(d->secret, method, q->uri, (int64_t)t, (const uint8_t *)q->body,
                               q->len, sig)) {
        S.bad_signatures++;
        *result =
            reply_error(c, 401, "signature_invalid", "signature does not match", method, target, 0);
        return NULL;
    }
    if (S.revoked) {
        *result =
            reply_error(c, 403, "device_revoked", "this device was revoked", method, target, 0);
        return NULL;
    }
    return d;
}

static void add_missing_ranges(json_t *o, const device *d)
{
    /* Gaps below the high water: a small bitmap over this device's records. */
    json_t *ranges = json_array();
    if (d->high_water > 0 && d->high_water < 50000000 && d->stored != d->high_water) {
        uint8_t *seen = calloc((size_t)d->high_water + 1, 1);
        for (size_t i = 0; seen && i < S.record_count; i++)
            if (strcmp(S.records[i].device, d->id) == 0 && S.records[i].seq > 0 &&
                S.records[i].seq <= d->high_water)
                seen[S.records[i].seq] = 1;
        for (int64_t s = 1; seen && s <= d->high_water; s++) {
            if (seen[s])
                continue;
            int64_t e = s;
            while (e + 1 <= d->high_water && !seen[e + 1])
                e++;
            json_array_append_new(ranges, json_pack("[I, I]", (json_int_t)s, (json_int_t)e));
            s = e;
        }
        free(seen);
    }
    json_object_set_new(o, "device_high_water", json_integer(d->high_water));
    json_object_set_new(o, "missing_seq_ranges", ranges);
}

static void echo_meal(const char *record_id, json_t *payload)
{
    if (!S.echo_meals)
        return;
    json_t *row = json_pack("{s:s, s:O}", "record_id", record_id, "payload", payload);
    stream_put(3, record_id, false, json_dumps(row, JSON_COMPACT));
    json_decref(row);
}

/* Stores a batch; answers into *out (NULL when it is refused, with *status and *code). */
static json_t *store_batch(device *d, const char *text, size_t len, int *status, const char **code,
                           char batch_id[64])
{
    json_t *body = json_loadb(text, len, 0, NULL);
    const char *given = json_string_value(json_object_get(body, "batch_id"));
    snprintf(batch_id, 64, "%s", given ? given : "-");
    json_t *records = json_object_get(body, "records");
    const char *device_id = json_string_value(json_object_get(body, "device_id"));
    if (!json_is_object(body) || !json_is_array(records) ||
        !json_is_string(json_object_get(body, "batch_id"))) {
        json_decref(body);
        *status = 400;
        *code = "bad_request";
        return NULL;
    }
    if (!device_id || strcmp(device_id, d->id) != 0) {
        json_decref(body);
        *status = 403;
        *code = "device_mismatch";
        return NULL;
    }
    if (json_array_size(records) > 500) {
        json_decref(body);
        *status = 413;
        *code = "too_large";
        return NULL;
    }
    S.batches++;
    json_t *results = json_array();
    size_t i;
    json_t *item;
    json_array_foreach(records, i, item)
    {
        const char *id = json_string_value(json_object_get(item, "record_id"));
        json_t *payload = json_object_get(item, "payload");
        const char *sha = json_string_value(json_object_get(item, "payload_sha256"));
        json_t *seqv = json_object_get(item, "device_seq");
        if (!id || strlen(id) != 36 || !json_is_object(payload) || !sha || !json_is_integer(seqv)) {
            S.rejected++;
            json_array_append_new(results, json_pack("{s:s, s:s, s:s, s:s}", "record_id",
                                                     id ? id : "", "status", "rejected", "code",
                                                     "schema", "detail", "a field is missing"));
            continue;
        }
        char *canon = json_dumps(payload, JSON_COMPACT | JSON_SORT_KEYS);
        uint8_t digest[32];
        char hex[65];
        crypto_hash_sha256(digest, (const uint8_t *)canon, strlen(canon));
        sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
        free(canon);
        record *old = record_find(id);
        if (strcmp(hex, sha) != 0) {
            S.rejected++;
            json_array_append_new(results, json_pack("{s:s, s:s, s:s}", "record_id", id, "status",
                                                     "rejected", "code", "hash"));
        } else if (old && strcmp(old->sha, hex) == 0) {
            old->times++;
            S.duplicates++;
            json_array_append_new(results,
                                  json_pack("{s:s, s:s}", "record_id", id, "status", "duplicate"));
        } else if (old) {
            S.conflicts++;
            json_array_append_new(results, json_pack("{s:s, s:s, s:s}", "record_id", id, "status",
                                                     "conflict", "code", "payload_differs"));
        } else if (json_integer_value(seqv) <= d->high_water &&
                   seq_taken(d->id, json_integer_value(seqv), id)) {
            S.conflicts++;
            json_array_append_new(results, json_pack("{s:s, s:s, s:s}", "record_id", id, "status",
                                                     "conflict", "code", "seq_taken"));
        } else {
            record r = {.seq = json_integer_value(seqv), .times = 1};
            snprintf(r.id, sizeof r.id, "%s", id);
            snprintf(r.device, sizeof r.device, "%s", d->id);
            snprintf(r.sha, sizeof r.sha, "%s", hex);
            r.offline = json_is_true(json_object_get(payload, "offline"));
            record_add(&r);
            if (r.seq > d->high_water)
                d->high_water = r.seq;
            d->stored++;
            S.accepted++;
            json_array_append_new(results,
                                  json_pack("{s:s, s:s, s:I}", "record_id", id, "status",
                                            "accepted", "server_seq", (json_int_t)S.record_count));
            echo_meal(id, payload);
        }
    }
    json_decref(body);
    json_t *o = json_pack("{s:o}", "results", results);
    add_missing_ranges(o, d);
    return o;
}

/* A growing text (the pull reply is written directly: a million generated rows through Jansson
 * would make this stand-in the slowest part of the benchmarks it serves). */
typedef struct strbuf {
    char *p;
    size_t len, cap;
} strbuf;

static void text_add(strbuf *t, const char *s, size_t n)
{
    if (t->len + n + 1 > t->cap) {
        t->cap = (t->len + n + 1) * 2;
        t->p = xrealloc(t->p, t->cap);
    }
    memcpy(t->p + t->len, s, n);
    t->len += n;
    t->p[t->len] = '\0';
}

static void text_printf(strbuf *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void text_printf(strbuf *t, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (n > 0)
        text_add(t, buf, (size_t)n < sizeof buf ? (size_t)n : sizeof buf - 1);
}

/* Generated roster row i as JSON text (the same fields as gen_row). */
static void gen_row_text(strbuf *t, long i)
{
    char key[16];
    gen_key(i, key);
    text_printf(t,
                "{\"person_id\":\"%s\",\"name_masked\":\"\u5f20*\u660e\",\"birth_date\":"
                "\"%04ld-%02ld-%02ld\",\"categories\":[%s],\"city\":\"3201\",\"district\":"
                "\"320106\",\"street\":\"320106002\",\"hukou\":\"local\",\"active\":true,"
                "\"id_key\":null}",
                key, 1926 + i % 40, 1 + i % 12, 1 + i % 28, i % 7 == 0 ? "\"dibao\"" : "");
}

static int64_t parse_cursor(const char *text, bool *ok)
{
    *ok = true;
    if (!text || !text[0])
        return 0;
    char *end;
    long long v = strtoll(text, &end, 10);
    *ok = *end == '\0' && v >= 0;
    return v;
}

static json_t *row_json(const char *text)
{
    return json_loads(text, 0, NULL);
}

static enum MHD_Result pull(struct MHD_Connection *c, const char *target)
{
    int s = stream_find(arg(c, "stream"));
    if (s < 0)
        return reply_error(c, 400, "unknown_stream", "no such stream", "GET", target, 0);
    stream *st = &S.streams[s];
    bool ok;
    int64_t cursor = parse_cursor(arg(c, "cursor"), &ok);
    if (!ok)
        return reply_error(c, 400, "bad_cursor", "not a cursor", "GET", target, 0);
    const char *cursor_text = arg(c, "cursor");
    if (cursor_text && cursor_text[0] && cursor < st->expired_below) {
        char snap[80];
        snprintf(snap, sizeof snap, "/v1/sync/snapshot?stream=%s", stream_names[s]);
        json_t *o = json_pack("{s:s, s:s}", "error", "cursor_expired", "snapshot", snap);
        json_object_set_new(o, "server_time_ms", json_integer(wall_ms()));
        char *text = json_dumps(o, JSON_COMPACT);
        json_decref(o);
        enum MHD_Result r = reply(c, 410, text, "GET", target, 0);
        free(text);
        return r;
    }
    long limit = arg(c, "limit") ? strtol(arg(c, "limit"), NULL, 10) : 500;
    if (limit < 1 || limit > 1000)
        limit = 500;
    strbuf changes = {0};
    text_add(&changes, "[", 1);
    long n = 0;
    int64_t last = cursor;
    /* Generated roster rows first (versions 1..gen), then the scripted changes. */
    for (long i = cursor + 1; s == 2 && i <= st->gen && n < limit; i++, n++) {
        char key[16];
        gen_key(i, key);
        text_printf(&changes,
                    "%s{\"op\":\"upsert\",\"key\":\"%s\",\"version\":%ld,\"row\":", n ? "," : "",
                    key, i);
        gen_row_text(&changes, i);
        text_add(&changes, "}", 1);
        last = i;
    }
    bool more = false;
    for (size_t i = 0; i < st->count; i++) {
        change *ch = &st->items[i];
        if (ch->version <= cursor || ch->dead)
            continue;
        if (n == limit) {
            more = true;
            break;
        }
        json_t *o = json_pack("{s:s, s:s, s:I}", "op", ch->del ? "delete" : "upsert", "key",
                              ch->key, "version", (json_int_t)ch->version);
        if (!ch->del)
            json_object_set_new(o, "row", row_json(ch->row));
        char *one = json_dumps(o, JSON_COMPACT);
        json_decref(o);
        if (n)
            text_add(&changes, ",", 1);
        text_add(&changes, one, strlen(one));
        free(one);
        last = ch->version;
        n++;
    }
    if (s == 2 && last < st->gen)
        more = true;
    /* Up to date: the cursor is the stream's version (changes after it come next time). */
    if (!more && st->version > last)
        last = st->version;
    text_printf(&changes,
                "],\"cursor\":\"%" PRId64 "\",\"has_more\":%s,\"server_time_ms\":%" PRId64 "}",
                last, more ? "true" : "false", wall_ms());
    strbuf body = {0};
    text_printf(&body, "{\"stream\":\"%s\",\"changes\":", stream_names[s]);
    text_add(&body, changes.p, changes.len);
    free(changes.p);
    enum MHD_Result r = reply(c, 200, body.p, "GET", target, 0);
    free(body.p);
    return r;
}

static int compare_keys(const void *a, const void *b)
{
    return strcmp((*(change *const *)a)->key, (*(change *const *)b)->key);
}

static enum MHD_Result snapshot(struct MHD_Connection *c, const char *target)
{
    int s = stream_find(arg(c, "stream"));
    if (s < 0)
        return reply_error(c, 400, "unknown_stream", "no such stream", "GET", target, 0);
    stream *st = &S.streams[s];
    const char *after = arg(c, "after");
    if (!after || !after[0])
        st->snapshot_cursor = st->version;
    long limit = arg(c, "limit") ? strtol(arg(c, "limit"), NULL, 10) : 500;
    if (limit < 1 || limit > 1000)
        limit = 500;
    /* The live rows in key order: generated ones and scripted ones, merged. */
    change **live = xrealloc(NULL, (st->count + 1) * sizeof *live);
    size_t nlive = 0;
    for (size_t i = 0; i < st->count; i++)
        if (!st->items[i].dead && !st->items[i].del)
            live[nlive++] = &st->items[i];
    qsort(live, nlive, sizeof *live, compare_keys);
    size_t li = 0;
    while (after && li < nlive && strcmp(live[li]->key, after) <= 0)
        li++;
    long gi = 1;
    if (s == 2 && after && after[0]) { /* first generated key after `after` */
        long lo = 1, hi = st->gen + 1;
        while (lo < hi) {
            long mid = lo + (hi - lo) / 2;
            char k[16];
            gen_key(mid, k);
            if (strcmp(k, after) <= 0)
                lo = mid + 1;
            else
                hi = mid;
        }
        gi = lo;
    }
    json_t *rows = json_array();
    char last_key[256] = "";
    long n = 0;
    while (n < limit) {
        char gk[16] = "";
        bool have_g = s == 2 && gi <= st->gen, have_l = li < nlive;
        if (have_g)
            gen_key(gi, gk);
        if (!have_g && !have_l)
            break;
        if (have_g && (!have_l || strcmp(gk, live[li]->key) < 0)) {
            char *row = gen_row(gi);
            json_array_append_new(rows, json_pack("{s:s, s:I, s:o}", "key", gk, "version",
                                                  (json_int_t)gi, "row", row_json(row)));
            free(row);
            snprintf(last_key, sizeof last_key, "%s", gk);
            gi++;
        } else {
            change *ch = live[li++];
            json_array_append_new(rows,
                                  json_pack("{s:s, s:I, s:o}", "key", ch->key, "version",
                                            (json_int_t)ch->version, "row", row_json(ch->row)));
            snprintf(last_key, sizeof last_key, "%s", ch->key);
        }
        n++;
    }
    bool more = (s == 2 && gi <= st->gen) || li < nlive;
    free(live);
    char cur[32];
    snprintf(cur, sizeof cur, "%" PRId64, st->snapshot_cursor);
    json_t *o =
        json_pack("{s:s, s:o, s:s}", "stream", stream_names[s], "rows", rows, "cursor", cur);
    json_object_set_new(o, "next", more ? json_string(last_key) : json_null());
    return reply_json(c, 200, o, "GET", target);
}

/* --- control --------------------------------------------------------------------------------- */

static enum MHD_Result control(struct MHD_Connection *c, request *q, const char *method,
                               const char *url, const char *target)
{
    const char *what = url + strlen("/_ctl/");
    if (strcmp(what, "fault") == 0 && S.fault_count < MAX_FAULTS) {
        fault *f = &S.faults[S.fault_count++];
        memset(f, 0, sizeof *f);
        snprintf(f->path, sizeof f->path, "%s", arg(c, "path") ? arg(c, "path") : "");
        snprintf(f->stream, sizeof f->stream, "%s", arg(c, "stream") ? arg(c, "stream") : "");
        f->close = arg(c, "kind") && strcmp(arg(c, "kind"), "close") == 0;
        f->status = arg(c, "status") ? atoi(arg(c, "status")) : 503;
        f->retry_after = arg(c, "retry_after") ? atol(arg(c, "retry_after")) : 0;
        f->count = arg(c, "count") ? atoi(arg(c, "count")) : 1;
    } else if (strcmp(what, "card") == 0) {
        const char *uid_hex = arg(c, "uid"), *person = arg(c, "person");
        uint8_t uid[16], key[32];
        size_t len = 0;
        if (!uid_hex || !person ||
            sodium_hex2bin(uid, sizeof uid, uid_hex, strlen(uid_hex), NULL, &len, NULL) != 0)
            return reply_error(c, 400, "bad_request", "uid and person", method, target, 0);
        kiosk_card_key_of_uid(S.card_key, uid, len, key);
        char hex[65];
        sodium_bin2hex(hex, sizeof hex, key, sizeof key);
        json_t *row = json_pack("{s:s, s:s, s:b, s:s}", "card_key", hex, "person_id", person,
                                "blocked", arg(c, "blocked") && atoi(arg(c, "blocked")),
                                "issuing_canteen", arg(c, "canteen") ? arg(c, "canteen") : "");
        stream_put(0, hex, false, json_dumps(row, JSON_COMPACT));
        json_decref(row);
    } else if (strcmp(what, "person") == 0) {
        const char *id = arg(c, "id");
        if (!id)
            return reply_error(c, 400, "bad_request", "id", method, target, 0);
        if (arg(c, "purge")) {
            stream_purge(2, id);
        } else {
            json_t *cats = json_array();
            const char *list = arg(c, "categories");
            while (list && *list) {
                size_t n = strcspn(list, ",");
                json_array_append_new(cats, json_stringn(list, n));
                list += n + (list[n] == ',');
            }
            json_t *row =
                json_pack("{s:s, s:s, s:s, s:o, s:s, s:s, s:s, s:s, s:b, s:n}", "person_id", id,
                          "name_masked", arg(c, "name") ? arg(c, "name") : "王*芳", "birth_date",
                          arg(c, "birth") ? arg(c, "birth") : "1940-05-01", "categories", cats,
                          "city", "3201", "district", "320106", "street", "320106002", "hukou",
                          arg(c, "hukou") ? arg(c, "hukou") : "local", "active",
                          !arg(c, "active") || atoi(arg(c, "active")), "id_key");
            stream_put(2, id, false, json_dumps(row, JSON_COMPACT));
            json_decref(row);
        }
    } else if (strcmp(what, "delete") == 0) {
        int s = stream_find(arg(c, "stream"));
        if (s < 0 || !arg(c, "key"))
            return reply_error(c, 400, "bad_request", "stream and key", method, target, 0);
        stream_put(s, arg(c, "key"), true, NULL);
    } else if (strcmp(what, "policy") == 0) {
        json_t *body = json_loadb(q->body ? q->body : "", q->len, 0, NULL);
        const char *version = json_string_value(json_object_get(body, "version"));
        const char *from = json_string_value(json_object_get(body, "effective_from"));
        if (!version || !from) {
            json_decref(body);
            return reply_error(c, 400, "bad_request", "a policy", method, target, 0);
        }
        json_t *row =
            json_pack("{s:s, s:s, s:O}", "version", version, "effective_from", from, "body", body);
        stream_put(1, version, false, json_dumps(row, JSON_COMPACT));
        json_decref(row);
        json_decref(body);
    } else if (strcmp(what, "meal") == 0) {
        json_t *payload = json_loadb(q->body ? q->body : "", q->len, 0, NULL);
        const char *id = json_string_value(json_object_get(payload, "record_id"));
        if (!id) {
            json_decref(payload);
            return reply_error(c, 400, "bad_request", "a payload", method, target, 0);
        }
        char rid[40];
        snprintf(rid, sizeof rid, "%s", id);
        bool was = S.echo_meals;
        S.echo_meals = true;
        echo_meal(rid, payload);
        S.echo_meals = was;
        json_decref(payload);
    } else if (strcmp(what, "expire") == 0) {
        int s = stream_find(arg(c, "stream"));
        if (s < 0)
            return reply_error(c, 400, "bad_request", "stream", method, target, 0);
        /* A version of its own, so every cursor a kiosk holds now is older than the oldest the
         * server still serves changes from; the snapshot's cursor is this version. */
        S.streams[s].version++;
        S.streams[s].expired_below = S.streams[s].version;
    } else if (strcmp(what, "revoke") == 0) {
        S.revoked = true;
    } else if (strcmp(what, "state") == 0) {
        long offline = 0, multi = 0;
        for (size_t i = 0; i < S.record_count; i++) {
            offline += S.records[i].offline;
            multi += S.records[i].times > 1;
        }
        json_t *o =
            json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:i}", "records",
                      (json_int_t)S.record_count, "accepted", (json_int_t)S.accepted, "duplicates",
                      (json_int_t)S.duplicates, "conflicts", (json_int_t)S.conflicts, "rejected",
                      (json_int_t)S.rejected, "batches", (json_int_t)S.batches, "heartbeats",
                      (json_int_t)S.heartbeats, "bad_signatures", (json_int_t)S.bad_signatures,
                      "offline_records", (json_int_t)offline, "resent_records", (json_int_t)multi,
                      "devices", S.device_count);
        if (S.last_heartbeat)
            json_object_set_new(o, "last_heartbeat", json_loads(S.last_heartbeat, 0, NULL));
        char *text = json_dumps(o, JSON_COMPACT);
        json_decref(o);
        struct MHD_Response *r =
            MHD_create_response_from_buffer(strlen(text), text, MHD_RESPMEM_MUST_FREE);
        enum MHD_Result res = MHD_queue_response(c, 200, r);
        MHD_destroy_response(r);
        return res;
    } else if (strcmp(what, "log") == 0 || strcmp(what, "records") == 0) {
        size_t cap = 4096, used = 0;
        char *text = xrealloc(NULL, cap);
        text[0] = '\0';
        size_t n = strcmp(what, "log") == 0 ? S.log_count : S.record_count;
        for (size_t i = 0; i < n; i++) {
            if (used + 300 > cap) {
                cap *= 2;
                text = xrealloc(text, cap);
            }
            if (strcmp(what, "log") == 0)
                used += (size_t)snprintf(text + used, cap - used, "%" PRId64 " %s %s %d\n",
                                         S.log[i].mono_ms, S.log[i].method, S.log[i].target,
                                         S.log[i].status);
            else
                used += (size_t)snprintf(text + used, cap - used, "%s %" PRId64 " %d %d\n",
                                         S.records[i].id, S.records[i].seq, S.records[i].offline,
                                         S.records[i].times);
        }
        struct MHD_Response *r = MHD_create_response_from_buffer(used, text, MHD_RESPMEM_MUST_FREE);
        enum MHD_Result res = MHD_queue_response(c, 200, r);
        MHD_destroy_response(r);
        return res;
    } else {
        return reply_error(c, 404, "not_found", "no such control", method, target, 0);
    }
    return reply(c, 204, NULL, method, target, 0);
}

/* --- dispatch -------------------------------------------------------------------------------- */

static void *on_uri(void *cls, const char *uri, struct MHD_Connection *c)
{
    (void)cls;
    (void)c;
    request *q = calloc(1, sizeof *q);
    if (q)
        snprintf(q->uri, sizeof q->uri, "%s", uri);
    return q;
}

static void on_done(void *cls, struct MHD_Connection *c, void **con_cls,
                    enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)c;
    (void)toe;
    request *q = *con_cls;
    if (q) {
        free(q->body);
        free(q);
    }
    *con_cls = NULL;
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *c, const char *url,
                              const char *method, const char *version, const char *upload_data,
                              size_t *upload_data_size, void **con_cls)
{
    (void)cls;
    (void)version;
    request *q = *con_cls;
    if (!q)
        return MHD_NO;
    if (!q->started) {
        q->started = true;
        return MHD_YES;
    }
    if (*upload_data_size) {
        if (q->len + *upload_data_size > BODY_MAX) {
            q->too_big = true;
        } else {
            q->body = xrealloc(q->body, q->len + *upload_data_size + 1);
            memcpy(q->body + q->len, upload_data, *upload_data_size);
            q->len += *upload_data_size;
            q->body[q->len] = '\0';
        }
        *upload_data_size = 0;
        return MHD_YES;
    }
    const char *target = q->uri;
    if (strncmp(url, "/_ctl/", 6) == 0)
        return control(c, q, method, url, target);
    if (q->too_big)
        return reply_error(c, 413, "too_large", "request body too large", method, target, 0);

    const char *path = strcmp(url, "/v1/devices/enroll") == 0      ? "enroll"
                       : strcmp(url, "/v1/records:batch") == 0     ? "batch"
                       : strcmp(url, "/v1/sync/pull") == 0         ? "pull"
                       : strcmp(url, "/v1/sync/snapshot") == 0     ? "snapshot"
                       : strcmp(url, "/v1/devices/heartbeat") == 0 ? "heartbeat"
                                                                   : NULL;
    if (!path)
        return reply_error(c, 404, "not_found", "no such endpoint", method, target, 0);
    fault *f = take_fault(path, arg(c, "stream"));
    if (f && !f->close)
        return reply_error(c, f->status, f->status == 503 ? "unavailable" : "scripted",
                           "a scripted fault", method, target, f->retry_after);
    enum MHD_Result result = MHD_NO;
    if (strcmp(path, "enroll") == 0) {
        result = enroll(c, q, target);
    } else {
        device *d = authenticate(c, q, method, target, &result);
        if (!d)
            return result;
        if (strcmp(path, "batch") == 0) {
            char *text = q->body ? q->body : "";
            size_t len = q->len;
            char *inflated = NULL;
            const char *enc = header(c, "Content-Encoding");
            if (enc && strcmp(enc, "gzip") == 0) {
                if (!gunzip(q->body ? q->body : "", q->len, &inflated, &len))
                    return reply_error(c, 400, "bad_request", "not gzip", method, target, 0);
                text = inflated;
            } else if (enc && enc[0] && strcmp(enc, "identity") != 0) {
                return reply_error(c, 415, "unsupported_encoding", enc, method, target, 0);
            }
            int status = 200;
            const char *code = NULL;
            char batch_id[64], logged[256];
            json_t *o = store_batch(d, text, len, &status, &code, batch_id);
            free(inflated);
            /* The log names the batch, so a test can see a resend carry the same id. */
            snprintf(logged, sizeof logged, "%s batch=%s", target, batch_id);
            if (!o)
                return reply_error(c, status, code, "batch refused", method, logged, 0);
            if (f && f->close) { /* stored, and no answer at all */
                json_decref(o);
                log_request(method, logged, 0);
                return MHD_NO;
            }
            result = reply_json(c, 200, o, method, logged);
        } else if (strcmp(path, "pull") == 0) {
            result = pull(c, target);
        } else if (strcmp(path, "snapshot") == 0) {
            result = snapshot(c, target);
        } else {
            S.heartbeats++;
            free(S.last_heartbeat);
            S.last_heartbeat = strndup(q->body ? q->body : "", q->len);
            result = reply(c, 204, NULL, method, target, 0);
        }
    }
    if (f && f->close) {
        log_request(method, target, 0);
        return MHD_NO;
    }
    return result;
}

/* --- state across restarts ------------------------------------------------------------------- */

static void save_state(void)
{
    if (!S.state_path)
        return;
    json_t *devices = json_array(), *records = json_array();
    for (int i = 0; i < S.device_count; i++) {
        char secret[64];
        sodium_bin2base64(secret, sizeof secret, S.devices[i].secret, 32,
                          sodium_base64_VARIANT_ORIGINAL);
        json_array_append_new(devices,
                              json_pack("{s:s, s:s, s:I}", "id", S.devices[i].id, "secret", secret,
                                        "high_water", (json_int_t)S.devices[i].high_water));
    }
    for (size_t i = 0; i < S.record_count; i++) {
        const record *r = &S.records[i];
        json_array_append_new(records, json_pack("[s, s, I, s, b, i]", r->id, r->device,
                                                 (json_int_t)r->seq, r->sha, r->offline, r->times));
    }
    json_t *tokens = json_array();
    for (int i = 0; i < S.token_count; i++)
        if (S.token_used[i])
            json_array_append_new(tokens, json_string(S.tokens[i]));
    /* The streams, so a kiosk's cursors mean the same after a restart. */
    json_t *streams = json_array();
    for (int i = 0; i < STREAMS; i++) {
        const stream *st = &S.streams[i];
        json_t *changes = json_array();
        for (size_t c = 0; c < st->count; c++) {
            const change *ch = &st->items[c];
            json_array_append_new(changes,
                                  json_pack("[s, I, b, b, s?]", ch->key, (json_int_t)ch->version,
                                            ch->del, ch->dead, ch->row));
        }
        json_array_append_new(streams, json_pack("{s:o, s:I, s:I}", "changes", changes, "version",
                                                 (json_int_t)st->version, "expired_below",
                                                 (json_int_t)st->expired_below));
    }
    char key[65];
    sodium_bin2hex(key, sizeof key, S.card_key, sizeof S.card_key);
    json_t *o = json_pack("{s:s, s:o, s:o, s:o, s:o, s:I, s:I, s:I}", "card_key", key, "devices",
                          devices, "records", records, "used_tokens", tokens, "streams", streams,
                          "accepted", (json_int_t)S.accepted, "duplicates",
                          (json_int_t)S.duplicates, "batches", (json_int_t)S.batches);
    json_dump_file(o, S.state_path, JSON_COMPACT);
    json_decref(o);
}

static void load_state(void)
{
    json_t *o = S.state_path ? json_load_file(S.state_path, 0, NULL) : NULL;
    if (!o)
        return;
    size_t i;
    json_t *v;
    const char *key = json_string_value(json_object_get(o, "card_key"));
    if (key)
        sodium_hex2bin(S.card_key, sizeof S.card_key, key, strlen(key), NULL, NULL, NULL);
    json_array_foreach(json_object_get(o, "devices"), i, v)
    {
        if (S.device_count == MAX_DEVICES)
            break;
        device *d = &S.devices[S.device_count++];
        snprintf(d->id, sizeof d->id, "%s", json_string_value(json_object_get(v, "id")));
        const char *secret = json_string_value(json_object_get(v, "secret"));
        sodium_base642bin(d->secret, 32, secret, strlen(secret), NULL, NULL, NULL,
                          sodium_base64_VARIANT_ORIGINAL);
        d->high_water = json_integer_value(json_object_get(v, "high_water"));
    }
    json_array_foreach(json_object_get(o, "records"), i, v)
    {
        record r = {0};
        device *owner = find_device(json_string_value(json_array_get(v, 1)));
        if (owner)
            owner->stored++;
        snprintf(r.id, sizeof r.id, "%s", json_string_value(json_array_get(v, 0)));
        snprintf(r.device, sizeof r.device, "%s", json_string_value(json_array_get(v, 1)));
        r.seq = json_integer_value(json_array_get(v, 2));
        snprintf(r.sha, sizeof r.sha, "%s", json_string_value(json_array_get(v, 3)));
        r.offline = json_is_true(json_array_get(v, 4));
        r.times = (int)json_integer_value(json_array_get(v, 5));
        record_add(&r);
    }
    json_array_foreach(json_object_get(o, "used_tokens"), i, v)
    {
        for (int t = 0; t < S.token_count; t++)
            if (strcmp(S.tokens[t], json_string_value(v)) == 0)
                S.token_used[t] = true;
    }
    json_array_foreach(json_object_get(o, "streams"), i, v)
    {
        if (i >= STREAMS)
            break;
        stream *st = &S.streams[i];
        size_t c;
        json_t *ch;
        json_array_foreach(json_object_get(v, "changes"), c, ch)
        {
            if (st->count == st->cap) {
                st->cap = st->cap ? st->cap * 2 : 64;
                st->items = xrealloc(st->items, st->cap * sizeof *st->items);
            }
            json_t *row = json_array_get(ch, 4);
            st->items[st->count++] =
                (change){strdup(json_string_value(json_array_get(ch, 0))),
                         json_integer_value(json_array_get(ch, 1)),
                         json_is_true(json_array_get(ch, 2)), json_is_true(json_array_get(ch, 3)),
                         json_is_string(row) ? strdup(json_string_value(row)) : NULL};
        }
        if (json_integer_value(json_object_get(v, "version")) > st->version)
            st->version = json_integer_value(json_object_get(v, "version"));
        st->expired_below = json_integer_value(json_object_get(v, "expired_below"));
    }
    S.accepted = json_integer_value(json_object_get(o, "accepted"));
    S.duplicates = json_integer_value(json_object_get(o, "duplicates"));
    S.batches = json_integer_value(json_object_get(o, "batches"));
    json_decref(o);
}

static void on_signal(int sig)
{
    (void)sig;
    stopping = 1;
}

/* A whole PEM file, NUL-terminated (malloc'd), or NULL. */
static char *read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = xrealloc(NULL, 65537);
    size_t n = fread(buf, 1, 65536, f);
    fclose(f);
    buf[n] = '\0';
    return buf;
}

int main(int argc, char **argv)
{
    int port = 0;
    char *tls_cert = NULL, *tls_key = NULL;
    const char *port_file = NULL;
    S.echo_meals = true;
    if (sodium_init() < 0)
        return 1;
    randombytes_buf(S.card_key, sizeof S.card_key);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--no-echo-meals") == 0) {
            S.echo_meals = false;
            continue;
        }
        if (!v) {
            fprintf(stderr, "sync_server: %s needs a value\n", a);
            return 2;
        }
        i++;
        if (strcmp(a, "--port") == 0)
            port = atoi(v);
        else if (strcmp(a, "--port-file") == 0)
            port_file = v;
        else if (strcmp(a, "--state") == 0)
            S.state_path = v;
        else if (strcmp(a, "--log") == 0)
            S.log_path = v;
        else if (strcmp(a, "--tls-cert") == 0 || strcmp(a, "--tls-key") == 0) {
            char **dst = a[6] == 'c' ? &tls_cert : &tls_key;
            *dst = read_file(v);
            if (!*dst) {
                fprintf(stderr, "sync_server: cannot read %s\n", v);
                return 2;
            }
        } else if (strcmp(a, "--token") == 0 && S.token_count < MAX_TOKENS)
            snprintf(S.tokens[S.token_count++], sizeof S.tokens[0], "%s", v);
        else if (strcmp(a, "--card-key") == 0) {
            size_t len = 0;
            if (sodium_hex2bin(S.card_key, 32, v, strlen(v), NULL, &len, NULL) != 0 || len != 32) {
                fprintf(stderr, "sync_server: --card-key needs 64 hex digits\n");
                return 2;
            }
        } else if (strcmp(a, "--device") == 0 && S.device_count < MAX_DEVICES) {
            const char *colon = strchr(v, ':');
            device *d = &S.devices[S.device_count];
            size_t len = 0;
            if (!colon || (size_t)(colon - v) >= sizeof d->id ||
                sodium_base642bin(d->secret, sizeof d->secret, colon + 1, strlen(colon + 1), NULL,
                                  &len, NULL, sodium_base64_VARIANT_ORIGINAL) != 0 ||
                len != sizeof d->secret) {
                fprintf(stderr, "sync_server: --device needs ID:BASE64 of 32 bytes\n");
                return 2;
            }
            snprintf(d->id, sizeof d->id, "%.*s", (int)(colon - v), v);
            S.device_count++;
        } else if (strcmp(a, "--roster-gen") == 0)
            S.streams[2].gen = atol(v);
        else {
            fprintf(stderr, "sync_server: unknown option %s\n", a);
            return 2;
        }
    }
    if (!S.token_count)
        snprintf(S.tokens[S.token_count++], sizeof S.tokens[0], "test-token");
    S.streams[2].version = S.streams[2].gen; /* scripted roster changes come after the generated */
    load_state();
    struct sockaddr_in addr;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_port = htons((uint16_t)port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG;
    struct MHD_Daemon *d;
    if (tls_cert && tls_key)
        d = MHD_start_daemon(flags | MHD_USE_TLS, 0, NULL, NULL, handle, NULL, MHD_OPTION_SOCK_ADDR,
                             (struct sockaddr *)&addr, MHD_OPTION_URI_LOG_CALLBACK, on_uri, NULL,
                             MHD_OPTION_NOTIFY_COMPLETED, on_done, NULL,
                             MHD_OPTION_LISTENING_ADDRESS_REUSE, 1, MHD_OPTION_CONNECTION_TIMEOUT,
                             120u, MHD_OPTION_HTTPS_MEM_KEY, tls_key, MHD_OPTION_HTTPS_MEM_CERT,
                             tls_cert, MHD_OPTION_END);
    else
        d = MHD_start_daemon(flags, 0, NULL, NULL, handle, NULL, MHD_OPTION_SOCK_ADDR,
                             (struct sockaddr *)&addr, MHD_OPTION_URI_LOG_CALLBACK, on_uri, NULL,
                             MHD_OPTION_NOTIFY_COMPLETED, on_done, NULL,
                             MHD_OPTION_LISTENING_ADDRESS_REUSE, 1, MHD_OPTION_CONNECTION_TIMEOUT,
                             120u, MHD_OPTION_END);
    if (!d) {
        fprintf(stderr, "sync_server: cannot listen on 127.0.0.1:%d\n", port);
        return 1;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    int bound = info ? info->port : port;
    if (port_file) {
        char tmp[1100];
        snprintf(tmp, sizeof tmp, "%s.tmp", port_file);
        FILE *f = fopen(tmp, "w");
        if (f) {
            fprintf(f, "%d\n", bound);
            fclose(f);
            rename(tmp, port_file);
        }
    }
    fprintf(stderr, "sync_server: listening on 127.0.0.1:%d\n", bound);
    signal(SIGTERM, on_signal);
    signal(SIGINT, on_signal);
    while (!stopping)
        usleep(50000);
    MHD_stop_daemon(d);
    save_state();
    free(tls_cert);
    free(tls_key);
    return 0;
}
