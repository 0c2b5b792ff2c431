/* test_pacing.c - the reading-time rules as the app applies them (kiosk/pacing.c over
 * screen_time.c), driven by an injected monotonic time: a result stays T (a refusal 2T) and never
 * leaves while speaking, a touch beside the buttons holds it for max(120 s, 10 T) until a new
 * screen, "再听一遍" speaks it again, a form warns 20 s before it gives up and "还要时间" gives a
 * minute as often as asked; the countdown shown is the screen's real end. The expected times
 * are worked out by hand from the rules in the comments. */
#include <stdint.h>
#include <string.h>

#include "check.h"
#include "pacing.h"

static const kiosk_button *button(const kiosk_view *v, const char *id)
{
    for (size_t i = 0; i < v->button_count; i++)
        if (strcmp(v->buttons[i].id, id) == 0)
            return &v->buttons[i];
    return NULL;
}

/* A canteen success as the flow shows it: 16 Chinese characters to read (test_result_stays_t),
 * two clips, the flow's own 8 s countdown. */
static kiosk_view result(kiosk_tone tone, unsigned serial)
{
    kiosk_view v = {.layout = KIOSK_LAYOUT_RESULT, .tone = tone, .countdown_s = 8};
    snprintf(v.screen, sizeof v.screen, "result");
    snprintf(v.headline, sizeof v.headline, "用餐成功");
    snprintf(v.name, sizeof v.name, "张*兰 · 午餐");
    snprintf(v.advice, sizeof v.advice, "请到窗口付款取餐");
    v.voice.clips[0] = "meal_ok";
    v.voice.clips[1] = "you_pay";
    v.voice.count = 2;
    v.voice.serial = serial;
    snprintf(v.buttons[0].id, sizeof v.buttons[0].id, "back");
    snprintf(v.buttons[0].label, sizeof v.buttons[0].label, "返回");
    v.buttons[0].role = KIOSK_ROLE_NAV;
    v.button_count = 1;
    return v;
}

/* 用餐成功 (4) + 张兰午餐 (4) + 请到窗口付款取餐 (8) = 16 characters: 16 x 0.5 s + 4 s = 12 s;
 * with 5 s of speech, 5 + 6 = 11 s; so T = max(12, 11, 12) = 12 s. */
static void test_result_stays_t(void)
{
    kiosk_pacing p;
    kiosk_pacing_init(&p);
    kiosk_view v = result(KIOSK_TONE_SUCCESS, 1);
    const int64_t t0 = 1000000, flow_end = t0 + 8000; /* the flow would leave after 8 s */
    const kiosk_view *o = kiosk_pacing_view(&p, &v, flow_end, t0);
    kiosk_pacing_spoken(&p, 5000);
    CHECK(button(o, KIOSK_PACING_AGAIN) != NULL);
    CHECK_STR(button(o, KIOSK_PACING_AGAIN)->label, "再听一遍");
    CHECK(!kiosk_pacing_may_tick(&p, false, flow_end));
    CHECK(!kiosk_pacing_may_tick(&p, false, t0 + 11999));
    CHECK(kiosk_pacing_may_tick(&p, false, t0 + 12000));
    /* Still speaking at its end: it stays, and the app looks again within 100 ms. */
    CHECK(!kiosk_pacing_may_tick(&p, true, t0 + 13000));
    CHECK_INT(kiosk_pacing_deadline(&p, flow_end, true, t0 + 13000), t0 + 13100);
    /* The countdown shows the real end, not the flow's 8 s; the app wakes each second for it. */
    CHECK_INT(kiosk_pacing_view(&p, &v, flow_end, t0)->countdown_s, 12);
    CHECK_INT(kiosk_pacing_view(&p, &v, flow_end, t0 + 2500)->countdown_s, 10);
    CHECK_INT(kiosk_pacing_deadline(&p, flow_end, false, t0 + 2500), t0 + 3000);
    CHECK_INT(kiosk_pacing_deadline(&p, flow_end, false, t0 + 11800), t0 + 12000);
    CHECK_INT(kiosk_pacing_deadline(&p, flow_end, false, t0 + 12000), t0 + 12000);

    /* A long prompt: 20 s of speech gives 26 s. */
    kiosk_view w = result(KIOSK_TONE_SUCCESS, 2);
    kiosk_pacing_view(&p, &w, flow_end, t0);
    kiosk_pacing_spoken(&p, 20000);
    CHECK(!kiosk_pacing_may_tick(&p, false, t0 + 25999));
    CHECK(kiosk_pacing_may_tick(&p, false, t0 + 26000));
}

