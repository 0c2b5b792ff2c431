#!/usr/bin/env python3
"""check_words.py - the kiosk's words are all translatable and all translated.

  check_words.py SOURCE_ROOT

1. Every string literal with a Chinese character in the files with words on screen (the list of
   po/update.sh) sits inside N_() or _(): anything else would stay Chinese in every language.
2. po/kiosk.pot is what xgettext makes from those files now (a new or changed word is in it).
3. Every msgid of the template is in po/zh_CN.po and po/en.po, translated and not fuzzy;
   msgfmt --check --statistics agrees (0 untranslated, 0 fuzzy); zh_CN's msgstr is its msgid.
4. No voice clip name or id is a message (a msgid always has a non-ASCII character).
The scanner is first shown a file with an unmarked word, which it must report.
"""
import glob
import os
import re
import subprocess
import sys
import tempfile

IDEOGRAPH = re.compile(r'[\u4e00-\u9fff]')
LITERAL = r'"(?:[^"\\\n]|\\.)*"'
TOKENS = re.compile(r'/\*.*?\*/|//[^\n]*|\'(?:[^\'\\\n]|\\.)*\'|' + LITERAL, re.S)

failures = []

# Chinese literals that are not words on screen, and why.
NOT_MESSAGES = {
    ('kiosk/config.c', '"社区长者食堂"'): 'the default [kiosk] site_name: a configured name',
    ('kiosk/flows/canteen.c', '"%s must be NAME:PRICE_IN_FEN, e.g. A套餐:1200, not \'%s\'"'):
        'a configuration error for the log, with an example value',
}


def fail(msg):
    failures.append(msg)
    print('FAIL: ' + msg)


def word_files(root):
    pats = ['kiosk/flows/*.c', 'kiosk/*.c', 'kiosk/*.h', 'ui/*.c', 'kiosk/domain/frame.c',
            'kiosk/domain/types.h', 'kiosk/sync/sync_status.c']
    files = sorted({f for p in pats for f in glob.glob(os.path.join(root, p))})
    return files


def unmarked(path):
    """(line, literal) of each Chinese literal not inside N_( or _(."""
    src = open(path, encoding='utf-8').read()
    found = []
    # Positions of the opening parenthesis of each N_( and _( call, matched to its closing one.
    marked = []
    for m in re.finditer(r'(?<![A-Za-z0-9])N?_\(', src):
        depth, i = 1, m.end()
        while i < len(src) and depth:
            t = TOKENS.match(src, i)
            if t:
                i = t.end()
                continue
            depth += {'(': 1, ')': -1}.get(src[i], 0)
            i += 1
        marked.append((m.end(), i))
    for t in TOKENS.finditer(src):
        s = t.group(0)
        if not s.startswith('"') or not IDEOGRAPH.search(s):
            continue
        if any(a <= t.start() and t.end() <= b for a, b in marked):
            continue
        found.append((src.count('\n', 0, t.start()) + 1, s))
    return found


def po_entries(path):
    """msgid -> (msgstr, fuzzy) of a .po/.pot file (the header left out)."""
    text = open(path, encoding='utf-8').read()
    out = {}
    for block in re.split(r'\n\s*\n', text):
        m = re.search(r'^msgid ((?:".*"\n?)+)msgstr ((?:".*"\n?)+)', block, re.M)
        if not m:
            continue
        mid = ''.join(re.findall(r'"((?:[^"\\]|\\.)*)"', m.group(1)))
        mstr = ''.join(re.findall(r'"((?:[^"\\]|\\.)*)"', m.group(2)))
        if mid == '':
            continue
        fuzzy = bool(re.search(r'^#,.*\bfuzzy\b', block, re.M))
        obsolete = block.lstrip().startswith('#~')
        if not obsolete:
            out[mid] = (mstr, fuzzy)
    return out


def main():
    root = sys.argv[1]
    # The scanner must be able to fail.
    with tempfile.NamedTemporaryFile('w', suffix='.c', delete=False, encoding='utf-8') as f:
        f.write('static const char *a = N_("已标记");\n/* "注释" */\n'
                'static void f(void) { g(_("已" "标记")); h("没有标记"); }\n')
        probe = f.name
    got = unmarked(probe)
    os.unlink(probe)
    if [line for line, _ in got] != [3] or got[0][1] != '"没有标记"':
        fail('the scanner did not find exactly the one unmarked word of its probe: %r' % got)

    files = word_files(root)
    if len(files) < 10:
        fail('only %d files with words found under %s' % (len(files), root))
    for path in files:
        for line, lit in unmarked(path):
            if (os.path.relpath(path, root), lit) in NOT_MESSAGES:
                continue
            fail('%s:%d: %s is not marked N_() or _()' % (os.path.relpath(path, root), line, lit))

    pot = os.path.join(root, 'po', 'kiosk.pot')
    with tempfile.TemporaryDirectory() as tmp:
        fresh = os.path.join(tmp, 'kiosk.pot')
        subprocess.run(['xgettext', '--from-code=UTF-8', '--language=C', '--keyword=N_',
                        '--keyword=_', '-o', fresh] + files, check=True)
        want = set(po_entries(fresh))
    have = po_entries(pot)
    for mid in sorted(want - set(have)):
        fail('po/kiosk.pot lacks "%s": run po/update.sh' % mid)
    for mid in sorted(set(have) - want):
        fail('po/kiosk.pot has "%s", no longer in the sources: run po/update.sh' % mid)
    for mid in have:
        if not re.search(r'[^\x00-\x7f]', mid.encode().decode('unicode_escape')
                         if '\\' in mid else mid):
            fail('msgid "%s" has no Chinese: a clip name or id is not a message' % mid)

    for lang in ('zh_CN', 'en'):
        po = os.path.join(root, 'po', lang + '.po')
        entries = po_entries(po)
        for mid in have:
            if mid not in entries:
                fail('%s.po lacks "%s"' % (lang, mid))
                continue
            mstr, fuzzy = entries[mid]
            if not mstr or fuzzy:
                fail('%s.po: "%s" is %s' % (lang, mid, 'fuzzy' if fuzzy else 'untranslated'))
            if lang == 'zh_CN' and mstr != mid:
                fail('zh_CN.po: the msgstr of "%s" is not its msgid' % mid)
        r = subprocess.run(['msgfmt', '--check', '--statistics', '-o', os.devnull, po],
                           capture_output=True, text=True)
        stats = (r.stdout + r.stderr).strip()
        print('%s: %s' % (lang, stats))
        m = re.search(r'(\d+) translated messages?\.$', stats)
        if r.returncode != 0 or not m or 'untranslated' in stats or 'fuzzy' in stats:
            fail('msgfmt --check --statistics %s.po: %s' % (lang, stats))
        elif int(m.group(1)) != len(have):
            fail('%s.po: %s translated, the template has %d' % (lang, m.group(1), len(have)))

    print('%d words in %d files; %d failures' % (len(have), len(files), len(failures)))
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())
