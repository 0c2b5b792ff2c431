/* text.c - fonts, fallback, wrapping and the texture cache. */
#define _POSIX_C_SOURCE 200809L
#include "text.h"

#include <SDL_ttf.h>
#include <fontconfig/fontconfig.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "utf8.h"

#define FONT_SLOTS     48
#define FALLBACK_MAX   4
#define MISSING_MEMO   32
#define CACHE_SIZE     192
#define MAX_CODEPOINTS 512
#define MAX_LINES      6
#define CACHE_TEXT_MAX 512

enum { FACE_REGULAR, FACE_BOLD, FACE_FALLBACK0 };

typedef struct font_slot {
    int face, size;
    uint64_t used;
    TTF_Font *font;
} font_slot;

typedef struct fallback_face {
    char path[512];
    int index;
    TTF_Font *probe; /* opened once at a small size to ask "do you have this glyph?" */
} fallback_face;

typedef struct cache_entry {
    uint64_t hash, used;
    char *text;
    int size_px, max_width, max_lines;
    bool bold;
    uint32_t rgb;
    SDL_Texture *texture;
    int w, h;
    int drawn_px; /* the size it was laid out at, after shrinking to fit */
    bool digits;  /* it has digits or Latin letters (ui_text_set_min_sizes) */
} cache_entry;

/* One laid-out code point. */
typedef struct glyph {
    uint32_t cp;
    int face; /* FACE_* or FACE_FALLBACK0 + i; -1 = no font has it */
    int advance;
    size_t byte_start, byte_len;
    bool hidden; /* a separator dropped at a line break (" · "): not drawn */
} glyph;

typedef struct layout {
    glyph glyphs[MAX_CODEPOINTS];
    size_t count;
    size_t line_start[MAX_LINES + 1];
    int line_width[MAX_LINES];
    size_t lines;
    int size_px, line_h, w;
} layout;

struct ui_text {
    SDL_Renderer *renderer;
    char paths[2][512];
    TTF_Font *probe; /* the bundled regular face, for coverage checks */
    font_slot slots[FONT_SLOTS];
    fallback_face fallbacks[FALLBACK_MAX];
    size_t fallback_count;
    uint32_t missing_memo[MISSING_MEMO]; /* code points no font has, so fontconfig is asked once */
    size_t missing_memo_count;
    cache_entry cache[CACHE_SIZE];
    uint64_t tick;
    unsigned long missing_glyphs, fallback_glyphs, hits, misses;
    layout scratch; /* the layout of the text being rasterised (large, so not on the stack) */
    /* Text never shrinks below these to fit, and is never drawn smaller: one size for text of
     * Chinese characters only, a larger one for text with digits or Latin letters, whose ink is
     * shorter for the same size (ui_text_ink_ratios). */
    int min_px, min_digit_px;
    unsigned long clipped; /* texts drawn clipped because they did not fit even at the minimum */
    int smallest_han, smallest_digit; /* the smallest sizes drawn since the last reset (0: none) */
};

ui_text *ui_text_new(SDL_Renderer *renderer, const char *font_dir, char *err, size_t err_size)
{
    ui_text *t = calloc(1, sizeof *t);
    if (!t) {
        snprintf(err, err_size, "out of memory");
        return NULL;
    }
    t->renderer = renderer;
    snprintf(t->paths[FACE_REGULAR], sizeof t->paths[0], "%s/NotoSansCJKsc-Kiosk-Regular.otf",
             font_dir);
    snprintf(t->paths[FACE_BOLD], sizeof t->paths[1], "%s/NotoSansCJKsc-Kiosk-Bold.otf", font_dir);
    for (int f = 0; f < 2; f++) {
        TTF_Font *font = TTF_OpenFont(t->paths[f], 24);
        if (!font) {
            snprintf(err, err_size, "cannot open font %s: %s", t->paths[f], TTF_GetError());
            ui_text_free(t);
            return NULL;
        }
        if (f == FACE_REGULAR)
            t->probe = font;
        else
            TTF_CloseFont(font);
    }
    return t;
}

