/* board.c - the now-serving board's states and announcements (see board.h); words in
 * board_words.c. */
#include "board.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "board_words.h"
#include "clock.h"
#include "hall.h"
#include "log.h"
#include "marriage_words.h"
#define KIOSK_LOG_MODULE "board"

#define POLL_MS     1000
#define PENDING_MAX 32
#define RECENT_ROWS 6

#define W (board_text_tr())

typedef struct board_options {
    char database[512];
    char prefixes[KIOSK_BOARD_COUNTERS + 1][27]; /* by counter; "" = every prefix */
    int call_seconds;
} board_options;

struct kiosk_board {
    const kiosk_flow_settings *opts;
    board_options own;
    kiosk_store *store;
    kiosk_store *own_store; /* [board] database, owned */
    kiosk_events_log *log;
    kiosk_view view;
    bool primed; /* the calls made before the board started are not announced */
    kiosk_date day;
    int64_t last_call_id;
    kiosk_queue_call pending[PENDING_MAX];
    size_t pending_count;
    int64_t next_poll_mono, hold_until_mono;
};

int kiosk_board_counter_of(const char *widget)
{
    if (strncmp(widget, "call:", 5) != 0)
        return 0;
    const char *d = widget + 5;
    int n = 0;
    for (size_t i = 0; d[i]; i++) {
        if (d[i] < '0' || d[i] > '9' || i >= 2)
            return 0;
        n = n * 10 + (d[i] - '0');
    }
    return n >= 1 && n <= KIOSK_BOARD_COUNTERS ? n : 0;
}

/* --- the announcement --------------------------------------------------------------------- */

static void say(kiosk_view *v, const char *clip)
{
    if (clip && v->voice.count < KIOSK_VIEW_VOICE)
        v->voice.clips[v->voice.count++] = clip;
}

/* A counter number the way it is said: 3 三, 10 十, 12 十二, 20 二十, 23 二十三. */
static void say_counter(kiosk_view *v, int n)
{
    static const char *const digits[] = {"d0", "d1", "d2", "d3", "d4",
                                         "d5", "d6", "d7", "d8", "d9"};
    if (n >= 20)
        say(v, digits[n / 10 % 10]);
    if (n >= 10)
        say(v, "shi");
    if (n % 10 || n < 10)
        say(v, digits[n % 10]);
}

/* "请 J012 号到 3 号窗口", spoken twice, after whatever is being spoken. */
static void announce(kiosk_board *b, const kiosk_queue_call *c, int64_t now_mono)
{
    kiosk_view *v = &b->view;
    snprintf(v->headline, sizeof v->headline, "%s%s%s%d%s", W->call_please, c->number, W->call_to,
             c->counter, W->call_window);
    v->voice.count = 0;
    for (int round = 0; round < 2; round++) {
        say(v, W->clip_please);
        if (c->number[0] >= 'A' && c->number[0] <= 'Z')
            say(v, marriage_letter_clips[c->number[0] - 'A']);
        for (const char *d = c->number + 1; *d; d++)
            if (*d >= '0' && *d <= '9')
                say(v, (const char *[]){"d0", "d1", "d2", "d3", "d4", "d5", "d6", "d7", "d8",
                                        "d9"}[*d - '0']);
        say(v, W->clip_to);
        say_counter(v, c->counter);
        say(v, W->clip_window);
    }
    v->voice.after = true;
    v->voice.serial++;
    b->hold_until_mono = now_mono + (int64_t)b->own.call_seconds * 1000;
}

/* --- reading the queue --------------------------------------------------------------------- */

static void fill_view(kiosk_board *b, const kiosk_queue_call *recent, size_t recent_count,
                      const long waiting[KIOSK_SERVICE_COUNT])
{
    kiosk_view *v = &b->view;
    kiosk_table *t = &v->table;
    memset(t, 0, sizeof *t);
    snprintf(t->title, sizeof t->title, "%s", W->recent_title);
    snprintf(t->head[0], sizeof t->head[0], "%s", W->head_number);
    snprintf(t->head[1], sizeof t->head[1], "%s", W->head_counter);
    snprintf(t->head[2], sizeof t->head[2], "%s", W->head_service);
    for (size_t i = 0; i < recent_count && i < KIOSK_TABLE_ROWS; i++) {
        snprintf(t->cells[i][0], sizeof t->cells[i][0], "%s", recent[i].number);
        snprintf(t->cells[i][1], sizeof t->cells[i][1], "%d%s", recent[i].counter,
                 W->counter_suffix);
        snprintf(t->cells[i][2], sizeof t->cells[i][2], "%s",
                 kiosk_service_label(recent[i].service));
        t->row_count++;
    }
    v->figure_count = 0;
    for (int s = 0; s < KIOSK_SERVICE_COUNT && v->figure_count < KIOSK_VIEW_FIGURES; s++) {
        if (!waiting[s])
            continue;
        kiosk_figure *f = &v->figures[v->figure_count++];
        snprintf(f->label, sizeof f->label, "%s", kiosk_service_label((kiosk_service)s));
        snprintf(f->value, sizeof f->value, "%ld%s", waiting[s], W->people);
    }
    snprintf(v->subline, sizeof v->subline, "%s", W->waiting_label);
    snprintf(v->message, sizeof v->message, "%s", v->figure_count ? "" : W->nobody_waiting);
}

