/* test_text.c - every string literal the kiosk can show is covered by the bundled font (no
 * missing-glyph boxes), rare name characters fall back to a system CJK face through
 * fontconfig, long text wraps or shrinks to fit, and repeated text comes from the cache. */
#define _POSIX_C_SOURCE 200809L
#include <SDL.h>
#include <SDL_ttf.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "text.h"

static ui_text *text;
static int literals_checked;

/* Checks the non-ASCII string literals of one C file (comments and char literals skipped). */
static void check_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return;
    static char src[1 << 20];
    size_t n = fread(src, 1, sizeof src - 1, f);
    fclose(f);
    src[n] = '\0';
    char lit[2048];
    for (size_t i = 0; i < n; i++) {
        if (src[i] == '/' && src[i + 1] == '/') {
            while (i < n && src[i] != '\n')
                i++;
        } else if (src[i] == '/' && src[i + 1] == '*') {
            i += 2;
            while (i + 1 < n && !(src[i] == '*' && src[i + 1] == '/'))
                i++;
            i++;
        } else if (src[i] == '\'') {
            i++;
            while (i < n && src[i] != '\'') {
                if (src[i] == '\\')
                    i++;
                i++;
            }
        } else if (src[i] == '"') {
            size_t len = 0;
            bool non_ascii = false;
            i++;
            while (i < n && src[i] != '"') {
                if (src[i] == '\\')
                    i++;
                else if (len < sizeof lit - 1) {
                    non_ascii |= (unsigned char)src[i] >= 0x80;
                    lit[len++] = src[i];
                }
                i++;
            }
            lit[len] = '\0';
            if (!non_ascii)
                continue;
            literals_checked++;
            uint32_t missing = 0;
            bool ok = ui_text_bundled_covers(text, lit, &missing);
            if (!ok)
                fprintf(stderr, "%s: U+%04X of \"%s\" is not in the bundled font\n", path,
                        (unsigned)missing, lit);
            CHECK(ok);
        }
    }
}

static void check_dir(const char *root, const char *sub)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", root, sub);
    DIR *d = opendir(path);
    CHECK(d != NULL);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d))) {
        size_t len = strlen(e->d_name);
        if (len > 2 &&
            (strcmp(e->d_name + len - 2, ".c") == 0 || strcmp(e->d_name + len - 2, ".h") == 0)) {
            char file[1400];
            snprintf(file, sizeof file, "%s/%s", path, e->d_name);
            check_file(file);
        }
    }
    closedir(d);
}

