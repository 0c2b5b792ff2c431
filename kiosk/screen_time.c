/* screen_time.c - see screen_time.h. */
#include "screen_time.h"

#include <string.h>

/* CJK unified ideographs (U+4E00..U+9FFF, three bytes in UTF-8) in s. */
static int han_chars(const char *s)
{
    int n = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if ((*p & 0xF0) != 0xE0 || !p[1] || !p[2])
            continue;
        unsigned cp = (unsigned)(*p & 0x0F) << 12 | (unsigned)(p[1] & 0x3F) << 6 | (p[2] & 0x3F);
        n += cp >= 0x4E00 && cp <= 0x9FFF;
        p += 2;
    }
    return n;
}

int kiosk_view_reading_chars(const kiosk_view *v)
{
    int n = han_chars(v->headline) + han_chars(v->name) + han_chars(v->subline) +
            han_chars(v->message) + han_chars(v->advice) + han_chars(v->prompt) +
            han_chars(v->hint);
    size_t figures = v->figure_count < KIOSK_VIEW_FIGURES ? v->figure_count : KIOSK_VIEW_FIGURES;
    for (size_t i = 0; i < figures; i++)
        n += han_chars(v->figures[i].label) + han_chars(v->figures[i].value);
    return n;
}

static int64_t max64(int64_t a, int64_t b)
{
    return a > b ? a : b;
}

int64_t kiosk_result_ms(const kiosk_view *v, int64_t speech_ms)
{
    int64_t t = max64(KIOSK_RESULT_MIN_MS, speech_ms + KIOSK_RESULT_AFTER_SPEECH);
    t = max64(t, (int64_t)kiosk_view_reading_chars(v) * KIOSK_RESULT_PER_CHAR_MS +
                     KIOSK_RESULT_READ_EXTRA_MS);
    /* A refusal or an error is news the reader did not expect: twice the time. */
    if (v->tone == KIOSK_TONE_REFUSED || v->tone == KIOSK_TONE_ERROR)
        t *= 2;
    return t;
}

void kiosk_screen_time_shown(kiosk_screen_time *st, const kiosk_view *v, int64_t speech_ms,
                             int64_t now)
{
    memset(st, 0, sizeof *st);
    st->layout = v->layout;
    st->shown_ms = now;
    if (v->layout == KIOSK_LAYOUT_RESULT) {
        st->t_ms = kiosk_result_ms(v, speech_ms);
        st->leave_ms = now + st->t_ms;
    }
}

void kiosk_screen_time_touch(kiosk_screen_time *st, int64_t now)
{
    if (st->layout != KIOSK_LAYOUT_RESULT)
        return;
    st->held = true;
    st->hold_until = now + max64(KIOSK_HOLD_MIN_MS, 10 * st->t_ms);
}

void kiosk_screen_time_release(kiosk_screen_time *st)
{
    st->held = false;
    st->hold_until = 0;
}

void kiosk_screen_time_more(kiosk_screen_time *st, int64_t flow_deadline, int64_t now)
{
    if (st->layout != KIOSK_LAYOUT_FORM)
        return;
    st->extended_until = max64(max64(flow_deadline, st->extended_until), now) + KIOSK_MORE_TIME_MS;
}

bool kiosk_screen_time_may_tick(const kiosk_screen_time *st, bool speaking, int64_t now)
{
    switch (st->layout) {
    case KIOSK_LAYOUT_RESULT:
        if (st->held)
            return now >= st->hold_until;
        return now >= st->leave_ms && !speaking;
    case KIOSK_LAYOUT_FORM:
        return now >= st->extended_until;
    case KIOSK_LAYOUT_IDLE:
    case KIOSK_LAYOUT_TABLE:
    case KIOSK_LAYOUT_BOARD: /* a display: its calls are paced by the board itself */
        break;
    }
    return true;
}

int64_t kiosk_screen_time_deadline(const kiosk_screen_time *st, int64_t flow_deadline)
{
    if (flow_deadline == INT64_MAX)
        return INT64_MAX;
    switch (st->layout) {
    case KIOSK_LAYOUT_RESULT:
        return max64(flow_deadline, st->held ? st->hold_until : st->leave_ms);
    case KIOSK_LAYOUT_FORM:
        return max64(flow_deadline, st->extended_until);
    case KIOSK_LAYOUT_IDLE:
    case KIOSK_LAYOUT_TABLE:
    case KIOSK_LAYOUT_BOARD: /* a display: its calls are paced by the board itself */
        break;
    }
    return flow_deadline;
}

int kiosk_screen_time_countdown_s(const kiosk_screen_time *st, int64_t flow_deadline, int64_t now)
{
    if (st->held || flow_deadline == INT64_MAX ||
        (st->layout != KIOSK_LAYOUT_RESULT && st->layout != KIOSK_LAYOUT_FORM))
        return -1;
    int64_t left = kiosk_screen_time_deadline(st, flow_deadline) - now;
    return left <= 0 ? 0 : (int)((left + 999) / 1000);
}

bool kiosk_screen_time_warn(const kiosk_screen_time *st, int64_t flow_deadline, int64_t now)
{
    return st->layout == KIOSK_LAYOUT_FORM && flow_deadline != INT64_MAX &&
           kiosk_screen_time_deadline(st, flow_deadline) - now <= KIOSK_WAIT_WARNING_MS;
}