static void poll(kiosk_board *b, kiosk_now now)
{
    b->next_poll_mono = now.mono_ms + POLL_MS;
    kiosk_date today = kiosk_clock_local(now.utc_ms).date;
    if (!b->primed || kiosk_date_cmp(today, b->day) != 0) {
        /* A new day (or the start): only calls from now on are announced. */
        b->day = today;
        b->last_call_id = 0;
        b->pending_count = 0;
        kiosk_queue_call last;
        size_t n = 0;
        if (kiosk_store_recent_calls(b->store, today, &last, 1, &n) == KIOSK_OK && n)
            b->last_call_id = last.call_id;
        b->primed = true;
    }
    kiosk_queue_call fresh[PENDING_MAX];
    size_t n = 0;
    if (kiosk_store_calls_after(b->store, today, b->last_call_id, fresh,
                                PENDING_MAX - b->pending_count, &n) != KIOSK_OK) {
        KLOG_WARN("the queue could not be read: %s", kiosk_store_errmsg(b->store));
        return;
    }
    for (size_t i = 0; i < n; i++) {
        b->pending[b->pending_count++] = fresh[i];
        b->last_call_id = fresh[i].call_id;
    }
    kiosk_queue_call recent[RECENT_ROWS];
    size_t recent_count = 0;
    long waiting[KIOSK_SERVICE_COUNT];
    if (kiosk_store_recent_calls(b->store, today, recent, RECENT_ROWS, &recent_count) == KIOSK_OK &&
        kiosk_store_waiting(b->store, today, waiting) == KIOSK_OK)
        fill_view(b, recent, recent_count, waiting);
}

/* The next call in line goes up when the last one has had its time (and its two readings). */
static void next_announcement(kiosk_board *b, kiosk_now now)
{
    if (!b->pending_count || now.mono_ms < b->hold_until_mono)
        return;
    kiosk_queue_call c = b->pending[0];
    memmove(&b->pending[0], &b->pending[1], (b->pending_count - 1) * sizeof b->pending[0]);
    b->pending_count--;
    announce(b, &c, now.mono_ms);
}

void kiosk_board_on_tick(kiosk_board *b, kiosk_now now)
{
    if (now.mono_ms >= b->next_poll_mono)
        poll(b, now);
    next_announcement(b, now);
}

int64_t kiosk_board_deadline(const kiosk_board *b)
{
    int64_t d = b->next_poll_mono;
    if (b->pending_count && b->hold_until_mono < d)
        d = b->hold_until_mono;
    return d;
}

void kiosk_board_on_press(kiosk_board *b, const char *widget, kiosk_now now)
{
    int counter = kiosk_board_counter_of(widget);
    if (!counter) {
        KLOG_DEBUG("press %s ignored", widget);
        return;
    }
    if (!b->primed)
        poll(b, now);
    kiosk_date today = kiosk_clock_local(now.utc_ms).date;
    kiosk_queue_call call;
    kiosk_rc rc = kiosk_store_call_next(b->store, today, counter, b->own.prefixes[counter],
                                        b->opts->kiosk_id, now.utc_ms, &call);
    json_t *o = b->log ? json_pack("{s:s, s:s, s:s, s:I, s:i}", "kind", "call", "result",
                                   rc == KIOSK_OK              ? "called"
                                   : rc == KIOSK_ERR_NOT_FOUND ? "nobody_waiting"
                                                               : "error",
                                   "kiosk_id", b->opts->kiosk_id, "at_utc_ms",
                                   (json_int_t)now.utc_ms, "counter", counter)
                       : NULL;
    if (o && rc == KIOSK_OK) {
        json_object_set_new(o, "number", json_string(call.number));
        json_object_set_new(o, "service", json_string(kiosk_service_code(call.service)));
        json_object_set_new(o, "lane", json_string(kiosk_lane_code(call.lane)));
    }
    if (o && kiosk_events_log_take(b->log, o) != KIOSK_OK)
        KLOG_WARN("outcome not written to the events file");
    if (rc != KIOSK_OK && rc != KIOSK_ERR_NOT_FOUND)
        KLOG_ERROR("counter %d could not call: %s", counter, kiosk_store_errmsg(b->store));
    poll(b, now); /* the call goes up at once when nothing else is being said */
    next_announcement(b, now);
}

const kiosk_view *kiosk_board_view(const kiosk_board *b)
{
    return &b->view;
}

/* --- settings ------------------------------------------------------------------------------ */

