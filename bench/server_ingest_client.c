/* server_ingest_client.c - the load of bench/server_ingest.sh: enrolled kiosks uploading meal
 * records to the reference server as fast as it answers, one thread per kiosk, each sending its
 * batches one after another on one kept-alive connection, as a kiosk's sync worker does. The
 * payloads are the kiosk's own (kiosk_meal_payload) and every batch is made, and gzip'd with
 * --gzip, before the clock starts, so the figure is the server's: records stored per second,
 * counting only records the server answered "accepted".
 *
 *   server_ingest_client --url http://127.0.0.1:8443 --device k1:SECRET_B64 [--device ...]
 *       [--batches 20] [--records 500] [--gzip] [--start-seq 1] [--persons 1000000]
 *       [--cacert ca.pem]
 *
 * Prints the totals and the batch latencies; exits 1 when any batch failed or any record was
 * not accepted. */
#define _POSIX_C_SOURCE 200809L
#include <curl/curl.h>
#include <jansson.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zlib.h>

#include "clock.h"
#include "meal_record.h"

#define DEVICES_MAX 32

typedef struct body {
    char *data;
    size_t len;
} body;

typedef struct device {
    char id[KIOSK_ID_MAX];
    uint8_t secret[32];
    body *batches;
    double *latency_ms;
    long accepted, other, failed;
    pthread_t thread;
    uint64_t rng;
    int64_t clock_ms; /* the kiosk's clock as it records its meals */
} device;

static struct {
    const char *url, *cacert;
    int batches, records, persons;
    int64_t start_seq;
    bool gzip;
    pthread_barrier_t start;
} opt = {.batches = 20, .records = 500, .persons = 1000000, .start_seq = 1};

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

static uint64_t next_random(uint64_t *s)
{
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * 0x2545F4914F6CDD1DULL;
}

/* One meal as a kiosk records it: a random person, served DINER_GAP_S after the kiosk's
 * previous meal (a busy lunch counter), so record ids (UUIDv7) and dates grow per kiosk as they
 * do on a real one. The day's meal type follows the local hour. */
#define DINER_GAP_S 20
static json_t *meal_record(device *d, int64_t seq)
{
    kiosk_meal_entry m;
    memset(&m, 0, sizeof m);
    uint64_t r = next_random(&d->rng);
    m.created_utc_ms = d->clock_ms;
    d->clock_ms += DINER_GAP_S * 1000;
    m.at = kiosk_clock_local(m.created_utc_ms);
    int hour = m.at.minute_of_day / 60;
    int type = hour < 10 ? 0 : hour < 15 ? 1 : 2;
    m.record_id = kiosk_recid_new(m.created_utc_ms);
    snprintf(m.person_id, sizeof m.person_id, "P%06d", (int)((r >> 16) % (uint64_t)opt.persons));
    randombytes_buf(m.card_key, sizeof m.card_key);
    m.has_card = true;
    snprintf(m.kiosk_id, sizeof m.kiosk_id, "%s", d->id);
    snprintf(m.canteen_id, sizeof m.canteen_id, "c-%s", d->id);
    kiosk_decision *dec = &m.decision;
    dec->approved = true;
    dec->meal_type = (kiosk_meal_type)type;
    dec->price_fen = 1500;
    dec->subsidy_fen = 500;
    dec->pay_fen = 1000;
    dec->funding_fen[KIOSK_LEVEL_CITY] = 300;
    dec->funding_fen[KIOSK_LEVEL_DISTRICT] = 200;
    snprintf(dec->class_id, sizeof dec->class_id, "age80");
    snprintf(dec->policy_version, sizeof dec->policy_version, "gl-2026.1");
    char *text = kiosk_meal_payload(&m);
    uint8_t sum[32];
    char hash[65], id[KIOSK_RECID_TEXT];
    crypto_hash_sha256(sum, (const unsigned char *)text, strlen(text));
    sodium_bin2hex(hash, sizeof hash, sum, sizeof sum);
    kiosk_recid_format(&m.record_id, id);
    json_t *payload = json_loads(text, 0, NULL);
    free(text);
    return json_pack("{s:s, s:I, s:s, s:I, s:o, s:s}", "record_id", id, "device_seq",
                     (json_int_t)seq, "kind", "meal", "created_wall_ms",
                     (json_int_t)m.created_utc_ms, "payload", payload, "payload_sha256", hash);
}

