#!/usr/bin/env bash
# The catalogue is complete: every string marked in the sources (_(), N_(),
# C_(), sj_tr()) has a translation in every language of po/LINGUAS, none is
# fuzzy, and every source file that marks strings is listed in
# po/POTFILES.in (so a new file cannot slip past this check).
# Usage: po_complete.sh SOURCE_DIR BUILD_DIR
set -euo pipefail
src=$1 build=$2
cd "$src"
files=$(grep -v '^#' po/POTFILES.in | sed '/^$/d')
fail=0
for f in $files; do
    [ -f "$f" ] || { echo "po/POTFILES.in lists $f, which does not exist"; fail=1; }
done
# Files that mark strings but are not listed.
while read -r f; do
    grep -qxF "$f" po/POTFILES.in || { echo "$f marks strings but is not in po/POTFILES.in"; fail=1; }
done < <(grep -rlE '(\b_|\bN_|\bC_|\bNC_|\bsj_tr|\bSJ_HELP)\(' --include=*.c --include=*.h broker clients proto 2>/dev/null \
         | grep -v -e 'proto/i18n.h' -e 'clients/cli/cli.h' | sort)
pot="$build/shangju.pot"
# shellcheck disable=SC2086
xgettext --from-code=UTF-8 --language=C -k_ -kN_ -kC_:1c,2 -ksj_tr:2 -kNC_:1c,2 -kSJ_HELP \
    --add-comments=TRANSLATORS: -o "$pot" $files
for lang in $(grep -v '^#' po/LINGUAS); do
    po="po/$lang.po"
    msgfmt --check -o /dev/null "$po" || fail=1
    if ! msgcmp "$po" "$pot" 2> "$build/msgcmp.$lang.log"; then
        echo "$po is missing translations:"; cat "$build/msgcmp.$lang.log"; fail=1
    fi
    # msgcmp does not see untranslated entries whose msgid exists.
    untranslated=$(msgattrib --untranslated --no-obsolete "$po" | grep -c '^msgid ' || true)
    if [ "$untranslated" -gt 0 ]; then
        echo "$po has untranslated entries:"; msgattrib --untranslated --no-obsolete "$po"; fail=1
    fi
    fuzzy=$(msgattrib --only-fuzzy --no-obsolete "$po")
    if [ -n "$fuzzy" ]; then echo "$po has fuzzy entries:"; echo "$fuzzy"; fail=1; fi
done
[ "$fail" = 0 ] && echo "catalogue complete: $(grep -c '^msgid ' "$pot") messages"
exit "$fail"
