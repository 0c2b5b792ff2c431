/* voice.c - preloaded voice clips played through SDL's queued audio (see voice.h). */
#define _POSIX_C_SOURCE 200809L /* strdup */
#include "voice.h"

#include <SDL.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Total converted audio kept in memory: the 48 stock clips are ~84 s, 16 MB even on a 48 kHz
 * stereo device, so this leaves room for new prompts while bounding a bad asset directory. */
#define VOICE_MAX_TOTAL_BYTES (64u * 1024u * 1024u)
#define VOICE_MAX_LINE        1024

typedef struct voice_clip {
    char name[UI_VOICE_MAX_NAME + 1];
    Uint8 *pcm; /* device format, volume applied; NULL when the WAV could not be loaded */
    Uint32 len; /* bytes */
    bool number_word;
} voice_clip;

struct ui_voice {
    SDL_AudioDeviceID dev; /* 0 when silent: every call is then a no-op */
    bool audio_init;       /* we hold a reference on SDL's audio subsystem */
    SDL_AudioSpec spec;    /* the format the device gave us */
    Uint8 *gap;            /* UI_VOICE_GAP_MS of silence, so say() never allocates */
    Uint32 gap_len;
    size_t total_bytes;
    char *dir; /* where the clips were loaded from: ui_voice_set_volume loads them again */
    size_t nclips;
    voice_clip clips[UI_VOICE_MAX_CLIPS];
};

/* The digit and unit clips of kiosk/speech.h: played without a gap between them. Kept here
 * because the UI does not link the core; tests/unit/test_voice.c checks both agree. */
static bool voice_is_number_word(const char *name)
{
    static const char *const words[] = {"liang", "shi",  "bai", "qian", "wan",
                                        "yuan",  "jiao", "fen", "dian", "zheng"};
    if (name[0] == 'd' && name[1] >= '0' && name[1] <= '9' && name[2] == '\0')
        return true;
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        if (strcmp(name, words[i]) == 0)
            return true;
    return false;
}