/* A refusal is news the diner did not expect: 2T = 24 s. */
static void test_refusal_twice(void)
{
    kiosk_pacing p;
    kiosk_pacing_init(&p);
    kiosk_view v = result(KIOSK_TONE_REFUSED, 1);
    kiosk_pacing_view(&p, &v, 8000, 0);
    kiosk_pacing_spoken(&p, 3000);
    CHECK(!kiosk_pacing_may_tick(&p, false, 23999));
    CHECK(kiosk_pacing_may_tick(&p, false, 24000));
}

/* A touch beside the buttons holds the result for max(120 s, 10 x 12 s) = 120 s, with the notice
 * instead of the countdown; a new card's result (a new screen) ends the hold. */
static void test_hold(void)
{
    kiosk_pacing p;
    kiosk_pacing_init(&p);
    kiosk_view v = result(KIOSK_TONE_SUCCESS, 1);
    kiosk_pacing_view(&p, &v, 8000, 0);
    kiosk_pacing_spoken(&p, 5000);
    CHECK(kiosk_pacing_touch(&p, 3000));
    const kiosk_view *o = kiosk_pacing_view(&p, &v, 8000, 3000);
    CHECK_STR(o->message, "已暂停 · 按返回结束");
    CHECK_INT(o->countdown_s, 0);
    CHECK(!kiosk_pacing_may_tick(&p, false, 12000));
    CHECK(!kiosk_pacing_may_tick(&p, false, 122999));
    CHECK(kiosk_pacing_may_tick(&p, false, 123000));
    CHECK_INT(kiosk_pacing_deadline(&p, 8000, false, 5000), 123000);
    /* A new result (the next diner's card): timed afresh, not held. */
    kiosk_view next = result(KIOSK_TONE_SUCCESS, 2);
    o = kiosk_pacing_view(&p, &next, 140000, 130000);
    kiosk_pacing_spoken(&p, 5000);
    CHECK_STR(o->message, "");
    CHECK(!kiosk_pacing_may_tick(&p, false, 141999));
    CHECK(kiosk_pacing_may_tick(&p, false, 142000));
    /* Idle (no countdown): never held, never withheld. */
    kiosk_view idle = {.layout = KIOSK_LAYOUT_IDLE};
    snprintf(idle.screen, sizeof idle.screen, "idle");
    kiosk_pacing_view(&p, &idle, INT64_MAX, 150000);
    CHECK(!kiosk_pacing_touch(&p, 150000));
    CHECK(kiosk_pacing_may_tick(&p, false, 150000));
    CHECK(kiosk_pacing_deadline(&p, INT64_MAX, false, 150000) == INT64_MAX);
}

/* "再听一遍": the same clips under a new voice serial (so the ui speaks them again), and a
 * second press again; the flow's next cue is still told apart. */
