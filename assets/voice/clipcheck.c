/* clipcheck.c - measures the kiosk's voice clips the way a listener meets them, and checks them
 * against the rules for prompts heard by old people in a noisy room:
 *   - loudness -16 +/- 1 LUFS (EBU R 128 integrated loudness, libebur128), and no clip louder or
 *     softer than the median clip by more than 1 LU, so no prompt startles or disappears;
 *   - true peak <= -1 dBTP (4x oversampled), so no clip distorts on the device;
 *   - speech rate 2.5-3.2 Chinese characters per second for every prompt of 4 characters or more
 *     (characters counted in clips.tsv's text, punctuation left out; the clip's length is its
 *     sound, leading and trailing silence already trimmed). Clips of 1-3 characters (digits,
 *     units, meal names) are parts of longer phrases the kiosk assembles: they are held to the
 *     loudness and peak rules only.
 *
 *   clipcheck check DIR     every clip of DIR/clips.tsv: a line each, then the verdict (exit 1
 *                           on any violation; CTest runs this)
 *   clipcheck measure FILE  "LUFS TRUE_PEAK_DBTP SECONDS" of one WAV (make-voice.sh uses it to
 *                           set each clip's gain)
 *   clipcheck selftest DIR  proves the measure and the check: a 1 kHz tone of known level must
 *                           measure as EBU R 128 says, and clips that break each rule (too loud,
 *                           a peak too high, too fast) must fail the check (scratch files in DIR)
 *
 * WAV files: RIFF, PCM, 16-bit, mono or stereo, any rate (make-voice.sh writes 22050 Hz mono). */
#define _DEFAULT_SOURCE /* M_PI */
#include <ebur128.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TARGET_LUFS    -16.0
#define LUFS_TOLERANCE 1.0
#define SPREAD_LU      1.0
#define PEAK_MAX_DBTP  -1.0
#define RATE_MIN       2.5
#define RATE_MAX       3.2
#define RATE_MIN_CHARS 4
#define CLIPS_MAX      256
#define SHORT_CLIP_S   1.0

