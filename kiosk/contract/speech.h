/* speech.h - how numbers and amounts of money are spoken as a sequence of voice clips (digits and
 * units). The words of each flow (its prompts) are in that flow's words table; every clip is a
 * file assets/voice/<name>.wav. Pure C: the UI (ui/voice.c) owns the sound. */
#ifndef KIOSK_SPEECH_H
#define KIOSK_SPEECH_H

#include <stddef.h>
#include <stdint.h>

/* The clips numbers are made of, as (ENUM_SUFFIX, "file name"); tests/unit/test_speech.c checks
 * that each one exists in assets/voice. */
#define KIOSK_SPEECH_CLIP_MAP(X) \
    X(D0, "d0")                  \
    X(D1, "d1")                  \
    X(D2, "d2")                  \
    X(D3, "d3")                  \
    X(D4, "d4")                  \
    X(D5, "d5")                  \
    X(D6, "d6")                  \
    X(D7, "d7")                  \
    X(D8, "d8")                  \
    X(D9, "d9")                  \
    X(LIANG, "liang")            \
    X(SHI, "shi")                \
    X(BAI, "bai")                \
    X(QIAN, "qian")              \
    X(WAN, "wan")                \
    X(YUAN, "yuan")              \
    X(JIAO, "jiao")              \
    X(FEN, "fen")                \
    X(DIAN, "dian")              \
    X(ZHENG, "zheng")

/* KIOSK_CLIP_D0 etc.: index into kiosk_speech_all_clips. */
typedef enum kiosk_clip {
#define KIOSK_CLIP_ENUM(id, name) KIOSK_CLIP_##id,
    KIOSK_SPEECH_CLIP_MAP(KIOSK_CLIP_ENUM)
#undef KIOSK_CLIP_ENUM
        KIOSK_CLIP_COUNT
} kiosk_clip;

/* The clip names in KIOSK_SPEECH_CLIP_MAP order, KIOSK_CLIP_COUNT of them, static storage. */
extern const char *const kiosk_speech_all_clips[KIOSK_CLIP_COUNT];

/* kiosk_speech_clip_name: the file name of clip id ("meal_ok"), or NULL when id is out of range.
 * Static storage; any thread. */
const char *kiosk_speech_clip_name(kiosk_clip id);

/* The largest amount kiosk_speech_amount speaks: 99 999 999.99 yuan. The clips stop at 万, and a
 * canteen never charges 一亿元; a larger amount is a bug upstream, not something to read out. */
#define KIOSK_SPEECH_MAX_FEN INT64_C(9999999999)

/* Clips needed for the longest amount, 九千九百九十九万九千九百九十九元九角九分 (20 clips). */
#define KIOSK_SPEECH_AMOUNT_MAX_CLIPS 20

/* kiosk_speech_amount: writes to clips[] the clip names that speak fen (1/100 yuan) the way a
 * cashier says it, and returns how many it wrote. Examples: 1500 -> 十五元 (shi d5 yuan),
 * 1250 -> 十二元五角, 50 -> 五角, 5 -> 五分, 0 -> 零元, 10500 -> 一百零五元, 1001 -> 十元零一分,
 * 1234567 -> 一万二千三百四十五元六角七分.
 * Rules: zeros inside a number are one 零 and trailing zeros are silent; 一十 loses its 一 only
 * when 十 is the first digit (十五元 but 一百一十五元); 2 is 两 when it leads the yuan amount in
 * front of a unit other than 十 (两元, 两百五十元, 两千元, 两万元; but 二十元, 十二元, 一万二千元),
 * always before 角 (两角, 十二元两角), and before 分 only when nothing precedes it (两分 but
 * 十元零二分).
 * All or nothing: when the amount needs more than max_clips clips, or fen exceeds
 * KIOSK_SPEECH_MAX_FEN, nothing is written and 0 is returned, because a cut or clamped number
 * would tell the user a wrong price. Negative fen is spoken as 零元. A buffer of
 * KIOSK_SPEECH_AMOUNT_MAX_CLIPS always suffices. The names are static storage (elements of
 * kiosk_speech_all_clips). Pure function; any thread. */
size_t kiosk_speech_amount(int64_t fen, const char **clips, size_t max_clips);

#endif
