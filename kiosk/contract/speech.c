/* speech.c - clip names and the Mandarin reading of amounts of money (see speech.h). */
#include "speech.h"

#include <stdbool.h>

const char *const kiosk_speech_all_clips[KIOSK_CLIP_COUNT] = {
#define KIOSK_CLIP_NAME(id, name) name,
    KIOSK_SPEECH_CLIP_MAP(KIOSK_CLIP_NAME)
#undef KIOSK_CLIP_NAME
};

const char *kiosk_speech_clip_name(kiosk_clip id)
{
    if ((unsigned)id >= KIOSK_CLIP_COUNT)
        return NULL;
    return kiosk_speech_all_clips[id];
}

/* The clips being built; capacity is the worst case, so appending never checks bounds. */
typedef struct speech_buf {
    const char *clip[KIOSK_SPEECH_AMOUNT_MAX_CLIPS];
    size_t n;
} speech_buf;

static void put(speech_buf *b, kiosk_clip id)
{
    b->clip[b->n++] = kiosk_speech_all_clips[id];
}

static void put_digit(speech_buf *b, int digit, bool as_liang)
{
    if (digit == 2 && as_liang)
        put(b, KIOSK_CLIP_LIANG);
    else
        put(b, (kiosk_clip)(KIOSK_CLIP_D0 + digit));
}

/* Speaks a group of up to four digits (0 < group < 10000), 千 百 十 and units. leading says the
 * group begins the whole number, which is where 十 drops its 一 and a first 2 becomes 两. */
static void put_group(speech_buf *b, int group, bool leading)
{
    /* unit[0] is never used: the units digit has no unit word. */
    static const kiosk_clip unit[4] = {KIOSK_CLIP_D0, KIOSK_CLIP_SHI, KIOSK_CLIP_BAI,
                                       KIOSK_CLIP_QIAN};
    static const int scale[4] = {1, 10, 100, 1000};
    bool started = false, pending_zero = false;

    for (int pos = 3; pos >= 0; pos--) {
        int digit = group / scale[pos] % 10;
        if (digit == 0) {
            /* Zeros between digits collapse into one 零; zeros at the end are not spoken. */
            if (started)
                pending_zero = true;
            continue;
        }
        if (pending_zero)
            put(b, KIOSK_CLIP_D0);
        pending_zero = false;
        bool first = leading && !started;
        if (!(first && pos == 1 && digit == 1))
            put_digit(b, digit, first && pos != 1);
        if (pos > 0)
            put(b, unit[pos]);
        started = true;
    }
}

size_t kiosk_speech_amount(int64_t fen, const char **clips, size_t max_clips)
{
    if (fen < 0)
        fen = 0;
    if (fen > KIOSK_SPEECH_MAX_FEN)
        return 0;

    speech_buf b = {.n = 0};
    int64_t yuan = fen / 100;
    int jiao = (int)(fen / 10 % 10);
    int cents = (int)(fen % 10);

    if (yuan > 0) {
        int high = (int)(yuan / 10000), low = (int)(yuan % 10000);
        if (high > 0) {
            put_group(&b, high, true);
            put(&b, KIOSK_CLIP_WAN);
            /* 一万零五百: a gap in the thousands is spoken as 零 across the 万 boundary. */
            if (low > 0 && low < 1000)
                put(&b, KIOSK_CLIP_D0);
        }
        if (low > 0)
            put_group(&b, low, high == 0);
        put(&b, KIOSK_CLIP_YUAN);
    }
    if (jiao > 0) {
        put_digit(&b, jiao, true);
        put(&b, KIOSK_CLIP_JIAO);
    } else if (cents > 0 && yuan > 0) {
        put(&b, KIOSK_CLIP_D0);
    }
    if (cents > 0) {
        put_digit(&b, cents, b.n == 0);
        put(&b, KIOSK_CLIP_FEN);
    }
    if (b.n == 0) {
        put(&b, KIOSK_CLIP_D0);
        put(&b, KIOSK_CLIP_YUAN);
    }

    if (b.n > max_clips)
        return 0;
    for (size_t i = 0; i < b.n; i++)
        clips[i] = b.clip[i];
    return b.n;
}
