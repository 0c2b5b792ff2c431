#!/usr/bin/env bash
# make-subset.sh - builds the kiosk's two fonts, fonts/NotoSansCJKsc-Kiosk-Regular.otf and
# fonts/NotoSansCJKsc-Kiosk-Bold.otf, by subsetting Debian's Noto Sans CJK SC (package
# fonts-noto-cjk, face index 2 of NotoSansCJK-Regular.ttc / NotoSansCJK-Bold.ttc) with
# Debian's fontTools (/usr/bin/python3 -m fontTools.subset; the python3 on PATH does not see it).
#
# Usage: fonts/make-subset.sh            (from anywhere; writes next to this script)
#        NOTO_CJK_DIR=/other/dir fonts/make-subset.sh
#
# Re-run it after adding UI strings: it scans the project for the characters in use, so a new
# label never renders as a box. The character set is the union of
#   - printable ASCII (U+0020-U+007E), ¥ and the Latin-1 signs × ÷ ± ° ·;
#   - GB2312 rows 1-3: CJK punctuation and symbols (，。、：；！？（）《》“”‘’…—※ ★ ○ ● → ...),
#     circled/parenthesised numbers, and the full-width ASCII forms (０-９ Ａ-Ｚ ａ-ｚ ￥ ...);
#   - UI symbols if the font has them (✓ ▶ ◀ ▼ ⚠ yes; ✗ ✔ ✕ no) and — – · • ‧ 〇;
#   - all 6763 GB2312 hanzi: level 1 (0xB0A1-0xD7F9, 3755) and level 2 (0xD8A1-0xF7FE, 3008),
#     decoded with Python's gb2312 codec. Level 2 is kept because both files together stay far
#     under the 12 MB budget (see fonts/README.md) and names at a marriage-registration hall
#     often use level-2 characters;
#   - every non-ASCII character in the project's C sources and headers (kiosk/ ui/ drivers/
#     server/, *.c *.h) and in assets/ text files (*.txt *.tsv *.json).
# A character the font lacks is reported on stderr (for example ✗: use × instead) and skipped.
#
# Kept OpenType features: kern (Latin and punctuation pairs), liga, calt, ccmp, mark, mkmk.
# Dropped: locl, because its closure pulls in the Japanese/Korean/Traditional variant glyphs
# (12942 glyphs instead of 7148, 3.3 MB instead of 1.8 MB a file) and the kiosk always wants the
# Simplified Chinese forms whatever the system locale says; vertical-writing features and tables
# (vert, vrt2, vkrn, vpal, vhal, vhea, vmtx, VORG) and proportional punctuation (palt, halt),
# because the kiosk only lays text out horizontally with full-width punctuation. CFF hinting is
# kept: it costs ~0.27 MB a file and keeps stems crisp at the 36 px end of the kiosk's range.
# Missing characters render as the .notdef box (kept with --notdef-outline) so they are seen.
#
# The output is reproducible: the character list is sorted and fontTools keeps the source
# font's timestamps, so the same inputs give byte-identical files.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")
src_dir=${NOTO_CJK_DIR:-/usr/share/fonts/opentype/noto}
py=/usr/bin/python3

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

"$py" - "$root" "$src_dir/NotoSansCJK-Regular.ttc" >"$tmp/chars.txt" <<'PYEOF'
import os
import sys
import unicodedata

from fontTools.ttLib import TTCollection

root, ttc = sys.argv[1], sys.argv[2]


def gb2312_rows(first, last):
    """Characters of GB2312 rows first..last (lead bytes 0xA0+row), skipping empty cells."""
    out = []
    for lead in range(0xA0 + first, 0xA0 + last + 1):
        for trail in range(0xA1, 0xFF):
            try:
                out.append(bytes([lead, trail]).decode("gb2312"))
            except UnicodeDecodeError:
                pass
    return out


chars = {chr(c) for c in range(0x20, 0x7F)}
chars |= set("¥×÷±°·")
chars |= set(gb2312_rows(1, 3))
chars |= set("—–·•‧〇￥，。、：；！？（）《》“”‘’…※★☆○●◎→←↑↓")
# Symbols a screen may use; the ones the font lacks (✗ ✔ ✕) are dropped without a warning.
optional = set("✓✗✔✕▶◀▼▽⚠")
level1 = gb2312_rows(16, 55)
level2 = gb2312_rows(56, 87)
assert len(level1) == 3755 and len(level2) == 3008, (len(level1), len(level2))
chars |= set(level1) | set(level2)
base = set(chars)

scanned = set()
for sub, exts in (("kiosk", (".c", ".h")), ("ui", (".c", ".h")), ("drivers", (".c", ".h")),
                  ("server", (".c", ".h")), ("assets", (".txt", ".tsv", ".json"))):
    for dirpath, dirnames, filenames in os.walk(os.path.join(root, sub)):
        dirnames.sort()
        for name in sorted(filenames):
            if not name.endswith(exts):
                continue
            path = os.path.join(dirpath, name)
            with open(path, encoding="utf-8") as f:
                text = f.read()
            for ch in text:
                if ord(ch) > 0x7E and not unicodedata.category(ch).startswith("C"):
                    scanned.add(ch)
chars |= scanned

cmap = TTCollection(ttc).fonts[2].getBestCmap()
chars |= {c for c in optional if ord(c) in cmap}
missing = sorted(c for c in chars if ord(c) not in cmap)
for c in missing:
    print(f"make-subset: U+{ord(c):04X} {c} is not in Noto Sans CJK SC; skipped",
          file=sys.stderr)
kept = sorted(c for c in chars if ord(c) in cmap)
new = sorted(c for c in scanned - base - optional if ord(c) in cmap)
print(f"make-subset: {len(kept)} characters; {len(scanned)} non-ASCII found in sources, "
      f"{len(new)} of them added to the base set: {''.join(new)}", file=sys.stderr)
sys.stdout.write("".join(kept))
PYEOF

for weight in Regular Bold; do
    "$py" -m fontTools.subset "$src_dir/NotoSansCJK-$weight.ttc" \
        --font-number=2 \
        --text-file="$tmp/chars.txt" \
        --layout-features=kern,liga,calt,ccmp,mark,mkmk \
        --drop-tables+=vhea,vmtx,VORG \
        --name-IDs='*' \
        --name-languages='*' \
        --notdef-outline \
        --output-file="$here/NotoSansCJKsc-Kiosk-$weight.otf"
    echo "make-subset: $(stat -c %s "$here/NotoSansCJKsc-Kiosk-$weight.otf") bytes" \
        "NotoSansCJKsc-Kiosk-$weight.otf" >&2
done
