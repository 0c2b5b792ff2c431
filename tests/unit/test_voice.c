/* test_voice.c - ui_voice through SDL's disk audio driver: what a prompt writes to the "device"
 * is read back and measured (length, loudness, silence). Usage: test_voice assets/voice */
#define _POSIX_C_SOURCE 200809L

#include "check.h"
#include "speech.h"
#include "voice.h"

#include <SDL.h>
#include <math.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

/* The disk driver gives exactly the format asked for, which is what the assets are. */
#define RATE             22050
#define MS_TO_FRAMES(ms) ((long)(ms)*RATE / 1000)
/* Allowed error on a measured length: the resampler's edges and one zero-crossing sample. */
#define TOLERANCE_FRAMES MS_TO_FRAMES(20)

static const char *voice_dir;
static const char *tmp_dir;
static int outputs;

typedef struct capture {
    Sint16 *s;
    long n;
    long first, last; /* first and last non-zero sample, -1 when all silent */
    int peak;
    double rms; /* over first..last */
} capture;

/* Points SDL's disk driver at a new output file and opens a voice on it. delay_ms is the pause
 * after each 1024-frame buffer: 1 plays ~46 times faster than real time, 46 is real time. */
static ui_voice *open_disk_voice_delay(const char *dir, int volume, char *path, size_t size,
                                       const char *delay_ms)
{
    snprintf(path, size, "%s/out%d.raw", tmp_dir, outputs++);
    SDL_setenv("SDL_AUDIODRIVER", "disk", 1);
    SDL_setenv("SDL_DISKAUDIOFILE", path, 1);
    SDL_setenv("SDL_DISKAUDIODELAY", delay_ms, 1);
    return ui_voice_new(dir, volume);
}

static ui_voice *open_disk_voice(const char *dir, int volume, char *path, size_t size)
{
    return open_disk_voice_delay(dir, volume, path, size, "1");
}

static void measure(capture *c)
{
    c->first = c->last = -1;
    c->peak = 0;
    for (long i = 0; i < c->n; i++) {
        int a = abs(c->s[i]);
        if (a > 0) {
            if (c->first < 0)
                c->first = i;
            c->last = i;
        }
        if (a > c->peak)
            c->peak = a;
    }
    double sum = 0;
    for (long i = c->first; i >= 0 && i <= c->last; i++)
        sum += (double)c->s[i] * c->s[i];
    c->rms = c->first < 0 ? 0 : sqrt(sum / (double)(c->last - c->first + 1));
}

/* Waits for the queue to drain, closes the voice (flushing the driver) and reads the file. */
static void finish(ui_voice *v, const char *path, capture *c)
{
    Uint32 start = SDL_GetTicks();
    while (ui_voice_queued_bytes(v) > 0 && SDL_GetTicks() - start < 30000)
        SDL_Delay(5);
    CHECK_INT(ui_voice_queued_bytes(v), 0);
    /* The audio thread writes the last buffer it took from the queue in the same loop turn, and
     * closing the device waits for that thread, so the file is complete after this. */
    ui_voice_free(v);

    memset(c, 0, sizeof *c);
    FILE *f = fopen(path, "rb");
    CHECK(f != NULL);
    if (!f)
        return;
    fseek(f, 0, SEEK_END);
    long bytes = ftell(f);
    fseek(f, 0, SEEK_SET);
    CHECK_INT(bytes % 2, 0);
    c->s = malloc((size_t)bytes + 2);
    c->n = (long)fread(c->s, 2, (size_t)bytes / 2, f);
    fclose(f);
    remove(path);
    measure(c);
}

static long wav_frames(const char *dir, const char *name)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s.wav", dir, name);
    SDL_AudioSpec spec;
    Uint8 *buf;
    Uint32 len;
    if (!SDL_LoadWAV(path, &spec, &buf, &len)) {
        CHECK_STR(SDL_GetError(), "(a loadable WAV)");
        return 0;
    }
    CHECK_INT(spec.freq, RATE);
    CHECK_INT(spec.channels, 1);
    CHECK_INT(spec.format, AUDIO_S16LSB);
    SDL_FreeWAV(buf);
    return (long)len / 2;
}

