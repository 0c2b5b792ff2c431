/* test_speech.c - kiosk_speech_amount against hand-written readings, and the clip list against
 * the voice assets: every clip the core can name has a WAV. Usage: test_speech [assets/voice]
 * (without the directory the asset checks are skipped). */
#include "check.h"
#include "policy.h"
#include "canteen.h"
#include "canteen_words.h"
#include "flow.h"
#include "speech.h"

#include <stdbool.h>
#include <stdlib.h>

/* Joins the clips into "a b c" so a failure prints the whole reading. */
static const char *spoken(int64_t fen, char *buf, size_t size)
{
    const char *clips[KIOSK_SPEECH_AMOUNT_MAX_CLIPS];
    size_t n = kiosk_speech_amount(fen, clips, KIOSK_SPEECH_AMOUNT_MAX_CLIPS);
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        int w = snprintf(buf + used, size - used, "%s%s", i ? " " : "", clips[i]);
        if (w < 0 || (size_t)w >= size - used)
            break;
        used += (size_t)w;
    }
    return buf;
}

static void test_readings(void)
{
    static const struct {
        int64_t fen;
        const char *clips;
    } cases[] = {
        {0, "d0 yuan"},                       /* 零元 */
        {1, "d1 fen"},                        /* 一分 */
        {2, "liang fen"},                     /* 两分 */
        {5, "d5 fen"},                        /* 五分 */
        {10, "d1 jiao"},                      /* 一角 */
        {20, "liang jiao"},                   /* 两角 */
        {22, "liang jiao d2 fen"},            /* 两角二分 */
        {50, "d5 jiao"},                      /* 五角 */
        {55, "d5 jiao d5 fen"},               /* 五角五分 */
        {100, "d1 yuan"},                     /* 一元 */
        {200, "liang yuan"},                  /* 两元 */
        {205, "liang yuan d0 d5 fen"},        /* 两元零五分 */
        {250, "liang yuan d5 jiao"},          /* 两元五角 */
        {1000, "shi yuan"},                   /* 十元 */
        {1001, "shi yuan d0 d1 fen"},         /* 十元零一分 */
        {1002, "shi yuan d0 d2 fen"},         /* 十元零二分 */
        {1200, "shi d2 yuan"},                /* 十二元 */
        {1220, "shi d2 yuan liang jiao"},     /* 十二元两角 */
        {1250, "shi d2 yuan d5 jiao"},        /* 十二元五角 */
        {1500, "shi d5 yuan"},                /* 十五元 */
        {1555, "shi d5 yuan d5 jiao d5 fen"}, /* 十五元五角五分 */
        {2000, "d2 shi yuan"},                /* 二十元 */
        {2200, "d2 shi d2 yuan"},             /* 二十二元 */
        {10000, "d1 bai yuan"},               /* 一百元 */
        {10500, "d1 bai d0 d5 yuan"},         /* 一百零五元 */
        {11500, "d1 bai d1 shi d5 yuan"},     /* 一百一十五元 */
        {20000, "liang bai yuan"},            /* 两百元 */
        {25000, "liang bai d5 shi yuan"},     /* 两百五十元 */
        {22200, "liang bai d2 shi d2 yuan"},  /* 两百二十二元 */
        {100000, "d1 qian yuan"},             /* 一千元 */
        {100100, "d1 qian d0 d1 yuan"},       /* 一千零一元 */
        {101000, "d1 qian d0 d1 shi yuan"},   /* 一千零一十元 */
        {200000, "liang qian yuan"},          /* 两千元 */
        {1000000, "d1 wan yuan"},             /* 一万元 */
        {1001000, "d1 wan d0 d1 shi yuan"},   /* 一万零一十元 */
        {1050000, "d1 wan d0 d5 bai yuan"},   /* 一万零五百元 */
        /* 一万二千三百四十五元六角七分 */
        {1234567, "d1 wan d2 qian d3 bai d4 shi d5 yuan d6 jiao d7 fen"},
        {2000200, "liang wan d0 d2 yuan"},      /* 两万零二元 */
        {10000000, "shi wan yuan"},             /* 十万元 */
        {11000000, "shi d1 wan yuan"},          /* 十一万元 */
        {20000000, "d2 shi wan yuan"},          /* 二十万元 */
        {100000000, "d1 bai wan yuan"},         /* 一百万元 */
        {100000500, "d1 bai wan d0 d5 yuan"},   /* 一百万零五元 */
        {1001000000, "d1 qian d0 d1 wan yuan"}, /* 一千零一万元 */
        {9999999999, "d9 qian d9 bai d9 shi d9 wan d9 qian d9 bai d9 shi d9 yuan d9 jiao d9 fen"},
        {-5, "d0 yuan"}, /* never called; 零元 */
    };
    char buf[512];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        CHECK_STR(spoken(cases[i].fen, buf, sizeof buf), cases[i].clips);
}

static void test_limits(void)
{
    const char *clips[KIOSK_SPEECH_AMOUNT_MAX_CLIPS + 1];
    CHECK_INT(kiosk_speech_amount(KIOSK_SPEECH_MAX_FEN, clips, KIOSK_SPEECH_AMOUNT_MAX_CLIPS),
              KIOSK_SPEECH_AMOUNT_MAX_CLIPS);
    CHECK_INT(kiosk_speech_amount(KIOSK_SPEECH_MAX_FEN + 1, clips, 21), 0);
    CHECK_INT(kiosk_speech_amount(INT64_MAX, clips, 21), 0);

    /* All or nothing: 十五元 needs three clips, and two must leave the buffer untouched. */
    clips[0] = "untouched";
    CHECK_INT(kiosk_speech_amount(1500, clips, 2), 0);
    CHECK_STR(clips[0], "untouched");
    CHECK_INT(kiosk_speech_amount(1500, clips, 3), 3);
    CHECK_INT(kiosk_speech_amount(1500, NULL, 0), 0);

    /* Every amount up to 20 000 yuan fits the documented buffer and says something. */
    int64_t unspoken = 0;
    for (int64_t fen = 0; fen <= 2000000; fen++)
        if (kiosk_speech_amount(fen, clips, KIOSK_SPEECH_AMOUNT_MAX_CLIPS) == 0)
            unspoken++;
    CHECK_INT(unspoken, 0);
}