void ui_text_free(ui_text *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < CACHE_SIZE; i++) {
        if (t->cache[i].texture)
            SDL_DestroyTexture(t->cache[i].texture);
        free(t->cache[i].text);
    }
    for (size_t i = 0; i < FONT_SLOTS; i++)
        if (t->slots[i].font)
            TTF_CloseFont(t->slots[i].font);
    for (size_t i = 0; i < t->fallback_count; i++)
        TTF_CloseFont(t->fallbacks[i].probe);
    if (t->probe)
        TTF_CloseFont(t->probe);
    free(t);
}

/* The font for a face at a size, opened on first use; the least recently used slot is reused. */
static TTF_Font *font_for(ui_text *t, int face, int size)
{
    font_slot *victim = &t->slots[0];
    for (size_t i = 0; i < FONT_SLOTS; i++) {
        font_slot *s = &t->slots[i];
        if (s->font && s->face == face && s->size == size) {
            s->used = ++t->tick;
            return s->font;
        }
        if (!s->font || (victim->font && s->used < victim->used))
            victim = s;
    }
    const char *path;
    int index = 0;
    if (face >= FACE_FALLBACK0) {
        path = t->fallbacks[face - FACE_FALLBACK0].path;
        index = t->fallbacks[face - FACE_FALLBACK0].index;
    } else {
        path = t->paths[face];
    }
    TTF_Font *font = TTF_OpenFontIndex(path, size, index);
    if (!font)
        return NULL;
    if (victim->font)
        TTF_CloseFont(victim->font);
    *victim = (font_slot){face, size, ++t->tick, font};
    return font;
}

static bool memo_missing(const ui_text *t, uint32_t cp)
{
    for (size_t i = 0; i < t->missing_memo_count; i++)
        if (t->missing_memo[i] == cp)
            return true;
    return false;
}

/* Opens face index of file as a fallback when it really has cp; the face number or -1. */
static int add_fallback(ui_text *t, const char *file, int index, uint32_t cp)
{
    TTF_Font *probe = TTF_OpenFontIndex(file, 16, index);
    if (!probe)
        return -1;
    if (!TTF_GlyphIsProvided32(probe, cp)) {
        TTF_CloseFont(probe);
        return -1;
    }
    fallback_face *fb = &t->fallbacks[t->fallback_count];
    snprintf(fb->path, sizeof fb->path, "%s", file);
    fb->index = index;
    fb->probe = probe;
    return FACE_FALLBACK0 + (int)t->fallback_count++;
}

/* Asks fontconfig for an installed face that has cp: the faces in order of preference for
 * Chinese sans-serif text, the first that holds the character (a rare name character of CJK
 * extensions B-G is often in BabelStone Han only, fonts-babelstone-han). */
static int fallback_for(ui_text *t, uint32_t cp)
{
    for (size_t i = 0; i < t->fallback_count; i++)
        if (TTF_GlyphIsProvided32(t->fallbacks[i].probe, cp))
            return FACE_FALLBACK0 + (int)i;
    if (memo_missing(t, cp) || t->fallback_count == FALLBACK_MAX)
        return -1;
    int face = -1;
    FcPattern *pat = FcNameParse((const FcChar8 *)"sans-serif:lang=zh-cn");
    FcCharSet *cs = FcCharSetCreate();
    if (pat && cs && FcCharSetAddChar(cs, cp) && FcPatternAddCharSet(pat, FC_CHARSET, cs)) {
        FcConfigSubstitute(NULL, pat, FcMatchPattern);
        FcDefaultSubstitute(pat);
        FcResult result;
        FcFontSet *sorted = FcFontSort(NULL, pat, FcFalse, NULL, &result);
        for (int i = 0; sorted && i < sorted->nfont && face < 0; i++) {
            FcChar8 *file = NULL;
            FcCharSet *have = NULL;
            int index = 0;
            if (FcPatternGetString(sorted->fonts[i], FC_FILE, 0, &file) != FcResultMatch ||
                FcPatternGetCharSet(sorted->fonts[i], FC_CHARSET, 0, &have) != FcResultMatch ||
                !FcCharSetHasChar(have, cp))
                continue;
            FcPatternGetInteger(sorted->fonts[i], FC_INDEX, 0, &index);
            face = add_fallback(t, (const char *)file, index, cp);
        }
        if (sorted)
            FcFontSetDestroy(sorted);
    }
    if (cs)
        FcCharSetDestroy(cs);
    if (pat)
        FcPatternDestroy(pat);
    if (face < 0 && t->missing_memo_count < MISSING_MEMO)
        t->missing_memo[t->missing_memo_count++] = cp;
    return face;
}