static void test_sequence(void)
{
    /* 您需支付 | 补贴 | 十五元 | 用餐成功: gaps only around the phrases. */
    const char *const clips[] = {"you_pay", "subsidy", "shi", "d5", "yuan", "meal_ok"};
    const size_t n = sizeof clips / sizeof clips[0];
    long expected = 3 * MS_TO_FRAMES(UI_VOICE_GAP_MS);
    for (size_t i = 0; i < n; i++)
        expected += wav_frames(voice_dir, clips[i]);

    char path[256];
    ui_voice *v = open_disk_voice(voice_dir, 100, path, sizeof path);
    CHECK(v != NULL);
    for (size_t i = 0; i < KIOSK_CLIP_COUNT; i++)
        if (!ui_voice_has_clip(v, kiosk_speech_all_clips[i]))
            CHECK_STR(kiosk_speech_all_clips[i], "(a loaded clip)");
    ui_voice_say(v, clips, n);
    CHECK(ui_voice_queued_bytes(v) > 0);
    capture c;
    finish(v, path, &c);

    long span = c.last - c.first + 1;
    fprintf(stderr, "sequence: %ld frames heard, %ld expected (%.3f s), peak %d, rms %.0f\n", span,
            expected, (double)expected / RATE, c.peak, c.rms);
    CHECK(c.first >= 0);
    CHECK(labs(span - expected) <= TOLERANCE_FRAMES);
    CHECK(c.rms > 1000);
    CHECK(c.peak > 20000 && c.peak < 32000);
    free(c.s);
}

/* The digit and unit clips of every amount join without gaps: checks that the UI's list of
 * number words covers what kiosk_speech_amount produces. */
static void test_amount_has_no_gaps(void)
{
    static const int64_t amounts[] = {2000200, 9876543210, 1234567};
    const char *clips[3 * KIOSK_SPEECH_AMOUNT_MAX_CLIPS];
    size_t n = 0;
    for (size_t a = 0; a < sizeof amounts / sizeof amounts[0]; a++)
        n += kiosk_speech_amount(amounts[a], clips + n, KIOSK_SPEECH_AMOUNT_MAX_CLIPS);
    long expected = 0;
    for (size_t i = 0; i < n; i++)
        expected += wav_frames(voice_dir, clips[i]);

    char path[256];
    ui_voice *v = open_disk_voice(voice_dir, 100, path, sizeof path);
    ui_voice_say(v, clips, n);
    capture c;
    finish(v, path, &c);
    long span = c.last - c.first + 1;
    fprintf(stderr, "amounts: %zu clips, %ld frames heard, %ld expected\n", n, span, expected);
    CHECK(labs(span - expected) <= TOLERANCE_FRAMES);
    free(c.s);
}

static int peak_at_volume(int volume)
{
    const char *const clips[] = {"d5"};
    char path[256];
    ui_voice *v = open_disk_voice(voice_dir, volume, path, sizeof path);
    ui_voice_say(v, clips, 1);
    capture c;
    finish(v, path, &c);
    free(c.s);
    return c.peak;
}

static void test_volume(void)
{
    int full = peak_at_volume(100), half = peak_at_volume(50), mute = peak_at_volume(0);
    fprintf(stderr, "volume: peak %d at 100, %d at 50, %d at 0\n", full, half, mute);
    /* At full volume the device gets the clip's own samples: its peak is the file's. */
    char path[512];
    snprintf(path, sizeof path, "%s/d5.wav", voice_dir);
    SDL_AudioSpec spec;
    Uint8 *buf = NULL;
    Uint32 len = 0;
    int file_peak = -1;
    if (SDL_LoadWAV(path, &spec, &buf, &len) && spec.format == AUDIO_S16SYS) {
        const Sint16 *s = (const Sint16 *)buf;
        for (Uint32 i = 0; i < len / 2; i++)
            file_peak = abs(s[i]) > file_peak ? abs(s[i]) : file_peak;
    }
    SDL_FreeWAV(buf);
    CHECK(file_peak > 1000);
    CHECK(abs(full - file_peak) <= file_peak / 50);
    CHECK(abs(2 * half - full) <= full / 50);
    CHECK_INT(mute, 0);
}

/* A level set after the voice opened (staff mode's 本机设置): the next prompt is at it, as if the
 * voice had been opened at it; down to 0 and up again is as loud as at the start (each level is
 * made from the files, not from the scaled samples). */
