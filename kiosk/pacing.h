/* pacing.h - the app's side of screen_time.h: it watches the view a flow shows, tells the app
 * when the flow may be told that time has passed, and adds to a copy of the view what the
 * reading-time rules need: the countdown of the screen's real end, a "再听一遍" button on a
 * result with a voice, the notice of a held result, and on a form about to give up a warning with
 * a "还要时间" button and its clip. A result is timed when its flow leaves it by itself (it shows
 * a countdown); a form when its flow has a deadline. Every screen but the board's also gets
 * "呼叫工作人员" in the title bar, the same place everywhere; once pressed, a chime sounds for
 * staff and the screen says and speaks "已通知工作人员，请稍候". The flows keep their own timeouts;
 * pacing only withholds the tick. Main thread; times are monotonic milliseconds. */
#ifndef KIOSK_PACING_H
#define KIOSK_PACING_H

#include <stdbool.h>
#include <stdint.h>

#include "screen_time.h"
#include "view.h"

/* Widget ids pacing answers itself. */
#define KIOSK_PACING_AGAIN "again"
#define KIOSK_PACING_MORE  "more"
#define KIOSK_PACING_CALL  "call_staff" /* 呼叫工作人员: the app records the call (help_call.h) */

typedef struct kiosk_pacing {
    kiosk_screen_time st;
    char screen[sizeof((kiosk_view *)0)->screen];
    unsigned voice_serial;
    bool timed;         /* the flow leaves this screen by itself */
    bool new_screen;    /* started by the last kiosk_pacing_view: its speech is not known yet */
    unsigned replays;   /* "再听一遍" presses on this screen */
    unsigned warnings;  /* the form's warnings spoken (one per stretch of time) */
    unsigned calls;     /* 呼叫工作人员 presses on this screen */
    int64_t warned_end; /* the end the last warning was for */
    kiosk_view out;     /* the view as shown */
} kiosk_pacing;

void kiosk_pacing_init(kiosk_pacing *p);

/* The view to show for the flow's view v at now, whose flow gives up at flow_deadline
 * (INT64_MAX: never). A new screen (another name, or a new voice cue) starts its timing. */
const kiosk_view *kiosk_pacing_view(kiosk_pacing *p, const kiosk_view *v, int64_t flow_deadline,
                                    int64_t now);

/* After the view was drawn and its voice queued: speech_ms is how long it speaks (0: silent).
 * Sets the new screen's T from it. */
void kiosk_pacing_spoken(kiosk_pacing *p, int64_t speech_ms);

/* A press of a widget pacing owns ("again", "more"): true when taken, and not for the flow. */
bool kiosk_pacing_press(kiosk_pacing *p, const char *widget, int64_t flow_deadline, int64_t now);

/* A touch that hit no button: a timed result is held. True when it was. */
bool kiosk_pacing_touch(kiosk_pacing *p, int64_t now);

/* Whether the flow may be ticked at now (its voice still speaking: not a result's end). */
bool kiosk_pacing_may_tick(const kiosk_pacing *p, bool speaking, int64_t now);

/* When the app must look again: the screen's real end, or soon while it still speaks, or the
 * moment a form's warning is due. */
int64_t kiosk_pacing_deadline(const kiosk_pacing *p, int64_t flow_deadline, bool speaking,
                              int64_t now);

#endif