typedef struct wav {
    int16_t *samples; /* interleaved */
    size_t frames;
    unsigned channels, rate;
} wav;

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint16_t le16(const uint8_t *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

/* Reads a 16-bit PCM WAV; false with a message on stderr otherwise. */
static bool read_wav(const char *path, wav *out)
{
    memset(out, 0, sizeof *out);
    FILE *f = fopen(path, "rb");
    if (!f) {
        perror(path);
        return false;
    }
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *buf = size > 12 ? malloc((size_t)size) : NULL;
    bool ok = buf && fread(buf, 1, (size_t)size, f) == (size_t)size &&
              memcmp(buf, "RIFF", 4) == 0 && memcmp(buf + 8, "WAVE", 4) == 0;
    fclose(f);
    const uint8_t *data = NULL;
    uint32_t data_len = 0;
    unsigned format = 0, bits = 0;
    for (long pos = 12; ok && pos + 8 <= size;) {
        uint32_t len = le32(buf + pos + 4);
        if ((uint64_t)pos + 8 + len > (uint64_t)size)
            break;
        if (memcmp(buf + pos, "fmt ", 4) == 0 && len >= 16) {
            format = le16(buf + pos + 8);
            out->channels = le16(buf + pos + 10);
            out->rate = le32(buf + pos + 12);
            bits = le16(buf + pos + 22);
        } else if (memcmp(buf + pos, "data", 4) == 0) {
            data = buf + pos + 8;
            data_len = len;
        }
        pos += 8 + len + (len & 1);
    }
    ok = ok && data && format == 1 && bits == 16 && out->channels >= 1 && out->channels <= 2 &&
         out->rate >= 8000;
    if (ok) {
        out->frames = data_len / (2u * out->channels);
        out->samples = malloc(out->frames * out->channels * sizeof(int16_t) + 1);
        ok = out->samples != NULL;
        for (size_t i = 0; ok && i < out->frames * out->channels; i++)
            out->samples[i] = (int16_t)le16(data + 2 * i);
    }
    free(buf);
    if (!ok)
        fprintf(stderr, "clipcheck: %s is not a 16-bit PCM WAV file\n", path);
    return ok;
}

typedef struct measure {
    double lufs, peak_dbtp, seconds;
} measure;

static bool measure_wav(const char *path, measure *m)
{
    wav w;
    if (!read_wav(path, &w))
        return false;
    /* Integrated (gated) loudness needs 400 ms blocks: a clip under a second is measured as one
     * window over all of it instead (ungated; its sound is all speech, the silence trimmed). */
    m->seconds = (double)w.frames / w.rate;
    bool short_clip = m->seconds < SHORT_CLIP_S;
    ebur128_state *st =
        ebur128_init(w.channels, w.rate, EBUR128_MODE_I | EBUR128_MODE_M | EBUR128_MODE_TRUE_PEAK);
    /* A window is at least the 400 ms libebur128 keeps: a shorter clip is measured with silence
     * after it and the result scaled back to its own length (the energy is all in the clip). */
    size_t min_frames = (size_t)w.rate * 4 / 10;
    size_t pad = short_clip && w.frames < min_frames ? min_frames - w.frames : 0;
    double measured_s = (double)(w.frames + pad) / w.rate;
    unsigned long window_ms = (unsigned long)(measured_s * 1000);
    int16_t *silence = pad ? calloc(pad * w.channels, sizeof(int16_t)) : NULL;
    bool ok = st && (!pad || silence) &&
              (!short_clip || ebur128_set_max_window(st, window_ms + 1) == EBUR128_SUCCESS) &&
              ebur128_add_frames_short(st, w.samples, w.frames) == EBUR128_SUCCESS &&
              (!pad || ebur128_add_frames_short(st, silence, pad) == EBUR128_SUCCESS) &&
              (short_clip ? ebur128_loudness_window(st, window_ms, &m->lufs)
                          : ebur128_loudness_global(st, &m->lufs)) == EBUR128_SUCCESS;
    free(silence);
    if (ok && pad)
        m->lufs += 10 * log10(measured_s / m->seconds);
    double peak = 0;
    for (unsigned c = 0; ok && c < w.channels; c++) {
        double p;
        ok = ebur128_true_peak(st, c, &p) == EBUR128_SUCCESS;
        if (p > peak)
            peak = p;
    }
    m->peak_dbtp = peak > 0 ? 20 * log10(peak) : -HUGE_VAL;
    if (st)
        ebur128_destroy(&st);
    free(w.samples);
    if (!ok)
        fprintf(stderr, "clipcheck: cannot measure %s\n", path);
    return ok;
}

/* Chinese characters of a prompt's text (UTF-8 sequences of 3 bytes in the CJK blocks); the
 * punctuation (，。？) is pause, not speech. */
static int han_chars(const char *text)
{
    int n = 0;
    for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
        if ((*p & 0xF0) != 0xE0 || !p[1] || !p[2])
            continue;
        unsigned cp = (unsigned)(*p & 0x0F) << 12 | (unsigned)(p[1] & 0x3F) << 6 | (p[2] & 0x3F);
        if (cp >= 0x4E00 && cp <= 0x9FFF)
            n++;
        p += 2;
    }
    return n;
}

