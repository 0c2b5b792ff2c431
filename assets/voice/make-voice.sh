#!/usr/bin/env bash
# make-voice.sh - generates assets/voice/<name>.wav for every line of assets/voice/clips.tsv
# (name<TAB>Mandarin text[<TAB>pinyin override]) with espeak-ng and sox, then checks each file.
#
# Usage: assets/voice/make-voice.sh        (from anywhere; needs Debian's espeak-ng and sox)
#
# Voice: espeak-ng -v cmn-latn-pinyin. Debian 12's espeak-ng 1.51 has a bug in the plain "cmn"
# voice: it looks a hanzi up as pinyin ("ling2") and then reads that pinyin with the English
# voice ("ling two"); check with `espeak-ng -v cmn -x 零`. The cmn-latn-pinyin voice reads the
# same dictionary correctly and also accepts pinyin with tone numbers, which the optional third
# column of clips.tsv uses where the dictionary gets a tone wrong.
# Speed: -s 140 words a minute instead of the default 175, for elderly listeners.
#
# Post-processing with sox, for ui/voice.c which loads any WAV but expects these:
#   - 22050 Hz, mono, signed 16-bit PCM;
#   - leading and trailing silence below -60 dBFS trimmed, so digit clips can be played back to
#     back into one number and the gaps between phrases are the player's choice;
#   - peak normalised to -3 dBFS (headroom for the volume scaling and the device's resampler);
#   - no dither (-D), so the same inputs give byte-identical files.
# Every output is then checked: at least 0.15 s long and a peak between -4 and -2 dBFS, which
# rules out empty, silent and clipped files. A line per clip (duration, peak) goes to stdout.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
list="$here/clips.tsv"
speed=140

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

count=0
total=0
while IFS=$'\t' read -r name text say || [[ -n "$name" ]]; do
    [[ -z "$name" || "$name" == \#* ]] && continue
    if [[ ! "$name" =~ ^[a-z0-9_]+$ || -z "$text" ]]; then
        echo "make-voice: bad line for '$name' in $list" >&2
        exit 1
    fi
    espeak-ng -v cmn-latn-pinyin -s "$speed" -w "$tmp/raw.wav" "${say:-$text}"
    sox -D "$tmp/raw.wav" -r 22050 -c 1 -b 16 -e signed-integer "$here/$name.wav" \
        silence 1 0 -60d reverse silence 1 0 -60d reverse norm -3

    duration=$(soxi -D "$here/$name.wav")
    peak_db=$(sox "$here/$name.wav" -n stats 2>&1 | awk '/^Pk lev dB/ {print $4}')
    if ! awk -v d="$duration" -v p="$peak_db" 'BEGIN { exit !(d >= 0.15 && p >= -4 && p <= -2) }'
    then
        echo "make-voice: $name.wav failed its check: ${duration} s, peak ${peak_db} dBFS" >&2
        exit 1
    fi
    printf '%-24s %6.3f s  peak %6.2f dBFS  %s\n' "$name" "$duration" "$peak_db" "$text"
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