static int face_of(ui_text *t, uint32_t cp, bool bold)
{
    if (cp < 0x20 || TTF_GlyphIsProvided32(t->probe, cp))
        return bold ? FACE_BOLD : FACE_REGULAR;
    return fallback_for(t, cp);
}

static bool is_space(uint32_t cp)
{
    return cp == ' ' || cp == 0x3000;
}

/* The width of glyphs [from, to) of a layout, newlines not counted. */
static int span_width(const layout *L, size_t from, size_t to)
{
    int w = 0;
    for (size_t i = from; i < to; i++)
        if (L->glyphs[i].cp != '\n' && !L->glyphs[i].hidden)
            w += L->glyphs[i].advance;
    return w;
}

/* Closing punctuation that must not begin a line (避头): it goes with the character before. */
static bool closes(uint32_t cp)
{
    static const uint32_t list[] = {0xFF0C, 0x3002, 0x3001, 0xFF1B, 0xFF1A, 0xFF01, 0xFF1F,
                                    0xFF09, 0x300B, 0x300D, 0x300F, 0x201D, 0x2019, ',',
                                    '.',    ';',    ':',    '!',    '?',    ')'};
    for (size_t i = 0; i < sizeof list / sizeof list[0]; i++)
        if (cp == list[i])
            return true;
    return false;
}

/* Moves the start of line k one glyph back (that glyph goes down to line k) when the lines stay
 * within max_width; returns whether it moved. */
static bool pull_down(layout *L, size_t k, int max_width)
{
    size_t start = L->line_start[k], prev = L->line_start[k - 1];
    if (start < prev + 2 || L->glyphs[start - 1].cp == '\n')
        return false;
    int w = span_width(L, start - 1, L->line_start[k + 1]);
    if (max_width > 0 && w > max_width)
        return false;
    L->line_start[k] = start - 1;
    L->line_width[k] = w;
    L->line_width[k - 1] = span_width(L, prev, start - 1);
    return true;
}

/* Chinese line-breaking niceties on a laid-out text: no line begins with closing punctuation,
 * and the last line is never one lone character (a widow such as "款" on its own). */
static void polish_breaks(layout *L, int max_width)
{
    for (size_t k = 1; k < L->lines; k++)
        if (closes(L->glyphs[L->line_start[k]].cp))
            pull_down(L, k, max_width);
    size_t last = L->lines - 1;
    if (L->lines >= 2 && L->line_start[last + 1] - L->line_start[last] == 1)
        pull_down(L, last, max_width);
    L->w = 0;
    for (size_t k = 0; k < L->lines; k++)
        if (L->line_width[k] > L->w)
            L->w = L->line_width[k];
}

