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

static void put(writer *w, const char *fmt, ...) KIOSK_PRINTF_LIKE(2, 3);

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

/* --- print documents ---------------------------------------------------------------------- */

size_t kiosk_receipt_print_width(const char *utf8)
{
    size_t w = 0;
    while (*utf8)
        w += next_code_point(&utf8) < 0x80 ? 1 : 2;
    return w;
}

/* Appends lines to a document; once one does not fit, nothing more is added. */
typedef struct doc_writer {
    kiosk_print_doc *doc;
    bool full;
} doc_writer;

static void doc_line(doc_writer *w, kiosk_print_style style, kiosk_print_align align,
                     const char *fmt, ...) KIOSK_PRINTF_LIKE(4, 5);

static void doc_line(doc_writer *w, kiosk_print_style style, kiosk_print_align align,
                     const char *fmt, ...)
{
    if (w->full || w->doc->line_count == KIOSK_PRINT_LINES) {
        w->full = true;
        return;
    }
    kiosk_print_line *l = &w->doc->lines[w->doc->line_count];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(l->text, sizeof l->text, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof l->text) {
        l->text[0] = '\0';
        w->full = true;
        return;
    }
    l->style = style;
    l->align = align;
    w->doc->line_count++;
}

/* Text in lines of at most `columns` printed columns, the way wrapped() cuts it. */
static void doc_wrapped(doc_writer *w, const char *text, size_t columns, kiosk_print_style style,
                        kiosk_print_align align)
{
    const char *s = text;
    while (*s) {
        const char *end = s;
        size_t used = 0;
        while (*end) {
            const char *probe = end;
            size_t cw = next_code_point(&probe) < 0x80 ? 1 : 2;
            if (used + cw > columns)
                break;
            used += cw;
            end = probe;
        }
        doc_line(w, style, align, "%.*s", (int)(end - s), s);
        s = end;
    }
}

/* "label          value" filling the line, like pair(); when both do not fit, the label on its
 * own line and the value right-aligned (or wrapped when wider than the paper) under it. */
static void doc_pair(doc_writer *w, const char *label, const char *value, size_t columns,
                     kiosk_print_style style)
{
    size_t lw = kiosk_receipt_print_width(label), vw = kiosk_receipt_print_width(value);
    if (lw + 1 + vw > columns) {
        doc_wrapped(w, label, columns, style, KIOSK_PRINT_LEFT);
        doc_wrapped(w, value, columns, style, vw >= columns ? KIOSK_PRINT_LEFT : KIOSK_PRINT_RIGHT);
        return;
    }
    doc_line(w, style, KIOSK_PRINT_LEFT, "%s%*s%s", label, (int)(columns - lw - vw), "", value);
}

static void doc_money_pair(doc_writer *w, const char *label, int64_t fen, size_t columns,
                           kiosk_print_style style)
{
    char text[32];
    kiosk_money_format(fen, text, sizeof text);
    doc_pair(w, label, text, columns, style);
}

static void doc_rule(doc_writer *w, size_t columns)
{
    char dashes[KIOSK_RECEIPT_PRINT_COLUMNS_MAX + 1];
    memset(dashes, '-', columns);
    dashes[columns] = '\0';
    doc_line(w, KIOSK_PRINT_NORMAL, KIOSK_PRINT_LEFT, "%s", dashes);
}

static void format_when(kiosk_local_time at, char when[32])
{
    snprintf(when, 32, "%04d-%02d-%02d %02d:%02d", at.date.year, at.date.month, at.date.day,
             at.minute_of_day / 60, at.minute_of_day % 60);
}

/* Starts an empty document for `columns`; false when the paper is not one a document fits. */
static bool doc_start(kiosk_print_doc *doc, int columns)
{
    memset(doc, 0, sizeof *doc);
    if (columns < 24 || columns > KIOSK_RECEIPT_PRINT_COLUMNS_MAX)
        return false;
    doc->columns = columns;
    return true;
}

/* Formats a piece of a line into out; a piece that does not fit fills the document. */
static void doc_join(doc_writer *w, char *out, size_t size, const char *fmt, ...)
    KIOSK_PRINTF_LIKE(4, 5);

static void doc_join(doc_writer *w, char *out, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(out, size, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= size)
        w->full = true;
}