static body gzip_body(const char *text, size_t len)
{
    z_stream z;
    memset(&z, 0, sizeof z);
    size_t cap = compressBound((uLong)len) + 64;
    body b = {malloc(cap), 0};
    deflateInit2(&z, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
    z.next_in = (Bytef *)(uintptr_t)text;
    z.avail_in = (uInt)len;
    z.next_out = (Bytef *)b.data;
    z.avail_out = (uInt)cap;
    deflate(&z, Z_FINISH);
    b.len = cap - z.avail_out;
    deflateEnd(&z);
    return b;
}

static void make_batches(device *d)
{
    d->batches = calloc((size_t)opt.batches, sizeof *d->batches);
    d->latency_ms = calloc((size_t)opt.batches, sizeof *d->latency_ms);
    int64_t seq = opt.start_seq;
    d->clock_ms += (opt.start_seq - 1) * DINER_GAP_S * 1000LL; /* later sequence, later meals */
    for (int b = 0; b < opt.batches; b++) {
        json_t *records = json_array();
        for (int i = 0; i < opt.records; i++)
            json_array_append_new(records, meal_record(d, seq++));
        json_t *root = json_pack("{s:s, s:s, s:o}", "device_id", d->id, "batch_id", "bench",
                                 "records", records);
        char *text = json_dumps(root, JSON_COMPACT);
        json_decref(root);
        if (opt.gzip) {
            d->batches[b] = gzip_body(text, strlen(text));
            free(text);
        } else {
            d->batches[b] = (body){text, strlen(text)};
        }
    }
}

typedef struct reply {
    char *data;
    size_t len;
} reply;

static size_t on_data(char *ptr, size_t size, size_t n, void *user)
{
    reply *r = user;
    char *grown = realloc(r->data, r->len + size * n + 1);
    if (!grown)
        return 0;
    r->data = grown;
    memcpy(r->data + r->len, ptr, size * n);
    r->len += size * n;
    r->data[r->len] = '\0';
    return size * n;
}

static void sign(const device *d, const char *target, const char *time_text, const body *b,
                 char out[64])
{
    uint8_t sum[32], mac[32];
    char hex[65];
    crypto_hash_sha256(sum, (const unsigned char *)b->data, b->len);
    sodium_bin2hex(hex, sizeof hex, sum, sizeof sum);
    crypto_auth_hmacsha256_state st;
    crypto_auth_hmacsha256_init(&st, d->secret, 32);
    char head[256];
    int n = snprintf(head, sizeof head, "v1\nPOST\n%s\n%s\n", target, time_text);
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)head, (size_t)n);
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)hex, 64);
    crypto_auth_hmacsha256_final(&st, mac);
    sodium_bin2base64(out, 64, mac, sizeof mac, sodium_base64_VARIANT_ORIGINAL);
}

static void *upload(void *arg)
{
    device *d = arg;
    CURL *h = curl_easy_init();
    char url[512];
    snprintf(url, sizeof url, "%s/v1/records:batch", opt.url);
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, 120000L);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data);
    if (opt.cacert)
        curl_easy_setopt(h, CURLOPT_CAINFO, opt.cacert);
    pthread_barrier_wait(&opt.start);
    for (int b = 0; b < opt.batches; b++) {
        char time_text[24], sig[64], hdr_time[64], hdr_sig[128], hdr_dev[96];
        snprintf(time_text, sizeof time_text, "%lld", (long long)kiosk_clock_now_ms());
        sign(d, "/v1/records:batch", time_text, &d->batches[b], sig);
        snprintf(hdr_time, sizeof hdr_time, "X-Kiosk-Time: %s", time_text);
        snprintf(hdr_sig, sizeof hdr_sig, "X-Kiosk-Signature: %s", sig);
        snprintf(hdr_dev, sizeof hdr_dev, "X-Kiosk-Device: %s", d->id);
        struct curl_slist *headers = curl_slist_append(NULL, "Content-Type: application/json");
        headers = curl_slist_append(headers, "Expect:");
        headers = curl_slist_append(headers, hdr_time);
        headers = curl_slist_append(headers, hdr_sig);
        headers = curl_slist_append(headers, hdr_dev);
        if (opt.gzip)
            headers = curl_slist_append(headers, "Content-Encoding: gzip");
        curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, d->batches[b].data);
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)d->batches[b].len);
        reply r = {0};
        curl_easy_setopt(h, CURLOPT_WRITEDATA, &r);
        double t0 = now_ms();
        CURLcode rc = curl_easy_perform(h);
        d->latency_ms[b] = now_ms() - t0;
        long status = 0;
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
        curl_slist_free_all(headers);
        /* The reply is counted, not parsed: the load generator shares the server's cores. */
        if (rc != CURLE_OK || status != 200 || !r.data) {
            d->failed++;
            fprintf(stderr, "%s: batch %d: %s, HTTP %ld: %.200s\n", d->id, b,
                    curl_easy_strerror(rc), status, r.data ? r.data : "");
        } else {
            long results = 0, accepted = 0;
            for (const char *p = r.data; (p = strstr(p, "{\"record_id\":")); p++)
                results++;
            for (const char *p = r.data; (p = strstr(p, "\"status\":\"accepted\"")); p++)
                accepted++;
            d->accepted += accepted;
            d->other += results - accepted;
        }
        free(r.data);
    }
    curl_easy_cleanup(h);
    return NULL;
}

