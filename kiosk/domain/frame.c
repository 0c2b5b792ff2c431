/* frame.c - the date and time the app shows around every view. */
#include "frame.h"

#include <stdio.h>

#include "clock.h"

void kiosk_frame_set_clock(kiosk_frame *f, int64_t utc_ms)
{
    static const char *const weekdays[] = {"星期一", "星期二", "星期三", "星期四",
                                           "星期五", "星期六", "星期日"};
    kiosk_local_time t = kiosk_clock_local(utc_ms);
    snprintf(f->date_text, sizeof f->date_text, "%d年%d月%d日 %s", t.date.year, t.date.month,
             t.date.day, weekdays[kiosk_date_weekday(t.date)]);
    snprintf(f->time_text, sizeof f->time_text, "%02d:%02d", t.minute_of_day / 60,
             t.minute_of_day % 60);
}