/* Reads [board]: database = PATH, counterN = LETTERS, call_seconds = 5..60. */
static kiosk_rc parse_options(const kiosk_settings *section, board_options *out, char *err,
                              size_t err_size)
{
    memset(out, 0, sizeof *out);
    out->call_seconds = 10;
    for (size_t i = 0; section && i < section->count; i++) {
        const char *key = section->items[i].key, *value = section->items[i].value;
        if (strcmp(key, "database") == 0) {
            if (strlen(value) >= sizeof out->database)
                return kiosk_fail(KIOSK_ERR_CONFIG, err, err_size, "database: path too long");
            snprintf(out->database, sizeof out->database, "%s", value);
        } else if (strcmp(key, "call_seconds") == 0) {
            char *end;
            long v = strtol(value, &end, 10);
            if (!value[0] || *end || v < 5 || v > 60)
                return kiosk_fail(KIOSK_ERR_CONFIG, err, err_size,
                                  "call_seconds must be 5 to 60, not '%s'", value);
            out->call_seconds = (int)v;
        } else if (strncmp(key, "counter", 7) == 0) {
            char widget[16];
            snprintf(widget, sizeof widget, "call:%s", key + 7);
            int n = kiosk_board_counter_of(widget);
            bool letters = value[0] && strlen(value) <= 26;
            for (const char *c = value; letters && *c; c++)
                letters = *c >= 'A' && *c <= 'Z';
            if (!n || !letters)
                return kiosk_fail(KIOSK_ERR_CONFIG, err, err_size,
                                  "%s = '%s': counter1 .. counter%d name the queue prefixes the"
                                  " counter serves, e.g. counter3 = L",
                                  key, value, KIOSK_BOARD_COUNTERS);
            snprintf(out->prefixes[n], sizeof out->prefixes[n], "%s", value);
        } else {
            return kiosk_fail(KIOSK_ERR_CONFIG, err, err_size,
                              "unknown setting '%s' (database, counter1 .. counter%d,"
                              " call_seconds)",
                              key, KIOSK_BOARD_COUNTERS);
        }
    }
    return KIOSK_OK;
}

kiosk_rc kiosk_board_new(const kiosk_flow_env *env, kiosk_board **out, char *err, size_t err_size)
{
    *out = NULL;
    kiosk_board *b = calloc(1, sizeof *b);
    if (!b)
        return kiosk_fail(KIOSK_ERR_NOMEM, err, err_size, "out of memory");
    kiosk_settings section = kiosk_flow_section(env, "board");
    kiosk_rc rc = parse_options(&section, &b->own, err, err_size);
    if (rc == KIOSK_OK && b->own.database[0]) {
        char why[600];
        rc = kiosk_store_open(b->own.database, &b->own_store, why, sizeof why);
        if (rc != KIOSK_OK)
            kiosk_fail(rc, err, err_size, "[board] database: %s", why);
    }
    if (rc != KIOSK_OK) {
        kiosk_store_close(b->own_store);
        free(b);
        return rc;
    }
    b->opts = env->settings;
    b->store = b->own_store ? b->own_store : env->store;
    b->log = env->events;
    kiosk_view *v = &b->view;
    snprintf(v->screen, sizeof v->screen, "board");
    v->layout = KIOSK_LAYOUT_BOARD;
    v->tone = KIOSK_TONE_INFO;
    snprintf(v->title, sizeof v->title, "%s · %s", b->opts->site_name, W->title_suffix);
    snprintf(v->headline, sizeof v->headline, "%s", W->idle_headline);
    long none[KIOSK_SERVICE_COUNT] = {0};
    fill_view(b, NULL, 0, none);
    *out = b;
    return KIOSK_OK;
}

void kiosk_board_free(kiosk_board *b)
{
    if (b)
        kiosk_store_close(b->own_store);
    free(b);
}

/* --- the flow's ops table ----------------------------------------------------------------- */

static kiosk_rc flow_check_settings(const kiosk_settings *section, char *err, size_t err_size)
{
    board_options o;
    return parse_options(section, &o, err, err_size);
}

static kiosk_rc flow_create(const kiosk_flow_env *env, void **self, char *err, size_t err_size)
{
    kiosk_board *b;
    kiosk_rc rc = kiosk_board_new(env, &b, err, err_size);
    *self = b;
    return rc;
}

static void flow_destroy(void *self)
{
    kiosk_board_free(self);
}

static kiosk_flow_next flow_press(void *self, const char *widget, kiosk_now now)
{
    kiosk_board_on_press(self, widget, now);
    return KIOSK_FLOW_STAY;
}

static bool flow_takes_press(const void *self, const char *widget)
{
    (void)self;
    return kiosk_board_counter_of(widget) != 0;
}

static kiosk_flow_next flow_tick(void *self, kiosk_now now)
{
    kiosk_board_on_tick(self, now);
    return KIOSK_FLOW_STAY;
}

static int64_t flow_deadline(const void *self)
{
    return kiosk_board_deadline(self);
}

static const kiosk_view *flow_view(const void *self)
{
    return kiosk_board_view(self);
}

const kiosk_flow_ops kiosk_board_flow = {
    .name = "board",
    .base = true,
    .needs_store = true,
    .check_settings = flow_check_settings,
    .create = flow_create,
    .destroy = flow_destroy,
    .on_press = flow_press,
    .takes_press = flow_takes_press,
    .on_tick = flow_tick,
    .deadline = flow_deadline,
    .view = flow_view,
    .clips = board_clips,
};