static kiosk_rc doc_finish(doc_writer *w, const char *qr)
{
    int n = snprintf(w->doc->qr, sizeof w->doc->qr, "%s", qr ? qr : "");
    if (n < 0 || (size_t)n >= sizeof w->doc->qr) {
        w->doc->qr[0] = '\0';
        w->full = true;
    }
    return w->full ? KIOSK_ERR_TOO_BIG : KIOSK_OK;
}

kiosk_rc kiosk_receipt_format_doc(const kiosk_receipt *r, int columns, kiosk_print_doc *doc)
{
    if (!doc_start(doc, columns))
        return KIOSK_ERR_INVALID;
    size_t cols = (size_t)columns;
    doc_writer w = {doc, false};
    doc_wrapped(&w, r->site_name, cols, KIOSK_PRINT_NORMAL, KIOSK_PRINT_CENTER);
    doc_wrapped(&w, "助餐消费凭条", cols, KIOSK_PRINT_BOLD, KIOSK_PRINT_CENTER);
    doc_rule(&w, cols);
    char when[32];
    format_when(r->at, when);
    doc_pair(&w, "时间", when, cols, KIOSK_PRINT_NORMAL);
    doc_pair(&w, "姓名", r->name_masked, cols, KIOSK_PRINT_NORMAL);
    if (r->class_label && r->class_label[0])
        doc_pair(&w, "类别", r->class_label, cols, KIOSK_PRINT_NORMAL);
    doc_pair(&w, "餐别", r->meal_label, cols, KIOSK_PRINT_NORMAL);
    doc_money_pair(&w, "餐费", r->price_fen, cols, KIOSK_PRINT_NORMAL);
    doc_money_pair(&w, "补贴", r->subsidy_fen, cols, KIOSK_PRINT_NORMAL);
    /* Double width: half the columns hold the line. */
    doc_money_pair(&w, "实付", r->pay_fen, cols / 2, KIOSK_PRINT_BIG);
    if (r->month_remaining_fen >= 0)
        doc_money_pair(&w, "本月补贴余额", r->month_remaining_fen, cols, KIOSK_PRINT_NORMAL);
    doc_rule(&w, cols);
    doc_pair(&w, "终端", r->kiosk_id, cols, KIOSK_PRINT_NORMAL);
    return doc_finish(&w, r->record_id);
}

kiosk_rc kiosk_ticket_format_doc(const kiosk_ticket *t, int columns, kiosk_print_doc *doc)
{
    if (!doc_start(doc, columns))
        return KIOSK_ERR_INVALID;
    size_t cols = (size_t)columns;
    doc_writer w = {doc, false};
    doc_wrapped(&w, t->site_name, cols, KIOSK_PRINT_NORMAL, KIOSK_PRINT_CENTER);
    char text[4 * KIOSK_PRINT_LINE_MAX]; /* before wrapping */
    bool lane = t->lane && t->lane[0];
    doc_join(&w, text, sizeof text, "%s%s%s%s", t->service, lane ? "（" : "", lane ? t->lane : "",
             lane ? "）" : "");
    doc_wrapped(&w, text, cols, KIOSK_PRINT_BOLD, KIOSK_PRINT_CENTER);
    doc_wrapped(&w, t->number, cols / 2, KIOSK_PRINT_BIG, KIOSK_PRINT_CENTER);
    doc_rule(&w, cols);
    char when[32];
    format_when(t->at, when);
    doc_pair(&w, "时间", when, cols, KIOSK_PRINT_NORMAL);
    const char *a = t->name_masked[0] ? t->name_masked[0] : "";
    const char *b = t->name_masked[1] ? t->name_masked[1] : "";
    doc_join(&w, text, sizeof text, "%s%s%s", a, a[0] && b[0] ? "、" : "", b);
    doc_pair(&w, "当事人", text, cols, KIOSK_PRINT_NORMAL);
    doc_pair(&w, "地点", t->counter, cols, KIOSK_PRINT_NORMAL);
    if (t->flag && t->flag[0]) {
        doc_join(&w, text, sizeof text, "备注：%s", t->flag);
        doc_wrapped(&w, text, cols, KIOSK_PRINT_BOLD, KIOSK_PRINT_LEFT);
    }
    doc_rule(&w, cols);
    return doc_finish(&w, t->record_id);
}