static void lay_out(ui_text *t, const char *utf8, const ui_text_style *st, int size, layout *L)
{
    L->count = 0;
    L->size_px = size;
    TTF_Font *base = font_for(t, st->bold ? FACE_BOLD : FACE_REGULAR, size);
    L->line_h = base ? TTF_FontLineSkip(base) : size;
    size_t pos = 0, total = strlen(utf8);
    while (pos < total && L->count < MAX_CODEPOINTS) {
        size_t len;
        uint32_t cp = kiosk_utf8_next(utf8 + pos, total - pos, &len);
        glyph *g = &L->glyphs[L->count++];
        g->cp = cp;
        g->byte_start = pos;
        g->byte_len = len;
        g->face = face_of(t, cp, st->bold);
        g->hidden = false;
        TTF_Font *f = font_for(t, g->face < 0 ? FACE_REGULAR : g->face, size);
        int adv = 0;
        if (!f || TTF_GlyphMetrics32(f, g->face < 0 ? 0xFFFD : cp, NULL, NULL, NULL, NULL, &adv))
            adv = size / 2;
        g->advance = adv;
        pos += len;
    }
    /* Greedy line breaking: CJK may break between any two characters; Latin text, and a space
     * near the end of a CJK line (a title's " · "), is broken at the last space. A line does not
     * begin with spaces, nor with the middle dot of a " · " separator, which disappears at the
     * break. */
    L->lines = 0;
    L->w = 0;
    size_t i = 0;
    while (i < L->count && L->lines < MAX_LINES) {
        if (L->lines > 0) {
            size_t k = i;
            while (k < L->count && is_space(L->glyphs[k].cp))
                k++;
            if (k < L->count && L->glyphs[k].cp == 0x00B7)
                for (k++; k < L->count && is_space(L->glyphs[k].cp); k++)
                    ;
            for (; i < k; i++)
                L->glyphs[i].hidden = true;
        }
        size_t start = i, last_space = 0;
        int width = 0;
        while (i < L->count) {
            if (L->glyphs[i].cp == '\n') {
                i++;
                break;
            }
            int adv = L->glyphs[i].advance;
            if (st->max_width > 0 && st->max_lines > 1 && width + adv > st->max_width &&
                i > start) {
                if (last_space > start && (L->glyphs[i].cp < 0x2E80 || i - last_space <= 8)) {
                    i = last_space + 1;
                    /* A " · " separator ending the line goes too. */
                    size_t end = last_space;
                    while (end > start && (is_space(L->glyphs[end - 1].cp) ||
                                           L->glyphs[end - 1].cp == 0x00B7))
                        end--;
                    for (size_t k = end; k < i; k++)
                        L->glyphs[k].hidden = true;
                    width = 0;
                    for (size_t k = start; k < end; k++)
                        width += L->glyphs[k].advance;
                }
                break;
            }
            if (is_space(L->glyphs[i].cp))
                last_space = i;
            width += adv;
            i++;
        }
        L->line_start[L->lines] = start;
        L->line_width[L->lines] = width;
        if (width > L->w)
            L->w = width;
        L->lines++;
    }
    L->line_start[L->lines] = i;
    if (st->max_lines > 1 && L->lines > 1)
        polish_breaks(L, st->max_width);
}

static bool fits(const layout *L, const ui_text_style *st, size_t glyph_total)
{
    if (st->max_width <= 0)
        return true;
    size_t allowed = st->max_lines > 1 ? (size_t)st->max_lines : 1;
    return L->w <= st->max_width && L->lines <= allowed && L->line_start[L->lines] >= glyph_total;
}

/* Whether text has an ASCII digit or letter (or a currency sign), whose glyphs are shorter than
 * a Chinese character's at the same size. */
static bool has_digits_or_latin(const char *utf8)
{
    for (const unsigned char *s = (const unsigned char *)utf8; *s; s++)
        if ((*s >= '0' && *s <= '9') || ((*s | 0x20) >= 'a' && (*s | 0x20) <= 'z'))
            return true;
    return false;
}

/* Lays text out at the style's size, shrinking in 8 % steps (to 55 %) until it fits. */
static void lay_out_fitting(ui_text *t, const char *utf8, const ui_text_style *st, layout *L)
{
    size_t total = 0;
    for (const unsigned char *s = (const unsigned char *)utf8; *s; s++)
        total += (*s & 0xC0) != 0x80;
    if (total > MAX_CODEPOINTS)
        total = MAX_CODEPOINTS;
    /* Shrink in 8 % steps to 55 % of the size asked for, but never below the smallest size
     * that still reads (ui_text_set_min_sizes), nor start below it: past that, text wraps or is
     * clipped, which a layout test catches, rather than turning into small print. */
    bool digits = has_digits_or_latin(utf8);
    int min = digits ? t->min_digit_px : t->min_px;
    int size = st->size_px > min ? st->size_px : min;
    int floor = size * 55 / 100 > min ? size * 55 / 100 : min;
    for (;;) {
        lay_out(t, utf8, st, size, L);
        int next = size * 92 / 100;
        if (fits(L, st, total) || next < floor)
            break;
        size = next;
    }
}