static void test_again(void)
{
    kiosk_pacing p;
    kiosk_pacing_init(&p);
    kiosk_view v = result(KIOSK_TONE_SUCCESS, 7);
    unsigned first = kiosk_pacing_view(&p, &v, 8000, 0)->voice.serial;
    kiosk_pacing_spoken(&p, 5000);
    CHECK_INT(first, 7);
    CHECK(kiosk_pacing_press(&p, KIOSK_PACING_AGAIN, 8000, 4000));
    const kiosk_view *o = kiosk_pacing_view(&p, &v, 8000, 4000);
    unsigned second = o->voice.serial;
    CHECK(second != first);
    CHECK_INT(o->voice.count, 2);
    CHECK_STR(o->voice.clips[0], "meal_ok");
    CHECK(kiosk_pacing_press(&p, KIOSK_PACING_AGAIN, 8000, 5000));
    CHECK(kiosk_pacing_view(&p, &v, 8000, 5000)->voice.serial != second);
    CHECK(!kiosk_pacing_press(&p, "back", 8000, 5000)); /* the flow's */
    /* A result without a voice offers nothing to hear again. */
    kiosk_view silent = result(KIOSK_TONE_SUCCESS, 8);
    silent.voice.count = 0;
    CHECK(button(kiosk_pacing_view(&p, &silent, 20000, 10000), KIOSK_PACING_AGAIN) == NULL);
}

/* A form whose flow gives up at 60 s: warned by voice and on screen from 40 s (20 s before),
 * "还要时间" moves the end to 60 + 60 = 120 s, the warning comes again at 100 s and is spoken
 * again, and a second press moves the end to 180 s. */
static void test_form_more_time(void)
{
    kiosk_pacing p;
    kiosk_pacing_init(&p);
    kiosk_view f = {.layout = KIOSK_LAYOUT_FORM};
    snprintf(f.screen, sizeof f.screen, "bill");
    snprintf(f.headline, sizeof f.headline, "请输入本餐金额");
    f.voice.serial = 3;
    const int64_t end = 60000;
    const kiosk_view *o = kiosk_pacing_view(&p, &f, end, 0);
    kiosk_pacing_spoken(&p, 0);
    CHECK(button(o, KIOSK_PACING_MORE) == NULL);
    CHECK_INT(o->countdown_s, 60);
    CHECK_INT(kiosk_pacing_deadline(&p, end, false, 39500), 40000); /* the warning is due */
    o = kiosk_pacing_view(&p, &f, end, 39999);
    CHECK(button(o, KIOSK_PACING_MORE) == NULL);
    o = kiosk_pacing_view(&p, &f, end, 40000);
    CHECK(button(o, KIOSK_PACING_MORE) != NULL);
    CHECK_STR(button(o, KIOSK_PACING_MORE)->label, "还要时间");
    CHECK_INT(button(o, KIOSK_PACING_MORE)->role, KIOSK_ROLE_NAV);
    CHECK_INT(o->voice.count, 1);
    CHECK_STR(o->voice.clips[0], "more_time");
    unsigned warned = o->voice.serial;
    CHECK(warned != 3);
    /* Drawn again a second later: the same warning, not spoken again. */
    CHECK_INT(kiosk_pacing_view(&p, &f, end, 41000)->voice.serial, warned);
    CHECK(kiosk_pacing_press(&p, KIOSK_PACING_MORE, end, 45000));
    o = kiosk_pacing_view(&p, &f, end, 45000);
    CHECK(button(o, KIOSK_PACING_MORE) == NULL);
    CHECK_INT(o->countdown_s, 75);
    CHECK(!kiosk_pacing_may_tick(&p, false, end)); /* the flow would have given up */
    CHECK(!kiosk_pacing_may_tick(&p, false, 119999));
    o = kiosk_pacing_view(&p, &f, end, 100000);
    CHECK(button(o, KIOSK_PACING_MORE) != NULL);
    CHECK(o->voice.serial != warned);
    CHECK(kiosk_pacing_press(&p, KIOSK_PACING_MORE, end, 101000));
    CHECK(!kiosk_pacing_may_tick(&p, false, 179999));
    CHECK(kiosk_pacing_may_tick(&p, false, 180000));
    /* A touch on a form holds nothing (its keys are its business). */
    CHECK(!kiosk_pacing_touch(&p, 101000));
}

/* 呼叫工作人员 in the title bar of every screen but the board's, the same place everywhere; a
 * press is the app's (it records the call), and the screen says and speaks 已通知工作人员，请稍候
 * until it changes. On a result it also holds the screen: the diner waits for staff there. */