static int peak_after_set(int opened_at, const int *levels, size_t n)
{
    const char *const clips[] = {"d5"};
    char path[256];
    ui_voice *v = open_disk_voice(voice_dir, opened_at, path, sizeof path);
    for (size_t i = 0; i < n; i++)
        ui_voice_set_volume(v, levels[i]);
    CHECK(ui_voice_has_clip(v, "d5"));
    ui_voice_say(v, clips, 1);
    capture c;
    finish(v, path, &c);
    free(c.s);
    return c.peak;
}

static void test_set_volume(void)
{
    int full = peak_at_volume(100);
    int half = peak_after_set(100, (const int[]){50}, 1);
    int again = peak_after_set(100, (const int[]){0, 100}, 2);
    int mute = peak_after_set(80, (const int[]){0}, 1);
    fprintf(stderr, "set volume: peak %d at 100, %d set to 50, %d set to 0 then 100, %d set to 0\n",
            full, half, again, mute);
    CHECK(full > 1000);
    CHECK(abs(2 * half - full) <= full / 50);
    CHECK_INT(again, full);
    CHECK_INT(mute, 0);
    ui_voice_set_volume(NULL, 50); /* a silent voice: nothing to do */
}

/* A new prompt cuts the old one off: only what the device had already taken may be heard. Real
 * time here, so a test thread descheduled between the two calls cannot let seconds play. */
static void test_interrupt(void)
{
    const char *const long_clip[] = {"unknown_card"}, *const short_clip[] = {"d5"};
    char path[256];
    ui_voice *v = open_disk_voice_delay(voice_dir, 100, path, sizeof path, "46");
    ui_voice_say(v, long_clip, 1);
    ui_voice_say(v, short_clip, 1);
    capture c;
    finish(v, path, &c);
    long span = c.last - c.first + 1;
    fprintf(stderr, "interrupt: %ld frames heard, d5 alone is %ld\n", span,
            wav_frames(voice_dir, "d5"));
    CHECK(span < MS_TO_FRAMES(1000));
    free(c.s);
}

/* A hall call queued while another is being spoken waits for it: both are heard whole, one
 * after the other (the span covers both clips), never one over the other. */
static void test_after(void)
{
    const char *const long_clip[] = {"unknown_card"}, *const short_clip[] = {"d5"};
    char path[256];
    ui_voice *v = open_disk_voice_delay(voice_dir, 100, path, sizeof path, "46");
    ui_voice_say_after(v, long_clip, 1); /* nothing playing: at once */
    ui_voice_say_after(v, short_clip, 1);
    capture c;
    finish(v, path, &c);
    long span = c.last - c.first + 1;
    long both = wav_frames(voice_dir, "unknown_card") + wav_frames(voice_dir, "d5");
    fprintf(stderr, "after: %ld frames heard, the two clips are %ld\n", span, both);
    CHECK(span >= both);
    free(c.s);
}

static void write_le(FILE *f, uint32_t value, int bytes)
{
    for (int i = 0; i < bytes; i++)
        fputc((int)(value >> (8 * i)) & 0xff, f);
}

/* A 440 Hz tone in any PCM layout, so loading has to resample, mix down and change format. */
static void write_tone_wav(const char *path, uint32_t rate, int channels, int bits, int amplitude)
{
    const uint32_t frames = rate / 2, block = (uint32_t)(channels * bits / 8);
    const uint32_t data = frames * block;
    FILE *f = fopen(path, "wb");
    CHECK(f != NULL);
    if (!f)
        return;
    fwrite("RIFF", 1, 4, f);
    write_le(f, 36 + data, 4);
    fwrite("WAVEfmt ", 1, 8, f);
    write_le(f, 16, 4);
    write_le(f, 1, 2); /* PCM */
    write_le(f, (uint32_t)channels, 2);
    write_le(f, rate, 4);
    write_le(f, rate * block, 4);
    write_le(f, block, 2);
    write_le(f, (uint32_t)bits, 2);
    fwrite("data", 1, 4, f);
    write_le(f, data, 4);
    for (uint32_t i = 0; i < frames; i++) {
        double x = amplitude * sin(2 * 3.14159265358979 * 440.0 * i / rate);
        for (int ch = 0; ch < channels; ch++) {
            if (bits == 8)
                fputc(128 + (int)lround(x / 256), f); /* unsigned 8-bit */
            else
                write_le(f, (uint32_t)(uint16_t)(int16_t)lround(x), 2);
        }
    }
    fclose(f);
}