static int compare_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static int check_dir(const char *dir)
{
    char path[2048];
    snprintf(path, sizeof path, "%s/clips.tsv", dir);
    FILE *list = fopen(path, "r");
    if (!list) {
        perror(path);
        return 1;
    }
    static char names[CLIPS_MAX][80];
    static measure m[CLIPS_MAX];
    static int chars[CLIPS_MAX];
    int count = 0, failures = 0;
    char line[512];
    while (fgets(line, sizeof line, list) && count < CLIPS_MAX) {
        if (line[0] == '#' || line[0] == '\n')
            continue;
        char *tab = strchr(line, '\t');
        if (!tab)
            continue;
        *tab = '\0';
        char *text = tab + 1;
        char *end = strpbrk(text, "\t\n");
        if (end)
            *end = '\0';
        if (strlen(line) >= sizeof names[count]) {
            fprintf(stderr, "clipcheck: clip name too long: %.40s...\n", line);
            failures++;
            continue;
        }
        memcpy(names[count], line, strlen(line) + 1);
        snprintf(path, sizeof path, "%s/%s.wav", dir, line);
        if (!measure_wav(path, &m[count])) {
            failures++;
            continue;
        }
        chars[count] = han_chars(text);
        count++;
    }
    fclose(list);
    double sorted[CLIPS_MAX];
    for (int i = 0; i < count; i++)
        sorted[i] = m[i].lufs;
    qsort(sorted, (size_t)count, sizeof sorted[0], compare_double);
    double median = count ? sorted[count / 2] : TARGET_LUFS;
    printf("%-24s %7s %7s %6s %5s %6s  %s\n", "clip", "LUFS", "dBTP", "s", "chars", "char/s",
           "verdict");
    for (int i = 0; i < count; i++) {
        char why[160] = "";
        size_t used = 0;
        if (fabs(m[i].lufs - TARGET_LUFS) > LUFS_TOLERANCE)
            used += (size_t)snprintf(why + used, sizeof why - used, " loudness");
        if (fabs(m[i].lufs - median) > SPREAD_LU)
            used += (size_t)snprintf(why + used, sizeof why - used, " off-median");
        if (m[i].peak_dbtp > PEAK_MAX_DBTP)
            used += (size_t)snprintf(why + used, sizeof why - used, " true-peak");
        double rate = chars[i] / (m[i].seconds > 0 ? m[i].seconds : 1);
        bool rated = chars[i] >= RATE_MIN_CHARS;
        if (rated && (rate < RATE_MIN || rate > RATE_MAX))
            snprintf(why + used, sizeof why - used, " rate");
        char rate_text[16] = "-";
        if (rated)
            snprintf(rate_text, sizeof rate_text, "%.2f", rate);
        printf("%-24s %7.2f %7.2f %6.2f %5d %6s  %s\n", names[i], m[i].lufs, m[i].peak_dbtp,
               m[i].seconds, chars[i], rate_text, why[0] ? why + 1 : "ok");
        failures += why[0] != '\0';
    }
    printf("%d clips, median %.2f LUFS (target %.1f +/- %.1f, spread +/- %.1f LU, true peak <= "
           "%.1f dBTP, %.1f-%.1f char/s from %d characters): %d failing\n",
           count, median, TARGET_LUFS, LUFS_TOLERANCE, SPREAD_LU, PEAK_MAX_DBTP, RATE_MIN, RATE_MAX,
           RATE_MIN_CHARS, failures);
    return failures || count == 0 ? 1 : 0;
}

/* Writes a mono 22050 Hz WAV of a 1 kHz sine at `amplitude` (of full scale) for `seconds`. */
static bool write_tone(const char *path, double amplitude, double seconds)
{
    const unsigned rate = 22050;
    size_t frames = (size_t)(seconds * rate);
    FILE *f = fopen(path, "wb");
    if (!f)
        return false;
    uint32_t data = (uint32_t)(frames * 2);
    uint8_t h[44] = "RIFF\0\0\0\0WAVEfmt \x10\0\0\0\x01\0\x01\0\0\0\0\0\0\0\0\0\x02\0\x10\0data";
    uint32_t riff = 36 + data, byte_rate = rate * 2;
    for (int i = 0; i < 4; i++) {
        h[4 + i] = (uint8_t)(riff >> (8 * i));
        h[24 + i] = (uint8_t)(rate >> (8 * i));
        h[28 + i] = (uint8_t)(byte_rate >> (8 * i));
        h[40 + i] = (uint8_t)(data >> (8 * i));
    }
    bool ok = fwrite(h, 1, sizeof h, f) == sizeof h;
    for (size_t i = 0; ok && i < frames; i++) {
        int16_t v = (int16_t)lrint(amplitude * 32767 * sin(2 * M_PI * 1000 * (double)i / rate));
        uint8_t b[2] = {(uint8_t)(v & 0xff), (uint8_t)((uint16_t)v >> 8)};
        ok = fwrite(b, 1, 2, f) == 2;
    }
    return fclose(f) == 0 && ok;
}

