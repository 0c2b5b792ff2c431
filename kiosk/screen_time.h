/* screen_time.h - who decides when a screen goes away: the reader, not the clock. The rules for
 * users who read slowly and hear poorly (MIIT 2021 适老化, WCAG 2.2.1 "timing adjustable", the
 * ADA and EN 301 549 kiosk rules), applied by the app to every flow's screens alike:
 *   - a result stays up for T = max(12 s, end of its speech + 6 s, 0.5 s per Chinese character
 *     shown + 4 s), twice that for a refusal or an error, and never leaves while its voice
 *     still speaks;
 *   - a touch on a result that is not a button holds it ("已暂停 · 按返回结束") until 返回, a new
 *     card, or max(120 s, 10 T);
 *   - a screen that waits for input (a form) warns at least 20 s before it gives up, and "还要时间"
 *     gives another minute, as often as asked.
 * The flow keeps its own deadline (what it does when time is up); the app asks here whether the
 * flow may be told that time has passed. Pure; main thread; times are monotonic milliseconds. */
#ifndef KIOSK_SCREEN_TIME_H
#define KIOSK_SCREEN_TIME_H

#include <stdbool.h>
#include <stdint.h>

#include "view.h"

#define KIOSK_RESULT_MIN_MS        12000
#define KIOSK_RESULT_AFTER_SPEECH  6000
#define KIOSK_RESULT_PER_CHAR_MS   500
#define KIOSK_RESULT_READ_EXTRA_MS 4000
#define KIOSK_HOLD_MIN_MS          120000
#define KIOSK_WAIT_WARNING_MS      20000
#define KIOSK_MORE_TIME_MS         60000

typedef struct kiosk_screen_time {
    /* The screen being timed. */
    kiosk_layout layout;
    int64_t shown_ms;       /* when it appeared */
    int64_t t_ms;           /* its T (0 for screens that are not results) */
    int64_t leave_ms;       /* a result may go from here on (once its voice is done) */
    bool held;              /* a touch holds it */
    int64_t hold_until;     /* ... until here */
    int64_t extended_until; /* a form: "还要时间" moved its end here (0: not asked) */
} kiosk_screen_time;

/* Chinese characters (CJK unified ideographs) in the words a view shows besides its figures:
 * title bars and buttons aside, what a reader must read. */
int kiosk_view_reading_chars(const kiosk_view *v);

/* T of a result: speech_ms is how long its voice speaks (0: silent). */
int64_t kiosk_result_ms(const kiosk_view *v, int64_t speech_ms);

/* A new screen (or a new result of the same screen) appeared at now. */
void kiosk_screen_time_shown(kiosk_screen_time *st, const kiosk_view *v, int64_t speech_ms,
                             int64_t now);

/* A touch on the screen that hit no button: a result is held. */
void kiosk_screen_time_touch(kiosk_screen_time *st, int64_t now);
/* 返回 or a new card: the hold ends. */
void kiosk_screen_time_release(kiosk_screen_time *st);
/* "还要时间" on a form whose flow gives up at flow_deadline. */
void kiosk_screen_time_more(kiosk_screen_time *st, int64_t flow_deadline, int64_t now);

/* Whether the flow may be told about its deadline at now: a result not yet read (or still
 * speaking, or held), a form given more time, is kept. */
bool kiosk_screen_time_may_tick(const kiosk_screen_time *st, bool speaking, int64_t now);

/* When the app must look again (INT64_MAX: no need): the end of a hold, of T, of more time. */
int64_t kiosk_screen_time_deadline(const kiosk_screen_time *st, int64_t flow_deadline);

/* The seconds a result shows it will stay (-1: none to show). */
int kiosk_screen_time_countdown_s(const kiosk_screen_time *st, int64_t flow_deadline, int64_t now);

/* A form about to give up: true in its last 20 s (the app offers "还要时间" and says so). */
bool kiosk_screen_time_warn(const kiosk_screen_time *st, int64_t flow_deadline, int64_t now);

#endif
