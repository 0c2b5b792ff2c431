#!/usr/bin/env bash
# make-voice.sh - generates assets/voice/<name>.wav for every line of assets/voice/clips.tsv
# (name<TAB>Mandarin text[<TAB>pinyin override]) with espeak-ng and sox, then checks each file.
#
# Usage: assets/voice/make-voice.sh        (from anywhere; needs Debian's espeak-ng and sox)
#
# A line whose third column is "tone:HZ,HZ" is a chime made with sox instead (the staff chime);
# "tone:HZ" one short note (the sound of a key press).
# Voice: espeak-ng -v cmn-latn-pinyin. Debian 12's espeak-ng 1.51 has a bug in the plain "cmn"
# voice: it looks a hanzi up as pinyin ("ling2") and then reads that pinyin with the English
# voice ("ling two"); check with `espeak-ng -v cmn -x 零`. The cmn-latn-pinyin voice reads the
# same dictionary correctly and also accepts pinyin with tone numbers, which the optional third
# column of clips.tsv uses where the dictionary gets a tone wrong.
# Speed: -s 140 words a minute to start with (the default is 175); a prompt of 4 or more
# characters is then re-rendered at the speed that reads it at 2.5-3.2 characters a second.
#
# Post-processing with sox, for ui/voice.c which loads any WAV but expects these:
#   - 22050 Hz, mono, signed 16-bit PCM;
#   - leading and trailing silence below -60 dBFS trimmed, so digit clips can be played back to
#     back into one number and the gaps between phrases are the player's choice;
#   - a gentle compression (a narrower crest factor), then the gain that brings the clip to
#     -16 LUFS (EBU R 128, measured by clipcheck.c with libebur128) with its true peak at most
#     -1.2 dBTP, so every prompt is equally loud and none distorts;
#   - no dither (-D), so the same inputs give byte-identical files.
# Every output is then checked (-16 +/- 1 LUFS, true peak <= -1 dBTP, at least 0.15 s); a line
# per clip goes to stdout. CTest's test_clips checks the committed files the same way, plus the
# rate and the spread between clips.
#
# A site that records its own prompts: replace the WAV files (same names, see clips.tsv for
# each one's words), then run `build/clipcheck check assets/voice`; it must pass.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
list="$here/clips.tsv"
speed=140

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# clipcheck (this folder) measures loudness (EBU R 128, libebur128), true peak and length; the
# same program checks every clip in CTest (test_clips).
cc -O2 -o "$tmp/clipcheck" "$here/clipcheck.c" $(pkg-config --cflags --libs libebur128) -lm
measure() { "$tmp/clipcheck" measure "$1"; }
hanzi() { printf '%s' "$1" | python3 -c 'import sys; print(sum("\u4e00" <= c <= "\u9fff" for c in sys.stdin.read()))'; }

# render NAME TEXT SAY SPEED: speech -> trimmed, 22050 Hz mono -> gently compressed (a narrower
# crest, so a clip can reach -16 LUFS without its peaks passing -1 dBTP) -> $tmp/shaped.wav.
render() {
    if [[ "$3" == tone:* ]]; then
        # A chime, not speech ("tone:HZ,HZ" in the third column): two notes, each faded in
        # and out, the second longer; then the same loudness as every prompt.
        local notes=${3#tone:}
        if [[ "$notes" != *,* ]]; then
            # One note of 0.4 s, the shortest clip the loudness measure can judge (its gating
            # blocks are 400 ms long): the answer to a press that changes nothing else audible.
            sox -D -n -r 22050 -c 1 -b 16 -e signed-integer "$tmp/shaped.wav" \
                synth 0.4 sine "$notes" fade q 0.005 0.4 0.2
            return
        fi
        sox -D -n -r 22050 -c 1 -b 16 -e signed-integer "$tmp/note1.wav" \
            synth 0.35 sine "${notes%,*}" fade q 0.01 0.35 0.15
        sox -D -n -r 22050 -c 1 -b 16 -e signed-integer "$tmp/note2.wav" \
            synth 0.6 sine "${notes#*,}" fade q 0.01 0.6 0.35
        sox -D "$tmp/note1.wav" "$tmp/note2.wav" "$tmp/shaped.wav"
        return
    fi
    espeak-ng -v cmn-latn-pinyin -s "$4" -w "$tmp/raw.wav" "${3:-$2}"
    sox -D "$tmp/raw.wav" -r 22050 -c 1 -b 16 -e signed-integer "$tmp/trim.wav" \
        silence 1 0 -60d reverse silence 1 0 -60d reverse
    sox -D "$tmp/trim.wav" "$tmp/shaped.wav" compand 0.002,0.06 6:-70,-70,-30,-20,0,-10 0 -90 0.005
}

count=0
total=0
while IFS=$'\t' read -r name text say || [[ -n "$name" ]]; do
    [[ -z "$name" || "$name" == \#* ]] && continue
    if [[ ! "$name" =~ ^[a-z0-9_]+$ || -z "$text" ]]; then
        echo "make-voice: bad line for '$name' in $list" >&2
        exit 1
    fi
    # Speech rate: a prompt of 4 or more characters is read at 2.5-3.2 characters a second;
    # espeak-ng's speed is set once more from what the first rendering measured.
    clip_speed=$speed
    render "$name" "$text" "$say" "$clip_speed"
    chars=$(hanzi "$text")
    if [ "$chars" -ge 4 ]; then
        read -r _ _ secs < <(measure "$tmp/shaped.wav")
        clip_speed=$(awk -v s="$speed" -v c="$chars" -v t="$secs" \
            'BEGIN { r = c / t; if (r < 2.6 || r > 3.1) s = int(s * 2.85 / r + 0.5); print s }')
        [ "$clip_speed" = "$speed" ] || render "$name" "$text" "$say" "$clip_speed"
    fi
    # Loudness: gain to -16 LUFS, then no true peak above -1.2 dBTP (a little under -1 for the
    # device's resampler).
    read -r lufs peak _ < <(measure "$tmp/shaped.wav")
    gain=$(awk -v l="$lufs" -v p="$peak" \
        'BEGIN { g = -16 - l; if (p + g > -1.2) g = -1.2 - p; printf "%.2f", g }')
    sox -D "$tmp/shaped.wav" "$here/$name.wav" gain "$gain"
    read -r lufs peak duration < <(measure "$here/$name.wav")
    if ! awk -v d="$duration" -v l="$lufs" -v p="$peak" \
        'BEGIN { exit !(d >= 0.15 && l >= -17 && l <= -15 && p <= -1) }'; then
        echo "make-voice: $name.wav failed its check: ${duration} s, ${lufs} LUFS, ${peak} dBTP" >&2
        exit 1
    fi
    printf '%-24s %6.3f s  %6.2f LUFS  %6.2f dBTP  speed %3d  %s\n' "$name" "$duration" "$lufs" \
        "$peak" "$clip_speed" "$text"
    count=$((count + 1))
    total=$(awk -v a="$total" -v b="$duration" 'BEGIN { print a + b }')
done <"$list"

for wav in "$here"/*.wav; do
    name=$(basename "$wav" .wav)
    if ! grep -q "^$name"$'\t' "$list"; then
        echo "make-voice: warning: $name.wav is not listed in clips.tsv (stale?)" >&2
    fi
done
echo "make-voice: $count clips, $total s in all" >&2
