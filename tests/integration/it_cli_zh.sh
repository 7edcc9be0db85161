#!/usr/bin/env bash
# shellcheck disable=SC2119 # broker_start takes optional broker flags
# Integration (issue 15): the CLI's output in Chinese. With LANGUAGE=zh_CN
# (under C.UTF-8) the main commands of a committee worker's day (member
# list/show, wish post/list/show/claim, merchant register/list/show,
# compact draft/list/show, points balance, report, admin stats, watch, a
# refusal, a broker that does not answer) print no English: every run of
# two or more ASCII letters left on any line must be data the test put in
# (or the broker made: keys, hashes, the zone's name), an option name, a
# unit (MiB, SHA-256) or the stable codes in a refusal's brackets. Zero
# values are shown (`points balance` of a new member: 0, in --json too);
# tables and "label value" lines align by display width; times carry the
# zone's offset. The daemons (broker, web front, metrics, chat bridge) print
# their --help and usage errors in Chinese too, their log lines in English,
# and their English help (LANG=C) for help2man.
# Usage: it_cli_zh.sh BROKER CLI IT_TOOL (SJ_WEB_BIN, SJ_METRICS_BIN and
# SJ_CHAT_BIN in the environment)
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=it_common.sh
source "$(dirname "$0")/it_common.sh"
export LANG=C.UTF-8 LANGUAGE=zh_CN
unset LC_ALL LC_MESSAGES

broker_start --time-zone Asia/Shanghai

# Data values the output may carry; each is removed before the check.
# The program's name (errors start "shangju: "), units and the zone.
ALLOW=("shangju" "Asia/Shanghai" "MiB" "SHA-256")