static SDL_Surface *render_layout(ui_text *t, const char *utf8, const ui_text_style *st,
                                  const layout *L)
{
    int width = L->w > 0 ? L->w : 1;
    int height = L->line_h * (int)(L->lines ? L->lines : 1);
    SDL_Surface *out =
        SDL_CreateRGBSurfaceWithFormat(0, width, height, 32, SDL_PIXELFORMAT_ARGB8888);
    if (!out)
        return NULL;
    SDL_FillRect(out, NULL, 0);
    SDL_Color color = {(st->rgb >> 16) & 0xFF, (st->rgb >> 8) & 0xFF, st->rgb & 0xFF, 0xFF};
    TTF_Font *base = font_for(t, st->bold ? FACE_BOLD : FACE_REGULAR, L->size_px);
    int base_ascent = base ? TTF_FontAscent(base) : L->size_px;
    char run[CACHE_TEXT_MAX * 2];
    for (size_t line = 0; line < L->lines; line++) {
        int x = 0;
        int y = (int)line * L->line_h;
        size_t i = L->line_start[line], end = L->line_start[line + 1];
        while (i < end) {
            int face = L->glyphs[i].face;
            size_t n = 0;
            int run_w = 0;
            size_t j = i;
            for (; j < end && L->glyphs[j].face == face; j++) {
                const glyph *g = &L->glyphs[j];
                if (g->cp == '\n' || g->hidden)
                    continue;
                if (face < 0) {
                    if (n + 3 >= sizeof run)
                        break;
                    memcpy(run + n, "\xEF\xBF\xBD", 3); /* shows as the font's missing box */
                    n += 3;
                    t->missing_glyphs++;
                } else {
                    if (n + g->byte_len >= sizeof run)
                        break;
                    memcpy(run + n, utf8 + g->byte_start, g->byte_len);
                    n += g->byte_len;
                    if (face >= FACE_FALLBACK0)
                        t->fallback_glyphs++;
                }
                run_w += g->advance;
            }
            run[n] = '\0';
            TTF_Font *f = font_for(t, face < 0 ? FACE_REGULAR : face, L->size_px);
            if (n && f) {
                SDL_Surface *s = TTF_RenderUTF8_Blended(f, run, color);
                if (s) {
                    SDL_SetSurfaceBlendMode(s, SDL_BLENDMODE_NONE);
                    SDL_Rect dst = {x, y + base_ascent - TTF_FontAscent(f), s->w, s->h};
                    SDL_BlitSurface(s, NULL, out, &dst);
                    SDL_FreeSurface(s);
                }
            }
            x += run_w;
            i = j > i ? j : i + 1;
        }
    }
    return out;
}

static uint64_t style_hash(const char *utf8, const ui_text_style *st)
{
    uint64_t h = 1469598103934665603ULL;
    for (const unsigned char *s = (const unsigned char *)utf8; *s; s++)
        h = (h ^ *s) * 1099511628211ULL;
    uint64_t params[] = {(uint64_t)st->size_px, st->bold, st->rgb, (uint64_t)st->max_width,
                         (uint64_t)st->max_lines};
    for (size_t i = 0; i < sizeof params / sizeof params[0]; i++)
        h = (h ^ params[i]) * 1099511628211ULL;
    return h;
}

static cache_entry *cached(ui_text *t, const char *utf8, const ui_text_style *st)
{
    uint64_t h = style_hash(utf8, st);
    cache_entry *victim = &t->cache[0];
    for (size_t i = 0; i < CACHE_SIZE; i++) {
        cache_entry *e = &t->cache[i];
        if (e->texture && e->hash == h && e->size_px == st->size_px && e->bold == st->bold &&
            e->rgb == st->rgb && e->max_width == st->max_width && e->max_lines == st->max_lines &&
            strcmp(e->text, utf8) == 0) {
            e->used = ++t->tick;
            t->hits++;
            return e;
        }
        if (!e->texture || (victim->texture && e->used < victim->used))
            victim = e;
    }
    t->misses++;
    lay_out_fitting(t, utf8, st, &t->scratch);
    SDL_Surface *surface = render_layout(t, utf8, st, &t->scratch);
    if (!surface)
        return NULL;
    SDL_Texture *texture = SDL_CreateTextureFromSurface(t->renderer, surface);
    int w = surface->w, hgt = surface->h;
    SDL_FreeSurface(surface);
    char *copy = strdup(utf8);
    if (!texture || !copy) {
        if (texture)
            SDL_DestroyTexture(texture);
        free(copy);
        return NULL;
    }
    if (victim->texture)
        SDL_DestroyTexture(victim->texture);
    free(victim->text);
    *victim = (cache_entry){h,
                            ++t->tick,
                            copy,
                            st->size_px,
                            st->max_width,
                            st->max_lines,
                            st->bold,
                            st->rgb,
                            texture,
                            w,
                            hgt,
                            t->scratch.size_px,
                            has_digits_or_latin(utf8)};
    return victim;
}