static int selftest(const char *dir)
{
    char path[2048];
    int failures = 0;
    /* A full-scale 1 kHz sine is -3.01 LUFS (EBU Tech 3341); 0.1 of it 20 dB less. */
    snprintf(path, sizeof path, "%s/tone.wav", dir);
    measure m;
    if (!write_tone(path, 0.1, 3.0) || !measure_wav(path, &m) || fabs(m.lufs - -23.01) > 0.1 ||
        fabs(m.peak_dbtp - -20.0) > 0.2) {
        fprintf(stderr, "selftest: a -20 dBFS 1 kHz tone measured %.2f LUFS, %.2f dBTP\n", m.lufs,
                m.peak_dbtp);
        failures++;
    }
    /* The same, 0.3 s long (the padded short-clip measure). */
    snprintf(path, sizeof path, "%s/short.wav", dir);
    if (!write_tone(path, 0.1, 0.3) || !measure_wav(path, &m) || fabs(m.lufs - -23.01) > 0.3) {
        fprintf(stderr, "selftest: a 0.3 s tone measured %.2f LUFS, not -23.0\n", m.lufs);
        failures++;
    }
    /* Clips that break a rule each, and one that keeps them: the check must fail, then pass.
     * 0.224 of full scale ~ -16 LUFS; 4 characters in 1.5 s = 2.7 characters a second. */
    static const struct {
        const char *text;
        double amplitude, seconds;
        int expect; /* the check's exit status */
    } cases[] = {
        {"请刷卡吧", 0.224, 1.5, 0}, /* sound */
        {"请刷卡吧", 0.6, 1.5, 1},   /* too loud, and its peak too */
        {"请刷卡吧", 0.05, 1.5, 1},  /* too soft */
        {"请刷卡吧", 0.224, 0.9, 1}, /* 4.4 characters a second */
        {"请刷卡吧", 0.224, 2.2, 1}, /* 1.8 characters a second */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        snprintf(path, sizeof path, "%s/clips.tsv", dir);
        FILE *f = fopen(path, "w");
        if (!f)
            return 1;
        fprintf(f, "# selftest\nprompt\t%s\n", cases[i].text);
        fclose(f);
        snprintf(path, sizeof path, "%s/prompt.wav", dir);
        int got = write_tone(path, cases[i].amplitude, cases[i].seconds) ? check_dir(dir) : -1;
        if (got != cases[i].expect) {
            fprintf(stderr, "selftest: case %zu: the check said %d, not %d\n", i, got,
                    cases[i].expect);
            failures++;
        }
    }
    fprintf(stderr, "clipcheck selftest: %d failures\n", failures);
    return failures ? 1 : 0;
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "check") == 0)
        return check_dir(argv[2]);
    if (argc == 3 && strcmp(argv[1], "measure") == 0) {
        measure m;
        if (!measure_wav(argv[2], &m))
            return 1;
        printf("%.3f %.3f %.3f\n", m.lufs, m.peak_dbtp, m.seconds);
        return 0;
    }
    if (argc == 3 && strcmp(argv[1], "selftest") == 0)
        return selftest(argv[2]);
    fprintf(stderr, "usage: clipcheck check DIR | measure FILE.wav | selftest SCRATCH_DIR\n");
    return 2;
}