static int compare_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
    device devices[DEVICES_MAX];
    int ndev = 0;
    memset(devices, 0, sizeof devices);
    if (sodium_init() < 0 || kiosk_clock_set_zone("Asia/Shanghai") != KIOSK_OK)
        return 1;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--gzip") == 0) {
            opt.gzip = true;
            continue;
        }
        if (!v)
            goto usage;
        i++;
        if (strcmp(a, "--url") == 0) {
            opt.url = v;
        } else if (strcmp(a, "--cacert") == 0) {
            opt.cacert = v;
        } else if (strcmp(a, "--batches") == 0) {
            opt.batches = atoi(v);
        } else if (strcmp(a, "--records") == 0) {
            opt.records = atoi(v);
        } else if (strcmp(a, "--persons") == 0) {
            opt.persons = atoi(v);
        } else if (strcmp(a, "--start-seq") == 0) {
            opt.start_seq = atoll(v);
        } else if (strcmp(a, "--device") == 0 && ndev < DEVICES_MAX) {
            const char *colon = strchr(v, ':');
            size_t n = 0;
            device *d = &devices[ndev];
            if (!colon || (size_t)(colon - v) >= sizeof d->id ||
                sodium_base642bin(d->secret, 32, colon + 1, strlen(colon + 1), NULL, &n, NULL,
                                  sodium_base64_VARIANT_ORIGINAL) != 0 ||
                n != 32)
                goto usage;
            memcpy(d->id, v, (size_t)(colon - v));
            d->rng = 0x9E3779B97F4A7C15ULL * (uint64_t)(ndev + 1);
            /* 2026-11-01 07:00 in Shanghai, a few minutes apart per kiosk. */
            d->clock_ms = 1793487600000LL + ndev * 137000LL;
            ndev++;
        } else {
            goto usage;
        }
    }
    if (!opt.url || !ndev || opt.batches < 1 || opt.records < 1 || opt.persons < 1)
        goto usage;
    curl_global_init(CURL_GLOBAL_DEFAULT);
    for (int i = 0; i < ndev; i++)
        make_batches(&devices[i]);
    size_t bytes = 0;
    for (int i = 0; i < ndev; i++)
        for (int b = 0; b < opt.batches; b++)
            bytes += devices[i].batches[b].len;
    pthread_barrier_init(&opt.start, NULL, (unsigned)ndev + 1);
    for (int i = 0; i < ndev; i++)
        pthread_create(&devices[i].thread, NULL, upload, &devices[i]);
    pthread_barrier_wait(&opt.start);
    double t0 = now_ms();
    for (int i = 0; i < ndev; i++)
        pthread_join(devices[i].thread, NULL);
    double elapsed = now_ms() - t0;
    long accepted = 0, other = 0, failed = 0;
    size_t nlat = (size_t)ndev * (size_t)opt.batches, k = 0;
    double *lat = calloc(nlat, sizeof *lat);
    for (int i = 0; i < ndev; i++) {
        accepted += devices[i].accepted;
        other += devices[i].other;
        failed += devices[i].failed;
        for (int b = 0; b < opt.batches; b++)
            lat[k++] = devices[i].latency_ms[b];
    }
    qsort(lat, nlat, sizeof *lat, compare_double);
    printf("kiosks %d, batches %zu of %d records%s, %.1f MB sent\n", ndev, nlat, opt.records,
           opt.gzip ? " (gzip)" : "", (double)bytes / 1e6);
    printf("accepted %ld, other %ld, failed batches %ld, in %.2f s\n", accepted, other, failed,
           elapsed / 1000.0);
    printf("records/s %.0f\n", (double)accepted / (elapsed / 1000.0));
    printf("batch latency ms: p50 %.1f, p90 %.1f, max %.1f\n", lat[nlat / 2],
           lat[(nlat * 9) / 10 < nlat ? (nlat * 9) / 10 : nlat - 1], lat[nlat - 1]);
    free(lat);
    for (int i = 0; i < ndev; i++) {
        for (int b = 0; b < opt.batches; b++)
            free(devices[i].batches[b].data);
        free(devices[i].batches);
        free(devices[i].latency_ms);
    }
    curl_global_cleanup();
    return failed || other ? 1 : 0;
usage:
    fprintf(stderr, "usage: server_ingest_client --url URL --device ID:SECRET_B64 [--device ...]"
                    " [--batches N] [--records N] [--gzip] [--start-seq N] [--persons N]"
                    " [--cacert FILE]\n");
    return 2;
}