int main(int argc, char **argv)
{
    if (argc < 2)
        return 2;
    CHECK(SDL_Init(SDL_INIT_VIDEO) == 0);
    CHECK(TTF_Init() == 0);
    SDL_Surface *target =
        SDL_CreateRGBSurfaceWithFormat(0, 1920, 1080, 32, SDL_PIXELFORMAT_ARGB8888);
    SDL_Renderer *r = SDL_CreateSoftwareRenderer(target);
    char font_dir[1024], err[256];
    snprintf(font_dir, sizeof font_dir, "%s/fonts", argv[1]);
    text = ui_text_new(r, font_dir, err, sizeof err);
    CHECK(text != NULL);
    if (!text) {
        fprintf(stderr, "%s\n", err);
        CHECK_DONE();
    }
    CHECK(ui_text_new(r, "/nonexistent", err, sizeof err) == NULL);
    CHECK(strstr(err, "cannot open font") != NULL);

    static const char *const dirs[] = {"kiosk",         "kiosk/contract", "kiosk/domain",
                                       "kiosk/store",   "kiosk/flows",    "ui",
                                       "drivers"};
    for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++)
        check_dir(argv[1], dirs[i]);
    CHECK(literals_checked > 40);
    uint32_t missing;
    CHECK(ui_text_bundled_covers(text, "¥0123456789.ABCxyz￥，。：", &missing));
    /* Common surnames and given-name characters of GB2312 level 1 are bundled. */
    CHECK(
        ui_text_bundled_covers(text,
                               "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾萧"
                               "田董潘袁蔡蒋余于杜叶程魏苏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦傅"
                               "方白邹孟熊秦邱江尹薛闫段雷侯龙史黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤",
                               &missing));

    /* Rare name characters of every CJK block up to Unicode 15 (extensions A to G, and the
     * compatibility ideographs): none may be a box. 𪚥 (U+2A6A5) is the one seen in the field. */
    static const char *const rare_chars[] = {
        "㐀", "䶵",             /* extension A */
        "𠀀", "𪚥", "𪛖",       /* B */
        "𪜀", "𫜴",             /* C */
        "𫝀", "𫠝",             /* D */
        "𫠠", "𬺡",             /* E */
        "𬺰", "𮯠",             /* F */
        "𰀀", "𱍊",             /* G */
        "丽", "𪘀",             /* compatibility supplement */
    };
    for (size_t i = 0; i < sizeof rare_chars / sizeof rare_chars[0]; i++) {
        unsigned long boxes = ui_text_missing_glyphs(text);
        ui_text_style big = {64, false, 0x111111, UI_ALIGN_LEFT, 0, 1};
        CHECK(ui_text_draw(text, rare_chars[i], &big, 10, 10) > 0);
        if (ui_text_missing_glyphs(text) != boxes)
            fprintf(stderr, "no font draws %s\n", rare_chars[i]);
        CHECK_INT(ui_text_missing_glyphs(text), boxes);
    }

    /* A rare character in a name: not bundled, drawn from a system face, not as a box. */
    const char *rare = "刘䶮";
    CHECK(!ui_text_bundled_covers(text, rare, &missing));
    ui_text_style st = {64, false, 0x111111, UI_ALIGN_LEFT, 0, 1};
    CHECK(ui_text_draw(text, rare, &st, 10, 10) > 0);
    CHECK(ui_text_fallback_glyphs(text) >= 1);
    CHECK_INT(ui_text_missing_glyphs(text), 0);

    /* A run of characters no font has (private use, plane 16) longer than the renderer's run
     * buffer: drawn as boxes and counted, never written past the buffer (ASan watches). */
    static char many[4 * 500 + 1];
    for (int i = 0; i < 500; i++)
        memcpy(many + 4 * i, "\xF4\x8F\xBF\xBD", 4); /* U+10FFFD */
    unsigned long before = ui_text_missing_glyphs(text);
    ui_text_style small = {24, false, 0x111111, UI_ALIGN_LEFT, 0, 1};
    ui_text_draw(text, many, &small, 0, 0);
    CHECK(ui_text_missing_glyphs(text) > before);

    /* Wrapping: a long sentence at 56 px in 600 px takes several lines; one line shrinks. */
    const char *sentence = "把助餐卡贴在下方读卡区，屏幕会显示补贴和应付金额";
    ui_text_style wrap = {56, false, 0x111111, UI_ALIGN_LEFT, 600, 3};
    int w, h;
    ui_text_measure(text, sentence, &wrap, &w, &h);
    CHECK(w <= 600);
    CHECK(h >= 2 * 56);
    ui_text_style one = {56, false, 0x111111, UI_ALIGN_LEFT, 600, 1};
    ui_text_measure(text, sentence, &one, &w, &h);
    CHECK(w <= 600 || h < 80); /* shrunk towards the width */
    CHECK(h < 2 * 56);

    /* The cache: drawing the same text again rasterises nothing. */
    unsigned long hits0, misses0, hits1, misses1;
    ui_text_cache_stats(text, &hits0, &misses0);
    for (int i = 0; i < 50; i++)
        ui_text_draw(text, "用餐成功", &st, 0, 0);
    ui_text_cache_stats(text, &hits1, &misses1);
    CHECK_INT(misses1 - misses0, 1);
    CHECK_INT(hits1 - hits0, 49);

    ui_text_free(text);
    SDL_DestroyRenderer(r);
    SDL_FreeSurface(target);
    TTF_Quit();
    SDL_Quit();
    CHECK_DONE();
}
