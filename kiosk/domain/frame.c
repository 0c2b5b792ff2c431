/* frame.c - the date and time the app shows around every view. */
#include "frame.h"

#include <stdio.h>

#include "clock.h"
#include "i18n.h"

void kiosk_frame_set_clock(kiosk_frame *f, int64_t utc_ms)
{
    static const char *const weekdays[] = {N_("星期一"), N_("星期二"), N_("星期三"), N_("星期四"),
                                           N_("星期五"), N_("星期六"), N_("星期日")};
    kiosk_local_time t = kiosk_clock_local(utc_ms);
    snprintf(f->date_text, sizeof f->date_text, _("%1$d年%2$d月%3$d日 %4$s"), t.date.year,
             t.date.month, t.date.day, _(weekdays[kiosk_date_weekday(t.date)]));
    snprintf(f->time_text, sizeof f->time_text, "%02d:%02d", t.minute_of_day / 60,
             t.minute_of_day % 60);
}
