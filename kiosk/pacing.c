/* pacing.c - see pacing.h. */
#include "pacing.h"

#include <stdio.h>
#include <string.h>

#include "i18n.h"

/* The words pacing adds to a flow's screens, in one place (translated where they are used). */
static const struct {
    const char *again, *more, *held, *warning, *clip_more_time, *call, *called, *clip_chime,
        *clip_called;
} words = {
    .again = N_("再听一遍"),
    .more = N_("还要时间"),
    .held = N_("已暂停 · 按返回结束"),
    .warning = N_("时间快到了，还要时间请按下方按钮"),
    .clip_more_time = "more_time",
    .call = N_("呼叫工作人员"),
    .called = N_("已通知工作人员，请稍候"),
    .clip_chime = "chime",
    .clip_called = "help_called",
};

/* Voice serials pacing makes from the flow's: a replay or a warning must be spoken even though
 * the flow's serial did not change, and must not be taken for the flow's next cue. */
#define REPLAY_STEP  0x10000u
#define WARNING_STEP 0x1000000u
#define CALL_STEP    0x40000000u

void kiosk_pacing_init(kiosk_pacing *p)
{
    memset(p, 0, sizeof *p);
    p->st.layout = KIOSK_LAYOUT_IDLE;
}

static void add_button(kiosk_view *v, const char *id, const char *label, kiosk_role role)
{
    if (v->button_count >= KIOSK_VIEW_BUTTONS)
        return;
    kiosk_button *b = &v->buttons[v->button_count++];
    snprintf(b->id, sizeof b->id, "%s", id);
    snprintf(b->label, sizeof b->label, "%s", label);
    b->role = role;
}

/* What the reading-time rules add to a timed screen: the real countdown, 再听一遍 and the hold
 * notice on a result, the warning and 还要时间 on a form about to give up. */
static void decorate_time(kiosk_pacing *p, const kiosk_view *v, kiosk_view *o,
                          int64_t flow_deadline, int64_t now)
{
    int left = kiosk_screen_time_countdown_s(&p->st, flow_deadline, now);
    o->countdown_s = left > 0 ? left : 0;
    if (p->st.layout == KIOSK_LAYOUT_RESULT) {
        if (v->voice.count > 0)
            add_button(o, KIOSK_PACING_AGAIN, _(words.again), KIOSK_ROLE_NAV);
        if (p->st.held) {
            o->countdown_s = 0;
            snprintf(o->message, sizeof o->message, "%s", _(words.held));
        }
        return;
    }
    if (kiosk_screen_time_warn(&p->st, flow_deadline, now)) {
        int64_t end = kiosk_screen_time_deadline(&p->st, flow_deadline);
        if (end != p->warned_end) { /* a new stretch of time runs out: say so once */
            p->warned_end = end;
            p->warnings++;
        }
        add_button(o, KIOSK_PACING_MORE, _(words.more), KIOSK_ROLE_NAV);
        snprintf(o->advice, sizeof o->advice, "%s", _(words.warning));
        o->voice.clips[0] = words.clip_more_time;
        o->voice.count = 1;
        o->voice.after = false;
        o->voice.serial = v->voice.serial + p->replays * REPLAY_STEP + p->warnings * WARNING_STEP;
    }
}

