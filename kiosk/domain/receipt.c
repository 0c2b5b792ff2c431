/* receipt.c - receipt layout in display columns. */
#define _POSIX_C_SOURCE 200809L /* strnlen */
#include "receipt.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "money.h"
#include "utf8.h"

/* Decodes one code point and moves *s past it (a stray byte counts as one narrow U+FFFD). */
static uint32_t next_code_point(const char **s)
{
    size_t len;
    uint32_t cp = kiosk_utf8_next(*s, strnlen(*s, 4), &len);
    *s += len;
    return cp;
}

/* East Asian Wide and Fullwidth ranges (UAX #11) that occur in names and our texts. */
static int columns_of(uint32_t cp)
{
    if ((cp >= 0x1100 && cp <= 0x115F) || (cp >= 0x2E80 && cp <= 0xA4CF && cp != 0x303F) ||
        (cp >= 0xAC00 && cp <= 0xD7A3) || (cp >= 0xF900 && cp <= 0xFAFF) ||
        (cp >= 0xFE30 && cp <= 0xFE4F) || (cp >= 0xFF00 && cp <= 0xFF60) ||
        (cp >= 0xFFE0 && cp <= 0xFFE6) || (cp >= 0x20000 && cp <= 0x3FFFD))
        return 2;
    return 1;
}

size_t kiosk_receipt_width(const char *utf8)
{
    size_t w = 0;
    while (*utf8)
        w += (size_t)columns_of(next_code_point(&utf8));
    return w;
}

typedef struct writer {
    char *out;
    size_t size, used;
    bool full;
} writer;

static void put(writer *w, const char *fmt, ...)
{
    if (w->full)
        return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(w->out + w->used, w->size - w->used, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= w->size - w->used) {
        w->full = true;
        w->out[w->used] = '\0'; /* what fitted so far */
        return;
    }
    w->used += (size_t)n;
}

static void spaces(writer *w, size_t n)
{
    for (size_t i = 0; i < n; i++)
        put(w, " ");
}

/* Text in pieces of at most `columns`, each centred (or left-aligned) on its own line. */
static void wrapped(writer *w, const char *text, size_t columns, bool centre)
{
    const char *s = text;
    while (*s) {
        const char *start = s, *end = s;
        size_t used = 0;
        while (*end) {
            const char *probe = end;
            int cw = columns_of(next_code_point(&probe));
            if (used + (size_t)cw > columns)
                break;
            used += (size_t)cw;
            end = probe;
        }
        if (centre)
            spaces(w, (columns - used) / 2);
        put(w, "%.*s\n", (int)(end - start), start);
        s = end;
    }
}

/* "label          value": the value right-aligned; on its own line when both do not fit. */
static void pair(writer *w, const char *label, const char *value, size_t columns)
{
    size_t lw = kiosk_receipt_width(label), vw = kiosk_receipt_width(value);
    if (lw + 1 + vw > columns) {
        put(w, "%s\n", label);
        if (vw >= columns) {
            wrapped(w, value, columns, false);
            return;
        }
        spaces(w, columns - vw);
        put(w, "%s\n", value);
        return;
    }
    put(w, "%s", label);
    spaces(w, columns - lw - vw);
    put(w, "%s\n", value);
}

static void money_pair(writer *w, const char *label, int64_t fen, size_t columns)
{
    char text[32];
    kiosk_money_format(fen, text, sizeof text);
    pair(w, label, text, columns);
}

static void rule(writer *w, size_t columns)
{
    for (size_t i = 0; i < columns; i++)
        put(w, "-");
    put(w, "\n");
}

kiosk_rc kiosk_receipt_format(const kiosk_receipt *r, int columns, char *out, size_t size)
{
    if (size == 0)
        return KIOSK_ERR_TOO_BIG;
    out[0] = '\0';
    if (columns < 24 || columns > 200)
        return KIOSK_ERR_INVALID;
    size_t cols = (size_t)columns;
    writer w = {out, size, 0, false};
    wrapped(&w, r->site_name, cols, true);
    wrapped(&w, "助餐消费凭条", cols, true);
    rule(&w, cols);
    char when[32];
    snprintf(when, sizeof when, "%04d-%02d-%02d %02d:%02d", r->at.date.year, r->at.date.month,
             r->at.date.day, r->at.minute_of_day / 60, r->at.minute_of_day % 60);
    pair(&w, "时间", when, cols);
    pair(&w, "姓名", r->name_masked, cols);
    if (r->class_label && r->class_label[0])
        pair(&w, "类别", r->class_label, cols);
    pair(&w, "餐别", r->meal_label, cols);
    money_pair(&w, "餐费", r->price_fen, cols);
    money_pair(&w, "补贴", r->subsidy_fen, cols);
    money_pair(&w, "实付", r->pay_fen, cols);
    if (r->month_remaining_fen >= 0)
        money_pair(&w, "本月补贴余额", r->month_remaining_fen, cols);
    rule(&w, cols);
    pair(&w, "单号", r->record_id, cols);
    pair(&w, "终端", r->kiosk_id, cols);
    return w.full ? KIOSK_ERR_TOO_BIG : KIOSK_OK;
}