static bool in_clip_list(const char *name)
{
    for (size_t i = 0; i < KIOSK_CLIP_COUNT; i++)
        if (strcmp(kiosk_speech_all_clips[i], name) == 0)
            return true;
    return false;
}

static void test_clip_list(void)
{
    CHECK_STR(kiosk_speech_clip_name(KIOSK_CLIP_YUAN), "yuan");
    CHECK_STR(kiosk_speech_clip_name(KIOSK_CLIP_D0), "d0");
    CHECK(kiosk_speech_clip_name(KIOSK_CLIP_COUNT) == NULL);
    CHECK(kiosk_speech_clip_name((kiosk_clip)-1) == NULL);
    for (size_t i = 0; i < KIOSK_CLIP_COUNT; i++)
        for (size_t j = i + 1; j < KIOSK_CLIP_COUNT; j++)
            CHECK(strcmp(kiosk_speech_all_clips[i], kiosk_speech_all_clips[j]) != 0);

    /* Every refusal reason has its spoken prompt in the canteen's words, and the flow lists it
     * among its clips (which test_assets checks against the files). */
    for (int r = KIOSK_REASON_OK + 1; r < KIOSK_REASON_COUNT; r++) {
        const char *clip = canteen_reasons[r].clip;
        bool listed = false;
        for (size_t i = 0; clip && kiosk_canteen_flow.clips[i]; i++)
            listed = listed || strcmp(kiosk_canteen_flow.clips[i], clip) == 0;
        if (!listed)
            CHECK_STR(kiosk_reason_code((kiosk_reason)r), "(a reason with a listed clip)");
    }

    /* Every name an amount can produce is in the shared list (so it is checked below too). */
    static const int64_t samples[] = {
        0, 2, 22, 205, 1001, 1234567, 2000200, 9876543210, KIOSK_SPEECH_MAX_FEN};
    const char *clips[KIOSK_SPEECH_AMOUNT_MAX_CLIPS];
    for (size_t s = 0; s < sizeof samples / sizeof samples[0]; s++) {
        size_t n = kiosk_speech_amount(samples[s], clips, KIOSK_SPEECH_AMOUNT_MAX_CLIPS);
        for (size_t i = 0; i < n; i++)
            CHECK(in_clip_list(clips[i]));
    }
    for (int64_t fen = 0; fen < 300000; fen += 7) {
        size_t n = kiosk_speech_amount(fen * 997, clips, KIOSK_SPEECH_AMOUNT_MAX_CLIPS);
        for (size_t i = 0; i < n; i++)
            if (!in_clip_list(clips[i])) {
                CHECK_STR(clips[i], "(a name in kiosk_speech_all_clips)");
                return;
            }
    }
}

static bool file_exists(const char *dir, const char *name)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s.wav", dir, name);
    FILE *f = fopen(path, "rb");
    if (!f)
        return false;
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fclose(f);
    return size > 44; /* more than a bare WAV header */
}

/* Reads clips.tsv: every listed clip has its WAV; returns whether name is listed. */
static bool tsv_lists(const char *dir, const char *wanted, bool check_wavs)
{
    char path[1024], line[1024];
    snprintf(path, sizeof path, "%s/clips.tsv", dir);
    FILE *f = fopen(path, "r");
    CHECK(f != NULL);
    if (!f)
        return false;
    bool found = false;
    while (fgets(line, sizeof line, f)) {
        if (line[0] == '#' || line[0] == '\n' || line[0] == '\0')
            continue;
        line[strcspn(line, "\t\r\n")] = '\0';
        if (check_wavs && !file_exists(dir, line))
            CHECK_STR(line, "(a clip with a WAV file)");
        if (wanted && strcmp(line, wanted) == 0)
            found = true;
    }
    fclose(f);
    return found;
}

static void check_clip_file(const char *dir, const char *name)
{
    if (!tsv_lists(dir, name, false))
        CHECK_STR(name, "(a clip listed in clips.tsv)");
    if (!file_exists(dir, name))
        CHECK_STR(name, "(a clip with a WAV file)");
}

/* Every clip a number needs and every clip any registered flow may name has its file. */
static void test_assets(const char *dir)
{
    tsv_lists(dir, NULL, true);
    for (size_t i = 0; i < KIOSK_CLIP_COUNT; i++)
        check_clip_file(dir, kiosk_speech_all_clips[i]);
    size_t flows = 0;
    for (const kiosk_flow_ops *const *f = kiosk_flow_all(); *f; f++, flows++) {
        CHECK((*f)->clips != NULL);
        for (size_t i = 0; (*f)->clips && (*f)->clips[i]; i++)
            check_clip_file(dir, (*f)->clips[i]);
    }
    CHECK(flows >= 1);
}

int main(int argc, char **argv)
{
    test_readings();
    test_limits();
    test_clip_list();
    if (argc > 1)
        test_assets(argv[1]);
    else
        fprintf(stderr, "test_speech: no voice directory given, asset checks skipped\n");
    CHECK_DONE();
}
