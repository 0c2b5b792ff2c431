/* view.c - the parts of a view every screen shares. */
#include "view.h"

#include <stdio.h>

#include "clock.h"

void kiosk_view_set_clock(kiosk_view *v, int64_t utc_ms)
{
    static const char *const weekdays[] = {"星期一", "星期二", "星期三", "星期四",
                                           "星期五", "星期六", "星期日"};
    kiosk_local_time t = kiosk_clock_local(utc_ms);
    snprintf(v->date_text, sizeof v->date_text, "%d年%d月%d日 %s", t.date.year, t.date.month,
             t.date.day, weekdays[kiosk_date_weekday(t.date)]);
    snprintf(v->time_text, sizeof v->time_text, "%02d:%02d", t.minute_of_day / 60,
             t.minute_of_day % 60);
}
