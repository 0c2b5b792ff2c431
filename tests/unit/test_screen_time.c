/* test_screen_time.c - the reading-time rules (screen_time.h) at their edges: T for short and
 * long results, speech and characters, refusals doubled, the hold and its end, never leaving
 * while speaking, a form's warning and "还要时间". Expected times worked out by hand. */
#include "check.h"
#include "screen_time.h"

static kiosk_view result(kiosk_tone tone, const char *headline, const char *message)
{
    kiosk_view v = {.layout = KIOSK_LAYOUT_RESULT, .tone = tone};
    snprintf(v.headline, sizeof v.headline, "%s", headline);
    snprintf(v.message, sizeof v.message, "%s", message);
    return v;
}

static void test_result_time(void)
{
    /* 4 characters, no speech: 12 s (4 x 0.5 + 4 = 6 s is less). */
    kiosk_view v = result(KIOSK_TONE_SUCCESS, "用餐成功", "");
    CHECK_INT(kiosk_view_reading_chars(&v), 4);
    CHECK_INT(kiosk_result_ms(&v, 0), 12000);
    /* 8 s of speech: 14 s. */
    CHECK_INT(kiosk_result_ms(&v, 8000), 14000);
    /* 4 + 28 characters: 32 x 0.5 + 4 = 20 s. Figures' labels count, their digits not. */
    v = result(KIOSK_TONE_SUCCESS, "用餐成功",
               "这是一段用来测试阅读时间的比较长的说明文字一共二十八个字");
    CHECK_INT(kiosk_view_reading_chars(&v), 32);
    CHECK_INT(kiosk_result_ms(&v, 0), 20000);
    snprintf(v.figures[0].label, sizeof v.figures[0].label, "您需支付");
    snprintf(v.figures[0].value, sizeof v.figures[0].value, "¥10.00");
    v.figure_count = 1;
    CHECK_INT(kiosk_view_reading_chars(&v), 36);
    /* A refusal: twice. */
    v = result(KIOSK_TONE_REFUSED, "本餐已经用过", "");
    CHECK_INT(kiosk_result_ms(&v, 3000), 24000);
    v.tone = KIOSK_TONE_ERROR;
    CHECK_INT(kiosk_result_ms(&v, 10000), 32000);
}

static void test_result_stays(void)
{
    kiosk_screen_time st;
    kiosk_view v = result(KIOSK_TONE_SUCCESS, "用餐成功", "");
    kiosk_screen_time_shown(&st, &v, 2000, 1000);
    int64_t flow = 1000 + 8000; /* the flow would leave after 8 s */
    CHECK(!kiosk_screen_time_may_tick(&st, false, 9000));
    CHECK(!kiosk_screen_time_may_tick(&st, false, 12999));
    CHECK(kiosk_screen_time_may_tick(&st, false, 13000));
    CHECK(!kiosk_screen_time_may_tick(&st, true, 20000)); /* still speaking */
    CHECK_INT(kiosk_screen_time_deadline(&st, flow), 13000);
    CHECK_INT(kiosk_screen_time_countdown_s(&st, flow, 1000), 12);
    CHECK_INT(kiosk_screen_time_countdown_s(&st, flow, 12001), 1);
    /* A flow that wants longer than T keeps its own time. */
    CHECK_INT(kiosk_screen_time_deadline(&st, 60000), 60000);
    /* Held: until max(120 s, 10 T = 120 s) from the touch, whatever T said. */
    kiosk_screen_time_touch(&st, 5000);
    CHECK(!kiosk_screen_time_may_tick(&st, false, 13000));
    CHECK(!kiosk_screen_time_may_tick(&st, false, 124999));
    CHECK(kiosk_screen_time_may_tick(&st, false, 125000));
    CHECK_INT(kiosk_screen_time_countdown_s(&st, flow, 6000), -1); /* "已暂停" instead */
    CHECK_INT(kiosk_screen_time_deadline(&st, flow), 125000);
    kiosk_screen_time_release(&st);
    CHECK(kiosk_screen_time_may_tick(&st, false, 13000));
    /* A long refusal's hold: 10 T. T = 2 x max(12, 20 + 6) = 52 s, hold 520 s. */
    v = result(KIOSK_TONE_REFUSED, "此卡已停用", "");
    kiosk_screen_time_shown(&st, &v, 20000, 0);
    CHECK_INT(st.t_ms, 52000);
    kiosk_screen_time_touch(&st, 1000);
    CHECK_INT(st.hold_until, 521000);
}

static void test_forms(void)
{
    kiosk_screen_time st;
    kiosk_view v = {.layout = KIOSK_LAYOUT_FORM};
    kiosk_screen_time_shown(&st, &v, 0, 0);
    int64_t flow = 60000; /* the flow gives up at 60 s */
    CHECK(!kiosk_screen_time_warn(&st, flow, 39999));
    CHECK(kiosk_screen_time_warn(&st, flow, 40000));
    CHECK(kiosk_screen_time_may_tick(&st, false, 60000));
    /* "还要时间" at 45 s: a minute past the flow's end, and again. */
    kiosk_screen_time_more(&st, flow, 45000);
    CHECK_INT(st.extended_until, 120000);
    CHECK(!kiosk_screen_time_warn(&st, flow, 60000));
    CHECK(!kiosk_screen_time_may_tick(&st, false, 60000));
    CHECK(kiosk_screen_time_warn(&st, flow, 100000));
    kiosk_screen_time_more(&st, flow, 110000);
    CHECK_INT(st.extended_until, 180000);
    CHECK(kiosk_screen_time_may_tick(&st, false, 180000));
    CHECK_INT(kiosk_screen_time_countdown_s(&st, flow, 170000), 10);
    /* The idle screen is never held back, touched or not. */
    v.layout = KIOSK_LAYOUT_IDLE;
    kiosk_screen_time_shown(&st, &v, 0, 0);
    kiosk_screen_time_touch(&st, 10);
    CHECK(kiosk_screen_time_may_tick(&st, true, 20));
    CHECK(!kiosk_screen_time_warn(&st, 30, 20));
    CHECK_INT(kiosk_screen_time_countdown_s(&st, INT64_MAX, 20), -1);
}

int main(void)
{
    test_result_time();
    test_result_stays();
    test_forms();
    CHECK_DONE();
}