const kiosk_view *kiosk_pacing_view(kiosk_pacing *p, const kiosk_view *v, int64_t flow_deadline,
                                    int64_t now)
{
    if (strcmp(v->screen, p->screen) != 0 || v->voice.serial != p->voice_serial) {
        snprintf(p->screen, sizeof p->screen, "%s", v->screen);
        p->voice_serial = v->voice.serial;
        bool waits = v->layout == KIOSK_LAYOUT_FORM || v->waits_for_input;
        p->timed = waits ? flow_deadline != INT64_MAX
                         : v->layout == KIOSK_LAYOUT_RESULT && v->countdown_s > 0;
        /* A screen that waits for the diner is timed as a form: it is not read, it is answered. */
        p->out = *v;
        if (waits)
            p->out.layout = KIOSK_LAYOUT_FORM;
        kiosk_screen_time_shown(&p->st, &p->out, 0, now);
        p->new_screen = true;
        p->replays = p->warnings = p->calls = 0;
        p->warned_end = 0;
    }
    p->out = *v;
    kiosk_view *o = &p->out;
    o->voice.serial = v->voice.serial + p->replays * REPLAY_STEP + p->warnings * WARNING_STEP;
    if (v->layout != KIOSK_LAYOUT_BOARD) /* a display: nobody stands at it */
        add_button(o, KIOSK_PACING_CALL, _(words.call), KIOSK_ROLE_BAR);
    if (p->timed)
        decorate_time(p, v, o, flow_deadline, now);
    if (p->calls) { /* the kiosk's answer to a call, shown until the screen changes */
        /* A chime staff hear across the room, then the answer for the diner. */
        snprintf(o->message, sizeof o->message, "%s", _(words.called));
        o->voice.clips[0] = words.clip_chime;
        o->voice.clips[1] = words.clip_called;
        o->voice.count = 2;
        o->voice.after = false;
        o->voice.serial = v->voice.serial + p->calls * CALL_STEP;
    }
    return o;
}

void kiosk_pacing_spoken(kiosk_pacing *p, int64_t speech_ms)
{
    if (!p->new_screen)
        return;
    p->new_screen = false;
    if (p->timed && p->st.layout == KIOSK_LAYOUT_RESULT) {
        /* T from the flow's words (without pacing's notice) and the voice just queued. */
        kiosk_view flow = p->out;
        flow.message[0] = '\0';
        p->st.t_ms = kiosk_result_ms(&flow, speech_ms);
        p->st.leave_ms = p->st.shown_ms + p->st.t_ms;
    }
}

bool kiosk_pacing_press(kiosk_pacing *p, const char *widget, int64_t flow_deadline, int64_t now)
{
    if (strcmp(widget, KIOSK_PACING_AGAIN) == 0) {
        if (p->timed && p->st.layout == KIOSK_LAYOUT_RESULT)
            p->replays++;
        return true;
    }
    if (strcmp(widget, KIOSK_PACING_CALL) == 0) {
        p->calls++;
        if (p->timed && p->st.layout == KIOSK_LAYOUT_RESULT) /* the diner waits for staff here */
            kiosk_screen_time_touch(&p->st, now);
        return true;
    }
    if (strcmp(widget, KIOSK_PACING_MORE) == 0) {
        if (p->timed)
            kiosk_screen_time_more(&p->st, flow_deadline, now);
        return true;
    }
    return false;
}

bool kiosk_pacing_touch(kiosk_pacing *p, int64_t now)
{
    if (!p->timed || p->st.layout != KIOSK_LAYOUT_RESULT)
        return false;
    kiosk_screen_time_touch(&p->st, now);
    return true;
}

bool kiosk_pacing_may_tick(const kiosk_pacing *p, bool speaking, int64_t now)
{
    return !p->timed || kiosk_screen_time_may_tick(&p->st, speaking, now);
}

static int64_t min64(int64_t a, int64_t b)
{
    return a < b ? a : b;
}

int64_t kiosk_pacing_deadline(const kiosk_pacing *p, int64_t flow_deadline, bool speaking,
                              int64_t now)
{
    if (!p->timed)
        return flow_deadline;
    int64_t end = kiosk_screen_time_deadline(&p->st, flow_deadline);
    /* At its end: now, or, while its voice still speaks, again shortly. */
    if (end <= now)
        return speaking ? now + 100 : now;
    if (p->st.held)
        return end;
    /* The countdown shown changes every second; a form's warning is due 20 s before its end. */
    int64_t next = now + 1000 - (now - p->st.shown_ms) % 1000;
    if (p->st.layout == KIOSK_LAYOUT_FORM && end - KIOSK_WAIT_WARNING_MS > now)
        next = min64(next, end - KIOSK_WAIT_WARNING_MS);
    return min64(end, next);
}