# no_english WHAT TEXT: fail when TEXT has a run of 2+ ASCII letters that
# is not allowed data, an option name (--after), or the codes that end a
# refusal line ("[PERMISSION_DENIED auth.role]").
no_english() {
    local what=$1 line clean a
    [ -n "$2" ] || fail "$what printed nothing"
    while IFS= read -r line; do
        clean=$line
        for a in "${ALLOW[@]}"; do
            clean=${clean//"$a"/}
        done
        clean=$(sed -E 's/--[a-z][a-z-]*//g;
            s/ \[[A-Z_]+( [a-z_]+\.[a-z_]+)?\]$//' <<<"$clean")
        if grep -qE '[A-Za-z]{2,}' <<<"$clean"; then
            fail "$what: English left in: '$line'"
        fi
    done <<<"$2"
}

# col_of LINE TEXT: the display column where TEXT starts in LINE.
col_of() {
    python3 -c '
import sys, unicodedata
line, text = sys.argv[1], sys.argv[2]
w = lambda s: sum(0 if unicodedata.combining(c) else
                  2 if unicodedata.east_asian_width(c) in "WF" else 1
                  for c in s)
print(w(line[:line.index(text)]))' "$1" "$2"
}

# ---- members: the committee adds a resident and a merchant
expect_rc 0 sj member add --role resident --name "王阿姨" --community 金桥 \
    --building 3号楼 --key-out "$WORK/res.key"
ADDED=$OUT
expect_rc 0 sj member add --role 商户 --name "老李" --key-out "$WORK/mer.key"
ADDED+=$'\n'$OUT
RES=2 MER=3
res() { sj --key "$WORK/res.key" "$@"; }
mer() { sj --key "$WORK/mer.key" "$@"; }
# The broker's own data: the committee's name and every public key.
ALLOW+=("$(sj --json member show 1 | jq -r .name)")
for id in 1 "$RES" "$MER"; do
    ALLOW+=("$(sj --json member show "$id" | jq -r .public_key)")
done
no_english "member add" "$ADDED"

expect_rc 0 sj member list
no_english "member list" "$OUT"
grep -q '居民' <<<"$OUT" || fail "role not in Chinese: $OUT"
# The table aligns by display width: the name column starts at the same
# column on the header and on every row, whatever the names hold.
hdr=$(head -1 <<<"$OUT")
row=$(grep '王阿姨' <<<"$OUT")
[ "$(col_of "$hdr" 名称)" = "$(col_of "$row" 王阿姨)" ] ||
    fail "member list not aligned: $OUT"
expect_rc 0 sj member show "$RES"
no_english "member show" "$OUT"
grep -qE '^角色 +居民$' <<<"$OUT" || fail "no role line: $OUT"
grep -q '完成的心愿' <<<"$OUT" && fail "a merchant's counter on a resident: $OUT"
expect_rc 0 sj member show "$MER"
grep -qE '^完成的心愿 +0$' <<<"$OUT" || fail "zero count not shown: $OUT"
grep -qE '^创建时间 +[0-9-]+ [0-9:]+ \+08:00$' <<<"$OUT" ||
    fail "time without its zone: $OUT"
# Every "label value" line puts its value at the same display column.
[ "$(col_of "$(grep '^角色' <<<"$OUT")" 商户)" = \
    "$(col_of "$(grep '^完成的心愿' <<<"$OUT")" 0)" ] ||
    fail "labels not aligned: $OUT"

# ---- wishes: post (emoji and a combining mark), list, show, claim
TITLE="修自行车 🚲 café"
TITLE=${TITLE/café/cafe$'\u0301'}
# The broker stores text in NFC: the title comes back with é composed.
ALLOW+=("cafe" "caf"$'\u00e9')
expect_rc 0 res wish post "$TITLE" --details $'第一行\n第二行'
no_english "wish post" "$OUT"
WISH=$(res --json wish list | jq -r '.items[0].id')
expect_rc 0 res wish list
no_english "wish list" "$OUT"
grep -q '待认领' <<<"$OUT" || fail "state not in Chinese: $OUT"
expect_rc 0 sj wish show "$WISH"
no_english "wish show" "$OUT"
grep -qE '^已核验 +否$' <<<"$OUT" || fail "false not shown as 否: $OUT"
# Details of two lines print as two lines, the second under the first.
first=$(grep '第一行' <<<"$OUT")
second=$(grep '第二行' <<<"$OUT")
[ "$(col_of "$first" 第一行)" = "$(col_of "$second" 第二行)" ] ||
    fail "a line break not continued under the value: $OUT"
expect_rc 0 mer wish claim "$WISH"
no_english "wish claim" "$OUT"
grep -qE '^认领·商户 +'"$MER"'$' <<<"$OUT" || fail "claim not shown: $OUT"

# ---- a refusal: a resident may not claim; said in Chinese, codes kept
expect_rc 1 res wish claim "$WISH"
no_english "refusal" "$ERR"
grep -q '\[PERMISSION_DENIED auth.role\]$' <<<"$ERR" || fail "codes: $ERR"
grep -q 'wish_claim' <<<"$ERR" && fail "internal name shown: $ERR"
expect_rc 1 sj wish show 999
no_english "not found" "$ERR"

# ---- merchants: lists print as lists
expect_rc 0 mer merchant register --name 老李修车 --category 修理 \
    --specialty 自行车 --specialty 电动车 --service "补胎:5:快"
no_english "merchant register" "$OUT"
expect_rc 0 sj merchant list
no_english "merchant list" "$OUT"
expect_rc 0 sj merchant show "$MER"
no_english "merchant show" "$OUT"
grep -qE '^特色 +自行车$' <<<"$OUT" || fail "list not one a line: $OUT"
grep -qE '^ +电动车$' <<<"$OUT" || fail "list not one a line: $OUT"

# ---- compacts
TODAY=$(TZ=Asia/Shanghai date +%F)
expect_rc 0 sj --json compact draft "金桥共建公约" --from "$TODAY" \
    --to 2035-12-31 --party 1 --party "$MER" \
    --item "$MER:0:免费补胎:2/week" --covenant "守信。"
CID=$(jq -r .id <<<"$OUT")
ALLOW+=("$(jq -r .version_hash <<<"$OUT")")
ALLOW+=("2/week") # the item's "how often", as typed
expect_rc 0 sj compact list
no_english "compact list" "$OUT"
grep -q '谈约中' <<<"$OUT" || fail "compact state not in Chinese: $OUT"
expect_rc 0 sj compact show "$CID"
no_english "compact show" "$OUT"

# ---- points: zero shown, in --json too
expect_rc 0 sj points balance "$RES"
no_english "points balance" "$OUT"
grep -qE '^余额 +0$' <<<"$OUT" || fail "zero balance not shown: $OUT"
expect_rc 0 sj --json points balance "$RES"
jq -e '.balance == 0 and .earned == 0 and .spent == 0' <<<"$OUT" \
    >/dev/null || fail "--json without the zero balance: $OUT"
# --json stays machine form: English keys, raw enum names
expect_rc 0 sj --json member show "$RES"
jq -e '.role == "resident" and .status == "active"' <<<"$OUT" >/dev/null ||
    fail "--json translated: $OUT"

# ---- the report, the statistics, the event log
expect_rc 0 sj report
no_english "report" "$OUT"
grep -q '年度报告' <<<"$OUT" || fail "report title: $OUT"
# A median and its count read as one Chinese phrase: 5 秒（1 个心愿）
grep '中位数' <<<"$OUT" | grep -qE '秒（[0-9]+ 个心愿）$' ||
    fail "median line: $OUT"
expect_rc 0 sj admin stats
# The requests by kind and status are the Prometheus labels' names: the
# lines after that heading are checked for their shape instead.
head_part=$(sed '/^按类型和结果统计的请求：$/,$d' <<<"$OUT")
no_english "admin stats" "$head_part"
sed '1,/^按类型和结果统计的请求：$/d' <<<"$OUT" |
    grep -vE '^  [a-z_]+ +[A-Z_]+ +[0-9]+$' && fail "stats by kind: $OUT"
grep -qE '^时区 +Asia/Shanghai$' <<<"$OUT" || fail "zone: $OUT"
expect_rc 0 sj watch --from 1 --count 4
no_english "watch" "$OUT"
grep -q '心愿已发布' <<<"$OUT" || fail "topic not in Chinese: $OUT"

# ---- a key file others can read: the reason is in Chinese too
cp "$WORK/res.key" "$WORK/loose.key"
chmod 644 "$WORK/loose.key"
ALLOW+=("$WORK/loose.key" "chmod 600")
expect_rc 4 sj --key "$WORK/loose.key" ping
no_english "a key readable by others" "$ERR"
grep -q 'chmod 600' <<<"$ERR" || fail "no chmod hint: $ERR"

# ---- a broker that does not answer
broker_stop
ALLOW+=("$REQ_EP")
SJ_TIMEOUT=300 expect_rc 3 sj ping
no_english "nothing listening" "$ERR"

# ---- the daemons speak the operator's language too: --help and a usage
# error of shangju-broker, -web, -metrics and -chat in Chinese, their log
# lines in English key=value; with LANG=C the English help that help2man
# makes the man pages from.
grep -qE '^ts=[^ ]+ level=info event=started version=' "$BROKER_LOG" ||
    fail "the broker's log line is not English key=value: $(head -3 "$BROKER_LOG")"
grep -P '[\x{4e00}-\x{9fff}]' "$BROKER_LOG" | grep -v ' msg="' | grep -q . &&
    fail "Chinese in the broker's log keys: $(grep -P '[\x{4e00}-\x{9fff}]' "$BROKER_LOG")"
"$BROKER" init --data "$WORK/zh-init" >"$WORK/init.out" 2>>"$BROKER_LOG" ||
    fail "init under zh_CN failed"
grep -q "^已在 $WORK/zh-init 建立新社区：居委会的密钥是 $WORK/zh-init/committee.key；" \
    "$WORK/init.out" || fail "init's answer not in Chinese: $(cat "$WORK/init.out")"

# help_check NAME ENGLISH CHINESE: the Chinese help keeps every option and
# environment name of the English one, starts each option's description in
# the English column, fits 79 columns (a Chinese character takes two) and
# leaves no English phrase (two lower-case words in a row, once option
# names, paths, addresses and URLs are taken out).
help_check() {
    python3 - "$@" <<'PY' || fail "$1 --help in Chinese: see above"
import re, sys, unicodedata
name, en, zh = sys.argv[1:4]
bad = []
width = lambda s: sum(2 if unicodedata.east_asian_width(c) in "WF" else 1
                      for c in s)
for tok in sorted(set(re.findall(r"--[a-z][a-z-]*|SHANGJU_[A-Z_]+", en))):
    if not re.search(re.escape(tok) + r"(?![a-zA-Z_-])", zh):
        bad.append("lost " + tok)
zh_lines = zh.splitlines()
for line in en.splitlines():
    m = re.match(r"( +-[^ ].*?  +)[^ ]", line)
    if m and not any(z.startswith(m.group(1)) and z[len(m.group(1))] != " "
                     for z in zh_lines):
        bad.append("not aligned: " + m.group(1).strip())
for z in zh_lines:
    if width(z) > 79:
        bad.append("over 79 columns: " + z)
    t = re.sub(r"[a-z]+://[^ ）)，,；]*|--[a-z][a-z-]*|shangju-[a-z]+|"
               r"[^ ]*/[^ ]*", "", z)
    if re.search(r"\b[a-z]{2,}[ ,]+[a-z]{2,}\b", t):
        bad.append("English left: " + z)
if not re.search(r"[\u4e00-\u9fff]", zh):
    bad.append("no Chinese at all")
for b in bad:
    print(name + ": " + b, file=sys.stderr)
sys.exit(1 if bad else 0)
PY
}

# daemon_check NAME BIN ZH_ERROR EN_ERROR ARGS...: --help and the usage
# error of ARGS (exit 2) in Chinese under LANGUAGE=zh_CN, in English under
# LANG=C (also with LANGUAGE set: gettext ignores it in the C locale, as
# help2man runs programs).
daemon_check() {
    local name=$1 bin=$2 zh_err=$3 en_err=$4 en zh rc
    shift 4
    [ -x "$bin" ] || fail "no $name binary: '$bin'"
    zh=$("$bin" --help) || fail "$name --help failed"
    en=$(env -u LANGUAGE LANG=C "$bin" --help) || fail "$name --help (C)"
    [ "$(LC_ALL=C "$bin" --help)" = "$en" ] ||
        fail "$name --help with LC_ALL=C and LANGUAGE=zh_CN is not English"
    grep -qi '^usage: ' <<<"$en" || fail "$name English help: $en"
    grep -qP '[\x{4e00}-\x{9fff}]' <<<"$en" && fail "$name: Chinese under LANG=C"
    grep -q '^用法：' <<<"$zh" || fail "$name help not in Chinese: $zh"
    help_check "$name" "$en" "$zh"
    rc=0
    "$bin" "$@" >/dev/null 2>"$WORK/err" || rc=$?
    expect_eq "$name $* exits" "$rc" 2
    grep -qF -e "$zh_err" "$WORK/err" || fail "$name $*: $(cat "$WORK/err")"
    rc=0
    env -u LANGUAGE LANG=C "$bin" "$@" >/dev/null 2>"$WORK/err" || rc=$?
    expect_eq "$name $* exits (C)" "$rc" 2
    grep -qF -e "$en_err" "$WORK/err" || fail "$name $* (C): $(cat "$WORK/err")"
}
daemon_check shangju-broker "$BROKER" '读取线程数“99”无效（应为 0..64）' \
    "bad readers '99' (0..64)" --readers 99
daemon_check shangju-web "${SJ_WEB_BIN:-}" "--per-ip 应为 0..100000" \
    "--per-ip wants 0..100000" --per-ip x
daemon_check shangju-metrics "${SJ_METRICS_BIN:-}" "参数有误" \
    "bad arguments" --timeout 0
daemon_check shangju-chat "${SJ_CHAT_BIN:-}" "--console 需要 --as HANDLE" \
    "--console needs --as HANDLE" --console
echo "it_cli_zh ok"
