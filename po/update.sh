#!/bin/sh
# po/update.sh - remakes po/kiosk.pot from the sources (every N_() and _() word) and brings
# po/zh_CN.po and po/en.po up to date with it: zh_CN's msgstr is the msgid (Chinese is the source
# language); en keeps its translations, and a new or changed word shows as untranslated or fuzzy
# until someone writes its English (the i18n_catalogs test fails meanwhile).
set -eu
cd "$(dirname "$0")/.."
# The files with words on screen: scripts/i18n-scan.py checks the same list for unmarked Chinese.
files=$(ls kiosk/flows/*.c kiosk/*.c kiosk/*.h ui/*.c kiosk/domain/frame.c kiosk/domain/types.h \
    kiosk/sync/sync_status.c | LC_ALL=C sort)
# shellcheck disable=SC2086 # one word per file
xgettext --from-code=UTF-8 --language=C --keyword=N_ --keyword=_ --add-comments=TRANSLATORS: \
    --package-name=kiosk --msgid-bugs-address=none --sort-by-file \
    -o po/kiosk.pot $files
# zh_CN: msgstr = msgid, under a fixed header (msgen's would carry the template's placeholders).
{
    printf '%s\n' '# Chinese words of the kiosk: the source language, so every msgstr is its msgid.' \
        'msgid ""' 'msgstr ""' '"Project-Id-Version: kiosk\n"' \
        '"PO-Revision-Date: 2026-12-01 00:00+0800\n"' \
        '"Last-Translator: kiosk maintainers\n"' '"Language-Team: zh_CN\n"' \
        '"Language: zh_CN\n"' '"MIME-Version: 1.0\n"' \
        '"Content-Type: text/plain; charset=UTF-8\n"' '"Content-Transfer-Encoding: 8bit\n"' \
        '"Plural-Forms: nplurals=1; plural=0;\n"'
    msgen --no-wrap po/kiosk.pot | awk 'body { print } /^$/ { body = 1 }' | sed '1s/^/\n/'
} > po/zh_CN.po.new
mv po/zh_CN.po.new po/zh_CN.po
if [ -f po/en.po ]; then
    msgmerge --quiet --update --backup=none --no-wrap po/en.po po/kiosk.pot
else
    msginit --no-translator --no-wrap --locale=en_US.UTF-8 -i po/kiosk.pot -o po/en.po
fi