int ui_text_draw(ui_text *t, const char *utf8, const ui_text_style *style, int x, int y)
{
    if (!utf8 || !*utf8)
        return 0;
    cache_entry *e = cached(t, utf8, style);
    if (!e)
        return 0;
    /* Text that still does not fit after shrinking is clipped to its box rather than drawn
     * over its neighbours; layouts are checked so this stays a last resort. */
    int w = style->max_width > 0 && e->w > style->max_width ? style->max_width : e->w;
    if (w < e->w)
        t->clipped++;
    SDL_Rect src = {0, 0, w, e->h};
    SDL_Rect dst = {x, y, w, e->h};
    if (style->align == UI_ALIGN_CENTER)
        dst.x = x - w / 2;
    else if (style->align == UI_ALIGN_RIGHT)
        dst.x = x - w;
    SDL_RenderCopy(t->renderer, e->texture, &src, &dst);
    int *smallest = e->digits ? &t->smallest_digit : &t->smallest_han;
    if (*smallest == 0 || e->drawn_px < *smallest)
        *smallest = e->drawn_px;
    return e->h;
}

int ui_text_drawn_size(ui_text *t, const char *utf8, const ui_text_style *style)
{
    cache_entry *e = utf8 && *utf8 ? cached(t, utf8, style) : NULL;
    return e ? e->drawn_px : 0;
}

void ui_text_measure(ui_text *t, const char *utf8, const ui_text_style *style, int *w, int *h)
{
    *w = *h = 0;
    if (!utf8 || !*utf8)
        return;
    cache_entry *e = cached(t, utf8, style);
    if (e) {
        *w = e->w;
        *h = e->h;
    }
}

bool ui_text_bundled_covers(ui_text *t, const char *utf8, uint32_t *first_missing)
{
    size_t pos = 0, total = strlen(utf8);
    while (pos < total) {
        size_t len;
        uint32_t cp = kiosk_utf8_next(utf8 + pos, total - pos, &len);
        if (cp >= 0x20 && cp != '\n' && !TTF_GlyphIsProvided32(t->probe, cp)) {
            if (first_missing)
                *first_missing = cp;
            return false;
        }
        pos += len;
    }
    return true;
}

unsigned long ui_text_missing_glyphs(const ui_text *t)
{
    return t->missing_glyphs;
}

unsigned long ui_text_fallback_glyphs(const ui_text *t)
{
    return t->fallback_glyphs;
}

void ui_text_cache_stats(const ui_text *t, unsigned long *hits, unsigned long *misses)
{
    *hits = t->hits;
    *misses = t->misses;
}

void ui_text_set_min_sizes(ui_text *t, int han_px, int digit_px)
{
    t->min_px = han_px;
    t->min_digit_px = digit_px;
}

void ui_text_smallest(ui_text *t, int *han_px, int *digit_px, bool reset)
{
    *han_px = t->smallest_han;
    *digit_px = t->smallest_digit;
    if (reset)
        t->smallest_han = t->smallest_digit = 0;
}

/* The ink height of a glyph over the font size, from the bundled regular face's metrics. */
static double ink_ratio(ui_text *t, uint32_t cp)
{
    TTF_Font *f = font_for(t, FACE_REGULAR, 1000);
    int minx, maxx, miny, maxy, advance;
    if (!f || TTF_GlyphMetrics32(f, cp, &minx, &maxx, &miny, &maxy, &advance) != 0 || maxy <= miny)
        return 0;
    return (maxy - miny) / 1000.0;
}

void ui_text_ink_ratios(ui_text *t, double *han, double *digit)
{
    *han = ink_ratio(t, 0x56FD); /* 国: a full-height ideograph */
    *digit = ink_ratio(t, 'H');  /* a digit is as high as a capital, less its overshoot */
}

unsigned long ui_text_clipped(const ui_text *t)
{
    return t->clipped;
}
