/* test_mask.c - the UTF-8 validator (boundaries, and exhaustively against a second decoder
 * written differently) and the name mask (lengths, middle dots, truncation, bad input). */
#include <stdbool.h>
#include <stdint.h>

#include "check.h"
#include "mask.h"

#define VALID(lit) kiosk_utf8_valid(lit, sizeof(lit) - 1)

/* A reference decoder written from the definition: take the bit pattern, decode the code point,
 * then reject what is overlong, a surrogate or above U+10FFFF. */
static bool reference_valid(const unsigned char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        unsigned char c = s[i];
        size_t len;
        uint32_t cp;
        if (c < 0x80) {
            len = 1;
            cp = c;
        } else if ((c & 0xE0) == 0xC0) {
            len = 2;
            cp = c & 0x1F;
        } else if ((c & 0xF0) == 0xE0) {
            len = 3;
            cp = c & 0x0F;
        } else if ((c & 0xF8) == 0xF0) {
            len = 4;
            cp = c & 0x07;
        } else {
            return false;
        }
        if (i + len > n)
            return false;
        for (size_t k = 1; k < len; k++) {
            if ((s[i + k] & 0xC0) != 0x80)
                return false;
            cp = cp << 6 | (s[i + k] & 0x3F);
        }
        static const uint32_t min_for_len[5] = {0, 0, 0x80, 0x800, 0x10000};
        if (cp < min_for_len[len] || (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
            return false;
        i += len;
    }
    return true;
}

static void test_utf8_boundaries(void)
{
    CHECK(kiosk_utf8_valid(NULL, 0));
    CHECK(VALID(""));
    CHECK(VALID("plain ASCII"));
    CHECK(VALID("\x7f"));
    CHECK(VALID("\xc2\x80"));                  /* U+0080 */
    CHECK(!VALID("\xc0\x80"));                 /* overlong NUL */
    CHECK(!VALID("\xc1\xbf"));                 /* overlong U+007F */
    CHECK(VALID("\xdf\xbf"));                  /* U+07FF */
    CHECK(VALID("\xe0\xa0\x80"));              /* U+0800 */
    CHECK(!VALID("\xe0\x9f\xbf"));             /* overlong U+07FF */
    CHECK(VALID("\xed\x9f\xbf"));              /* U+D7FF */
    CHECK(!VALID("\xed\xa0\x80"));             /* U+D800, a surrogate */
    CHECK(!VALID("\xed\xbf\xbf"));             /* U+DFFF */
    CHECK(!VALID("\xed\xa0\xbd\xed\xb8\x80")); /* a CESU-8 surrogate pair */
    CHECK(VALID("\xee\x80\x80"));              /* U+E000 */
    CHECK(VALID("\xef\xbf\xbf"));              /* U+FFFF */
    CHECK(VALID("\xef\xbb\xbf"));              /* the BOM is a character like any other here */
    CHECK(VALID("\xf0\x90\x80\x80"));          /* U+10000 */
    CHECK(!VALID("\xf0\x8f\xbf\xbf"));         /* overlong U+FFFF */
    CHECK(VALID("\xf4\x8f\xbf\xbf"));          /* U+10FFFF */
    CHECK(!VALID("\xf4\x90\x80\x80"));         /* U+110000 */
    CHECK(!VALID("\xf5\x80\x80\x80"));
    CHECK(!VALID("\xf8\x88\x80\x80\x80")); /* 5-byte form */
    CHECK(!VALID("\xfe"));
    CHECK(!VALID("\xff"));
    CHECK(!VALID("\x80"));     /* a lone continuation byte */
    CHECK(!VALID("\xe5\xbc")); /* truncated 张 */
    CHECK(!VALID("a\xe5"));
    CHECK(!VALID("\xe5\x41\xa0")); /* ASCII where a continuation belongs */
    CHECK(VALID("\xe5\xbc\xa0"));  /* 张 */
    CHECK(VALID("a\0b"));          /* a NUL inside the length is U+0000 */
    /* The length decides, not the terminator: a sequence cut by n is invalid. */
    CHECK(!kiosk_utf8_valid("\xe5\xbc\xa0", 2));
    CHECK(kiosk_utf8_valid("\xe5\xbc\xa0\xff", 3));
}

static void test_utf8_exhaustive(void)
{
    unsigned char b[4];
    long mismatches = 0, valid2 = 0, valid3 = 0;
    for (int x = 0; x < 256; x++) {
        for (int y = 0; y < 256; y++) {
            b[0] = (unsigned char)x;
            b[1] = (unsigned char)y;
            bool got = kiosk_utf8_valid((const char *)b, 2);
            mismatches += got != reference_valid(b, 2);
            valid2 += got && x >= 0xC2;
            if (x < 0xE0 || x > 0xF4)
                continue;
            for (int z = 0; z < 256; z++) {
                b[2] = (unsigned char)z;
                got = kiosk_utf8_valid((const char *)b, 3);
                mismatches += got != reference_valid(b, 3);
                valid3 += got && x <= 0xEF;
                b[3] = 0x80 + (unsigned char)(z & 0x3F);
                if (x >= 0xF0)
                    mismatches += kiosk_utf8_valid((const char *)b, 4) != reference_valid(b, 4);
            }
        }
    }
    CHECK_INT(mismatches, 0);
    CHECK_INT(valid2, 0x800 - 0x80);            /* every 2-byte code point, once */
    CHECK_INT(valid3, 0x10000 - 0x800 - 0x800); /* every 3-byte one but the surrogates */
}

static void test_mask_lengths(void)
{
    char out[64];
    CHECK_INT(kiosk_mask_name("", out, sizeof out), KIOSK_OK);
    CHECK_STR(out, "");
    CHECK_INT(kiosk_mask_name("张", out, sizeof out), KIOSK_OK);
    CHECK_STR(out, "张");
    CHECK_INT(kiosk_mask_name("张三", out, sizeof out), KIOSK_OK);
    CHECK_STR(out, "张*");
    CHECK_INT(kiosk_mask_name("张小明", out, sizeof out), KIOSK_OK);
    CHECK_STR(out, "张*明");
    CHECK_INT(kiosk_mask_name("欧阳丽娜", out, sizeof out), KIOSK_OK);
    CHECK_STR(out, "欧**娜");
    CHECK_INT(kiosk_mask_name("阿卜杜·热合曼", out, sizeof out), KIOSK_OK);
    CHECK_STR(out, "阿*****曼");
    CHECK_INT(kiosk_mask_name("阿依古丽·买买提", out, sizeof out), KIOSK_OK);
    CHECK_STR(out, "阿******提");
    CHECK_INT(kiosk_mask_name("·张", out, sizeof out), KIOSK_OK);
    CHECK_STR(out, "·*");
    CHECK_INT(kiosk_mask_name("Li", out, sizeof out), KIOSK_OK);
    CHECK_STR(out, "L*");
    CHECK_INT(kiosk_mask_name("John Smith", out, sizeof out), KIOSK_OK);
    CHECK_STR(out, "J********h");
    /* Supplementary-plane characters (rare surname characters are there). */
    CHECK_INT(kiosk_mask_name("\xf0\xa0\x80\x80\xf0\xa0\x80\x81\xf0\xa0\x80\x82", out, sizeof out),
              KIOSK_OK);
    CHECK_STR(out, "\xf0\xa0\x80\x80*\xf0\xa0\x80\x82");
    CHECK_INT(kiosk_mask_name("王\xf0\xa0\x80\x81", out, sizeof out), KIOSK_OK);
    CHECK_STR(out, "王*");
}

static void test_mask_truncation(void)
{
    char out[16];
    /* "张*明" needs 3 + 1 + 3 + 1 = 8 bytes. */
    CHECK_INT(kiosk_mask_name("张小明", out, 8), KIOSK_OK);
    CHECK_STR(out, "张*明");
    CHECK_INT(kiosk_mask_name("张小明", out, 7), KIOSK_ERR_TOO_BIG);
    CHECK_STR(out, "张*");
    CHECK_INT(kiosk_mask_name("张小明", out, 5), KIOSK_ERR_TOO_BIG);
    CHECK_STR(out, "张*");
    CHECK_INT(kiosk_mask_name("张小明", out, 4), KIOSK_ERR_TOO_BIG);
    CHECK_STR(out, "张");
    CHECK_INT(kiosk_mask_name("张小明", out, 3), KIOSK_ERR_TOO_BIG);
    CHECK_STR(out, "");
    CHECK_INT(kiosk_mask_name("张", out, 3), KIOSK_ERR_TOO_BIG);
    CHECK_STR(out, "");
    CHECK_INT(kiosk_mask_name("张", out, 4), KIOSK_OK);
    CHECK_INT(kiosk_mask_name("\xf0\xa0\x80\x80\xf0\xa0\x80\x81", out, 5), KIOSK_ERR_TOO_BIG);
    CHECK_STR(out, "\xf0\xa0\x80\x80");
    CHECK_INT(kiosk_mask_name("\xf0\xa0\x80\x80\xf0\xa0\x80\x81", out, 4), KIOSK_ERR_TOO_BIG);
    CHECK_STR(out, "");
    /* Once the last character does not fit, no more stars sneak in after it. */
    CHECK_INT(kiosk_mask_name("欧阳丽娜", out, 6), KIOSK_ERR_TOO_BIG);
    CHECK_STR(out, "欧**");
    CHECK(kiosk_utf8_valid(out, strlen(out)));
    /* The documented bound: strlen + 1 bytes always fit. */
    const char *name = "阿卜杜·热合曼";
    char big[64];
    CHECK_INT(kiosk_mask_name(name, big, strlen(name) + 1), KIOSK_OK);
    CHECK_INT(kiosk_mask_name("ab", big, 3), KIOSK_OK);
    CHECK_STR(big, "a*");
}

static void test_mask_errors(void)
{
    char out[16] = "junk";
    const char *bad[] = {
        "\xff",     "张\xc0\xaf",       "\xe0\x80\xaf",        "\xed\xa0\x80", "\xf4\x90\x80\x80",
        "\xe5\xbc", "\x80\xe5\xbc\xa0", "张三\xf5\x80\x80\x80"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        strcpy(out, "junk");
        CHECK_INT(kiosk_mask_name(bad[i], out, sizeof out), KIOSK_ERR_PARSE);
        CHECK_STR(out, "");
    }
    CHECK_INT(kiosk_mask_name(NULL, out, sizeof out), KIOSK_ERR_INVALID);
    CHECK_INT(kiosk_mask_name("张三", NULL, 8), KIOSK_ERR_INVALID);
    CHECK_INT(kiosk_mask_name("张三", out, 0), KIOSK_ERR_INVALID);
}

int main(void)
{
    test_utf8_boundaries();
    test_utf8_exhaustive();
    test_mask_lengths();
    test_mask_truncation();
    test_mask_errors();
    CHECK_DONE();
}