static bool voice_name_ok(const char *name)
{
    size_t len = strlen(name);
    if (len == 0 || len > UI_VOICE_MAX_NAME)
        return false;
    for (size_t i = 0; i < len; i++) {
        char c = name[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'))
            return false;
    }
    return true;
}

static const voice_clip *voice_find(const ui_voice *v, const char *name)
{
    for (size_t i = 0; i < v->nclips; i++)
        if (strcmp(v->clips[i].name, name) == 0)
            return &v->clips[i];
    return NULL;
}

/* Scales S16 samples in place; volume is below 100, so every result is still a valid S16. */
static void voice_scale(Uint8 *pcm, Uint32 len, int volume)
{
    for (Uint32 i = 0; i + 1 < len; i += 2) {
        Sint16 s;
        memcpy(&s, pcm + i, sizeof s);
        s = (Sint16)((int32_t)s * volume / 100);
        memcpy(pcm + i, &s, sizeof s);
    }
}

/* Loads dir/<name>.wav into clip, converted to the device format (S16, the device's rate and
 * channels). SDL_AudioCVT converts the whole clip in one call and keeps its exact length;
 * SDL_AudioStream was tried and came out ~23 ms short when resampling 44.1 kHz to 22.05 kHz
 * (SDL 2.26), enough to clip the end of a syllable. */
static bool voice_load_wav(ui_voice *v, voice_clip *clip, const char *dir, int volume)
{
    char path[4096];
    int w = snprintf(path, sizeof path, "%s/%s.wav", dir, clip->name);
    if (w < 0 || (size_t)w >= sizeof path) {
        SDL_LogWarn(SDL_LOG_CATEGORY_APPLICATION, "voice: path too long for clip %s", clip->name);
        return false;
    }
    SDL_AudioSpec wav;
    Uint8 *buf = NULL;
    Uint32 len = 0;
    if (!SDL_LoadWAV(path, &wav, &buf, &len)) {
        SDL_LogWarn(SDL_LOG_CATEGORY_APPLICATION, "voice: clip %s skipped: %s", clip->name,
                    SDL_GetError());
        return false;
    }

    bool ok = false;
    SDL_AudioCVT cvt;
    if (SDL_BuildAudioCVT(&cvt, wav.format, wav.channels, wav.freq, v->spec.format,
                          v->spec.channels, v->spec.freq) < 0) {
        SDL_LogWarn(SDL_LOG_CATEGORY_APPLICATION, "voice: clip %s not converted: %s", clip->name,
                    SDL_GetError());
        goto out;
    }
    size_t frame = (size_t)v->spec.channels * SDL_AUDIO_BITSIZE(v->spec.format) / 8;
    size_t max_len = (size_t)v->spec.freq * UI_VOICE_MAX_CLIP_MS / 1000 * frame;
    double out_len = (double)len * cvt.len_ratio;
    if (len == 0 || out_len > (double)max_len ||
        (double)v->total_bytes + out_len > (double)VOICE_MAX_TOTAL_BYTES) {
        SDL_LogWarn(SDL_LOG_CATEGORY_APPLICATION, "voice: clip %s skipped: empty or over the limit",
                    clip->name);
        goto out;
    }
    cvt.len = (int)len;
    cvt.buf = malloc((size_t)len * (size_t)cvt.len_mult);
    if (!cvt.buf)
        goto out;
    memcpy(cvt.buf, buf, len);
    if (SDL_ConvertAudio(&cvt) != 0 || cvt.len_cvt <= 0) {
        SDL_LogWarn(SDL_LOG_CATEGORY_APPLICATION, "voice: clip %s not converted: %s", clip->name,
                    SDL_GetError());
        free(cvt.buf);
        goto out;
    }
    if (volume < 100)
        voice_scale(cvt.buf, (Uint32)cvt.len_cvt, volume);
    clip->pcm = cvt.buf;
    clip->len = (Uint32)cvt.len_cvt;
    v->total_bytes += clip->len;
    ok = true;
out:
    SDL_FreeWAV(buf);
    return ok;
}

/* Reads the first field of each line of dir/clips.tsv and loads its clip. Returns false when
 * the list itself cannot be read. */
static bool voice_load_list(ui_voice *v, const char *dir, int volume)
{
    char path[4096], line[VOICE_MAX_LINE];
    if (!dir)
        return false;
    int w = snprintf(path, sizeof path, "%s/clips.tsv", dir);
    if (w < 0 || (size_t)w >= sizeof path)
        return false;
    FILE *f = fopen(path, "r");
    if (!f)
        return false;
    bool at_line_start = true;
    while (fgets(line, sizeof line, f)) {
        /* A line longer than the buffer arrives in pieces; only its first piece is a line. */
        bool starts = at_line_start;
        at_line_start = strchr(line, '\n') != NULL;
        if (!starts || line[0] == '#')
            continue;
        line[strcspn(line, "\t\r\n")] = '\0';
        if (line[0] == '\0')
            continue;
        if (!voice_name_ok(line)) {
            SDL_LogWarn(SDL_LOG_CATEGORY_APPLICATION, "voice: bad clip name in %s skipped", path);
            continue;
        }
        if (voice_find(v, line))
            continue;
        if (v->nclips == UI_VOICE_MAX_CLIPS) {
            SDL_LogWarn(SDL_LOG_CATEGORY_APPLICATION, "voice: more than %d clips, the rest skipped",
                        UI_VOICE_MAX_CLIPS);
            break;
        }
        voice_clip *clip = &v->clips[v->nclips++];
        memcpy(clip->name, line, strlen(line) + 1);
        clip->number_word = voice_is_number_word(clip->name);
        voice_load_wav(v, clip, dir, volume);
    }
    fclose(f);
    return true;
}

static void voice_close(ui_voice *v)
{
    if (v->dev)
        SDL_CloseAudioDevice(v->dev);
    v->dev = 0;
    for (size_t i = 0; i < v->nclips; i++)
        free(v->clips[i].pcm);
    v->nclips = 0;
    v->total_bytes = 0;
    free(v->gap);
    v->gap = NULL;
    v->gap_len = 0;
}

ui_voice *ui_voice_new(const char *dir, int volume_percent)
{
    ui_voice *v = calloc(1, sizeof *v);
    if (!v)
        return NULL;
    int volume = volume_percent < 0 ? 0 : volume_percent > 100 ? 100 : volume_percent;

    if (SDL_InitSubSystem(SDL_INIT_AUDIO) != 0) {
        SDL_LogWarn(SDL_LOG_CATEGORY_APPLICATION, "voice: no audio, prompts will be silent: %s",
                    SDL_GetError());
        return v;
    }
    v->audio_init = true;

    SDL_AudioSpec want;
    SDL_zero(want);
    want.freq = 22050;
    want.format = AUDIO_S16SYS;
    want.channels = 1;
    want.samples = 1024;
    /* The sample format stays S16 so volume scaling and silence are trivial; rate and channel
     * count follow the device so SDL does not resample on its audio thread. */
    v->dev =
        SDL_OpenAudioDevice(NULL, 0, &want, &v->spec,
                            SDL_AUDIO_ALLOW_FREQUENCY_CHANGE | SDL_AUDIO_ALLOW_CHANNELS_CHANGE);
    if (!v->dev) {
        SDL_LogWarn(SDL_LOG_CATEGORY_APPLICATION,
                    "voice: no audio device, prompts will be silent: %s", SDL_GetError());
        return v;
    }

    size_t frame = (size_t)v->spec.channels * SDL_AUDIO_BITSIZE(v->spec.format) / 8;
    v->gap_len = (Uint32)((size_t)v->spec.freq * UI_VOICE_GAP_MS / 1000 * frame);
    v->gap = malloc(v->gap_len);
    if (!v->gap) {
        voice_close(v);
        SDL_QuitSubSystem(SDL_INIT_AUDIO);
        free(v);
        return NULL;
    }
    memset(v->gap, v->spec.silence, v->gap_len);

    v->dir = dir ? strdup(dir) : NULL;
    if (!voice_load_list(v, dir, volume)) {
        SDL_LogWarn(SDL_LOG_CATEGORY_APPLICATION, "voice: no %s/clips.tsv, prompts will be silent",
                    dir ? dir : "(null)");
        voice_close(v);
        return v;
    }
    SDL_PauseAudioDevice(v->dev, 0);
    return v;
}

void ui_voice_set_volume(ui_voice *v, int volume_percent)
{
    if (!v || !v->dev || !v->dir)
        return;
    int volume = volume_percent < 0 ? 0 : volume_percent > 100 ? 100 : volume_percent;
    /* The samples are scaled once, at load: loading every clip again from its WAV (not scaling
     * the scaled ones) keeps a level turned down and up again as clear as at the start. What is
     * queued is SDL's own copy, so freeing the old samples cuts nothing off. */
    v->total_bytes = 0;
    for (size_t i = 0; i < v->nclips; i++) {
        voice_clip *clip = &v->clips[i];
        free(clip->pcm);
        clip->pcm = NULL;
        clip->len = 0;
        voice_load_wav(v, clip, v->dir, volume);
    }
}

void ui_voice_free(ui_voice *v)
{
    if (!v)
        return;
    voice_close(v);
    free(v->dir);
    if (v->audio_init)
        SDL_QuitSubSystem(SDL_INIT_AUDIO);
    free(v);
}

/* Queues clips[0..n) behind what the device holds (the caller holds the device lock). */
static void queue_clips(ui_voice *v, const char *const *clips, size_t n)
{
    const voice_clip *prev = NULL;
    for (size_t i = 0; i < n; i++) {
        const voice_clip *clip = clips[i] ? voice_find(v, clips[i]) : NULL;
        if (!clip) {
            SDL_LogWarn(SDL_LOG_CATEGORY_APPLICATION, "voice: unknown clip %s",
                        clips[i] ? clips[i] : "(null)");
            continue;
        }
        if (!clip->pcm)
            continue;
        if (prev && !(prev->number_word && clip->number_word))
            SDL_QueueAudio(v->dev, v->gap, v->gap_len);
        if (SDL_QueueAudio(v->dev, clip->pcm, clip->len) != 0) {
            SDL_LogWarn(SDL_LOG_CATEGORY_APPLICATION, "voice: cannot queue %s: %s", clip->name,
                        SDL_GetError());
            break;
        }
        prev = clip;
    }
}

void ui_voice_say(ui_voice *v, const char *const *clips, size_t n)
{
    if (!v || !v->dev)
        return;
    /* Holding the device lock makes clear-and-queue atomic for the audio thread, so it never
     * plays the first clip of a new prompt and then a gap we had not queued yet. */
    SDL_LockAudioDevice(v->dev);
    SDL_ClearQueuedAudio(v->dev);
    queue_clips(v, clips, n);
    SDL_UnlockAudioDevice(v->dev);
}

void ui_voice_say_after(ui_voice *v, const char *const *clips, size_t n)
{
    if (!v || !v->dev)
        return;
    SDL_LockAudioDevice(v->dev);
    if (SDL_GetQueuedAudioSize(v->dev) > 0)
        for (int i = 0; i < UI_VOICE_AFTER_GAPS; i++) /* a pause between two announcements */
            SDL_QueueAudio(v->dev, v->gap, v->gap_len);
    queue_clips(v, clips, n);
    SDL_UnlockAudioDevice(v->dev);
}

bool ui_voice_has_clip(const ui_voice *v, const char *name)
{
    if (!v || !name)
        return false;
    const voice_clip *clip = voice_find(v, name);
    return clip && clip->pcm;
}

size_t ui_voice_queued_bytes(const ui_voice *v)
{
    if (!v || !v->dev)
        return 0;
    return SDL_GetQueuedAudioSize(v->dev);
}

int64_t ui_voice_queued_ms(const ui_voice *v)
{
    if (!v || !v->dev || v->spec.freq <= 0 || v->spec.channels == 0)
        return 0;
    int64_t bytes_per_s =
        (int64_t)v->spec.freq * v->spec.channels * (SDL_AUDIO_BITSIZE(v->spec.format) / 8);
    return bytes_per_s > 0 ? (int64_t)SDL_GetQueuedAudioSize(v->dev) * 1000 / bytes_per_s : 0;
}
