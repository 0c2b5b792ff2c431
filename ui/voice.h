/* voice.h - spoken prompts: owns the audio output device and every voice clip of
 * assets/voice, preloaded and converted to the device's format at start so speaking does no
 * file I/O and no allocation. Without a sound device the kiosk keeps working, silently. */
#ifndef UI_VOICE_H
#define UI_VOICE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct ui_voice ui_voice;

/* Silence between two clips unless both are number words (d0..d9 liang shi bai qian wan yuan
 * jiao fen dian zheng). The digits of one amount play back to back: with a pause after every
 * syllable 十五元 sounds like three separate words to a listener who hears poorly, while the
 * clips, trimmed of silence, already carry espeak-ng's phrase-final lengthening and join into
 * an even, slow reading. Between phrases the pause marks the sentence boundary. */
#define UI_VOICE_GAP_MS 120

/* Bounds that keep memory fixed whatever the asset directory holds. */
#define UI_VOICE_MAX_CLIPS   128
#define UI_VOICE_MAX_NAME    47
#define UI_VOICE_MAX_CLIP_MS 30000

/* ui_voice_new: opens the default audio output (S16 mono 22050 Hz asked; any rate and channel
 * count the device prefers is accepted), reads dir/clips.tsv (name<TAB>text..., # comments)
 * and loads every dir/<name>.wav, converted to the device's format with volume_percent (0..100,
 * clamped) applied to the samples. Initialises SDL's audio subsystem itself (reference counted,
 * so calling SDL_Init(SDL_INIT_AUDIO) before is fine).
 * Failures are logged with SDL_LogWarn in SDL_LOG_CATEGORY_APPLICATION (shown by default, unlike
 * the AUDIO category; route it with SDL_LogSetOutputFunction) and are never fatal: no
 * audio device, or no readable clips.tsv, gives a handle whose calls do nothing; a missing or
 * unreadable WAV is skipped. Returns NULL only when out of memory; every function here accepts
 * NULL as a silent voice. The caller owns the handle and frees it with ui_voice_free.
 * Call on the UI thread (the one that initialised SDL); loading takes a few tens of ms. */
ui_voice *ui_voice_new(const char *dir, int volume_percent);

/* ui_voice_set_volume: loads every clip again at volume_percent (0..100, clamped), for what is
 * said from now on; what is being spoken goes on at the old level. A few tens of ms, like
 * ui_voice_new. NULL or a silent voice: nothing. UI thread. */
void ui_voice_set_volume(ui_voice *v, int volume_percent);

/* ui_voice_free: stops playback, closes the device, frees the clips. NULL is fine. UI thread. */
void ui_voice_free(ui_voice *v);

/* ui_voice_say: interrupts whatever is playing and queues clips[0..n) in order, with
 * UI_VOICE_GAP_MS of silence between clips as described above. Returns at once (SDL's audio
 * thread plays the queue). ui_voice itself allocates nothing here (the gap is preallocated);
 * SDL copies the samples into its own queue, whose 8 KiB packets it pools. Unknown names are
 * logged and skipped; clips whose WAV was missing are skipped silently (they were logged at
 * load). The names are only read during the call. UI thread. */
void ui_voice_say(ui_voice *v, const char *const *clips, size_t n);

/* ui_voice_say_after: like ui_voice_say, but queues the clips behind whatever is still being
 * spoken (after a pause of UI_VOICE_AFTER_GAPS gaps), cutting nothing off: a hall's calls, each
 * of which must be heard whole. UI thread. */
void ui_voice_say_after(ui_voice *v, const char *const *clips, size_t n);
#define UI_VOICE_AFTER_GAPS 6

/* ui_voice_has_clip: whether name was loaded and can be spoken. For tests and start-up checks.
 * UI thread. */
bool ui_voice_has_clip(const ui_voice *v, const char *name);

/* ui_voice_queued_bytes: bytes still waiting to be played (device format), 0 for a silent
 * voice. For tests, and to tell whether a prompt is still being spoken. UI thread. */
size_t ui_voice_queued_bytes(const ui_voice *v);

/* ui_voice_queued_ms: how long what is still queued will speak, in ms (0 for a silent voice).
 * UI thread. */
int64_t ui_voice_queued_ms(const ui_voice *v);

#endif