static void test_conversion_and_missing_wav(void)
{
    char dir[256], path[512];
    snprintf(dir, sizeof dir, "%s/assets", tmp_dir);
    CHECK_INT(mkdir(dir, 0700), 0);
    snprintf(path, sizeof path, "%s/clips.tsv", dir);
    FILE *f = fopen(path, "w");
    CHECK(f != NULL);
    if (!f)
        return;
    fputs("# test clips\n\nstereo\t音\nmissing\t无\nBad-Name\tx\nstereo\tagain\nlofi\t低\n", f);
    fclose(f);
    snprintf(path, sizeof path, "%s/stereo.wav", dir);
    write_tone_wav(path, 44100, 2, 16, 16000);
    snprintf(path, sizeof path, "%s/lofi.wav", dir);
    write_tone_wav(path, 16000, 1, 8, 16000);

    char out[256];
    ui_voice *v = open_disk_voice(dir, 100, out, sizeof out);
    CHECK(ui_voice_has_clip(v, "stereo"));
    CHECK(ui_voice_has_clip(v, "lofi"));
    CHECK(!ui_voice_has_clip(v, "missing"));
    CHECK(!ui_voice_has_clip(v, "Bad-Name"));
    CHECK(!ui_voice_has_clip(v, "d5"));
    const char *const clips[] = {"missing", "stereo", "nonexistent", NULL, "lofi"};
    ui_voice_say(v, clips, 5);
    capture c;
    finish(v, out, &c);
    long span = c.last - c.first + 1;
    long expected = 2 * MS_TO_FRAMES(500) + MS_TO_FRAMES(UI_VOICE_GAP_MS);
    fprintf(stderr, "converted tones: %ld frames heard, %ld expected, peak %d\n", span, expected,
            c.peak);
    CHECK(labs(span - expected) <= TOLERANCE_FRAMES);
    CHECK(abs(c.peak - 16000) < 800);
    free(c.s);
    remove(path);
    snprintf(path, sizeof path, "%s/stereo.wav", dir);
    remove(path);
    snprintf(path, sizeof path, "%s/clips.tsv", dir);
    remove(path);
    CHECK_INT(rmdir(dir), 0);
}

static void test_silent_voices(void)
{
    const char *const clips[] = {"d5"};

    /* No clip list: a working voice that says nothing. */
    char out[256];
    ui_voice *v = open_disk_voice("/nonexistent/voice", 100, out, sizeof out);
    CHECK(v != NULL);
    CHECK(!ui_voice_has_clip(v, "d5"));
    ui_voice_say(v, clips, 1);
    CHECK_INT(ui_voice_queued_bytes(v), 0);
    ui_voice_free(v);
    remove(out);

    v = open_disk_voice(NULL, 100, out, sizeof out);
    CHECK(v != NULL);
    ui_voice_say(v, clips, 1);
    CHECK_INT(ui_voice_queued_bytes(v), 0);
    ui_voice_free(v);
    remove(out);

    /* No audio device at all. */
    SDL_setenv("SDL_AUDIODRIVER", "no_such_driver", 1);
    v = ui_voice_new(voice_dir, 100);
    CHECK(v != NULL);
    CHECK(!ui_voice_has_clip(v, "d5"));
    ui_voice_say(v, clips, 1);
    CHECK_INT(ui_voice_queued_bytes(v), 0);
    ui_voice_free(v);

    /* NULL is a silent voice too. */
    ui_voice_say(NULL, clips, 1);
    CHECK(!ui_voice_has_clip(NULL, "d5"));
    CHECK_INT(ui_voice_queued_bytes(NULL), 0);
    ui_voice_free(NULL);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: test_voice assets/voice\n");
        return 2;
    }
    voice_dir = argv[1];
    if (!(tmp_dir = check_scratch_dir("kiosk-voice"))) {
        perror("mkdtemp");
        return 2;
    }
    test_sequence();
    test_amount_has_no_gaps();
    test_volume();
    test_set_volume();
    test_interrupt();
    test_after();
    test_conversion_and_missing_wav();
    test_silent_voices();
    rmdir(tmp_dir);
    SDL_Quit();
    CHECK_DONE();
}