static void test_call_staff(void)
{
    kiosk_pacing p;
    kiosk_pacing_init(&p);
    static const kiosk_layout layouts[] = {KIOSK_LAYOUT_IDLE, KIOSK_LAYOUT_RESULT,
                                           KIOSK_LAYOUT_TABLE, KIOSK_LAYOUT_FORM};
    for (size_t i = 0; i < sizeof layouts / sizeof layouts[0]; i++) {
        kiosk_view v = {.layout = layouts[i], .tone = KIOSK_TONE_ERROR};
        snprintf(v.screen, sizeof v.screen, "s%zu", i);
        const kiosk_button *b = button(kiosk_pacing_view(&p, &v, INT64_MAX, 0), KIOSK_PACING_CALL);
        CHECK(b != NULL);
        if (b) {
            CHECK_STR(b->label, "呼叫工作人员");
            CHECK_INT(b->role, KIOSK_ROLE_BAR);
        }
    }
    kiosk_view board = {.layout = KIOSK_LAYOUT_BOARD};
    snprintf(board.screen, sizeof board.screen, "board");
    CHECK(button(kiosk_pacing_view(&p, &board, INT64_MAX, 0), KIOSK_PACING_CALL) == NULL);

    kiosk_view r = result(KIOSK_TONE_REFUSED, 4);
    const kiosk_view *o = kiosk_pacing_view(&p, &r, 8000, 0);
    kiosk_pacing_spoken(&p, 3000);
    unsigned before = o->voice.serial;
    CHECK(kiosk_pacing_press(&p, KIOSK_PACING_CALL, 8000, 5000));
    o = kiosk_pacing_view(&p, &r, 8000, 5000);
    CHECK_STR(o->message, "已通知工作人员，请稍候");
    CHECK_INT(o->voice.count, 2);
    CHECK_STR(o->voice.clips[0], "chime");
    CHECK_STR(o->voice.clips[1], "help_called");
    CHECK(o->voice.serial != before);
    /* Held from 5 s for max(120 s, 10 x 2T) = 240 s (a refusal's T is 2 x 12 s). */
    CHECK(!kiosk_pacing_may_tick(&p, false, 244999));
    CHECK(kiosk_pacing_may_tick(&p, false, 245000));
    /* The next screen no longer says it. */
    kiosk_view next = result(KIOSK_TONE_SUCCESS, 5);
    CHECK_STR(kiosk_pacing_view(&p, &next, 260000, 250000)->message, "");
}

/* The second ID card's screen (a result layout that waits for the diner): timed as a form, so
 * warned 20 s before its flow gives up at 60 s, and given more time; no hold, no 再听一遍. */
static void test_waiting_result(void)
{
    kiosk_pacing p;
    kiosk_pacing_init(&p);
    kiosk_view w = result(KIOSK_TONE_INFO, 9);
    snprintf(w.screen, sizeof w.screen, "second");
    w.waits_for_input = true;
    const kiosk_view *o = kiosk_pacing_view(&p, &w, 60000, 0);
    kiosk_pacing_spoken(&p, 3000);
    CHECK(button(o, KIOSK_PACING_AGAIN) == NULL);
    CHECK(button(o, KIOSK_PACING_MORE) == NULL);
    CHECK_INT(o->layout, KIOSK_LAYOUT_RESULT); /* drawn as the flow made it */
    o = kiosk_pacing_view(&p, &w, 60000, 40000);
    CHECK(button(o, KIOSK_PACING_MORE) != NULL);
    CHECK_STR(o->voice.clips[0], "more_time");
    CHECK(!kiosk_pacing_touch(&p, 41000));
    CHECK(kiosk_pacing_press(&p, KIOSK_PACING_MORE, 60000, 41000));
    CHECK(!kiosk_pacing_may_tick(&p, false, 119999));
    CHECK(kiosk_pacing_may_tick(&p, false, 120000));
}

int main(void)
{
    test_result_stays_t();
    test_refusal_twice();
    test_hold();
    test_again();
    test_form_more_time();
    test_call_staff();
    test_waiting_result();
    CHECK_DONE();
}
