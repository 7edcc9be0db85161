#!/usr/bin/env bash
# shellcheck disable=SC2119,SC1111 # broker_start flags; Chinese quotes are text
# Integration: the chat bridge's console transport against a real broker.
# A linked resident posts, a merchant claims and fulfils with the CLI, the
# resident is notified in Chinese and thanks; an unlinked handle gets only
# the refusal; an invite code links a new resident once; LANGUAGE picks the
# language of messages that show none; a bridge stopped while events happen
# delivers them on return, and never twice; the demo's bridge (make run)
# works with no key option.
# Usage: it_chat_console.sh BROKER_BIN CLI_BIN IT_TOOL_BIN CHAT_BIN
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=it_common.sh
source "$(dirname "$0")/it_common.sh"
CHAT=${4:?usage: $0 BROKER CLI IT_TOOL CHAT}
export LANG=C.UTF-8 LANGUAGE=zh_CN

broker_start
K=$WORK/keys
mkdir -p "$K"
expect_rc 0 sj --json member add --role bridge --name Console \
    --key-out "$K/bridge.key"
BRI=$(jq -r .id <<<"$OUT")
expect_rc 0 sj --json member add --role resident --name "Grandma Wang" \
    --building B3 --contact 138-0013-8000 --key-out "$K/res.key"
RES=$(jq -r .id <<<"$OUT")
expect_rc 0 sj --json member add --role resident --name "Mr Li" \
    --building B5 --key-out "$K/res2.key"
RES2=$(jq -r .id <<<"$OUT")
expect_rc 0 sj --json member add --role merchant --name "Golden Bakery" \
    --contact 139-9999-0000 --key-out "$K/m.key"
m() { sj --key "$K/m.key" "$@"; }

expect_rc 0 sj --json member link "$RES" --chat auntie --bridge "$BRI"
expect_eq "linked handle" "$(jq -r .chat_handle <<<"$OUT")" auntie
expect_rc 1 sj member link "$RES2" --chat auntie --bridge "$BRI"
grep -q ALREADY_EXISTS <<<"$ERR" || fail "duplicate handle: $ERR"

# chat [--as HANDLE]: the bridge on the console; input from $WORK/in.$H.
CHAT_PID=
chat_start() {
    local h=$1
    rm -f "$WORK/in.$h"
    mkfifo "$WORK/in.$h"
    "$CHAT" --data "$DATA" --key "$K/bridge.key" --requests "$REQ_EP" \
        --events "$EV_EP" --console --as "$h" <"$WORK/in.$h" \
        >>"$WORK/out.$h" 2>>"$WORK/chat.log" &
    CHAT_PID=$!
    BG_PIDS+=("$CHAT_PID")
    exec 3>"$WORK/in.$h"
}
chat_stop() { # close the input: the bridge finishes and exits 0
    exec 3>&-
    local rc=0
    wait "$CHAT_PID" || rc=$?
    [ "$rc" -eq 0 ] || fail "shangju-chat exited $rc"
}
send() { printf '%s\n' "$1" >&3; }
# wait_for HANDLE TEXT [SECONDS]: until out.HANDLE holds TEXT.
wait_for() {
    local i n=$((${3:-5} * 20))
    for ((i = 0; i < n; i++)); do
        grep -qF -- "$2" "$WORK/out.$1" 2>/dev/null && return 0
        sleep 0.05
    done
    echo "---- out.$1 ----" >&2
    cat "$WORK/out.$1" >&2 || true
    tail -5 "$WORK/chat.log" >&2 || true
    fail "no '$2' for $1 within ${3:-5} s"
}
count() { grep -cF -- "$2" "$WORK/out.$1" || true; }

# ---- a linked resident posts, is notified, thanks
chat_start auntie
send "心愿 想学做月饼"
wait_for auntie "已发布"
W=$(sj --json wish list | jq -r '.items[-1].id')
expect_eq "owner" "$(sj --json wish show "$W" | jq -r .owner_id)" "$RES"
expect_rc 0 m wish claim "$W"
T0=$(date +%s%N)
wait_for auntie "Golden Bakery" 2
T1=$(date +%s%N)
echo "claim notification after $(((T1 - T0) / 1000000)) ms"
grep -q "139-9999" "$WORK/out.auntie" && fail "merchant contact leaked"
expect_rc 0 m wish fulfil "$W"
wait_for auntie "谢谢 $W 5" 2
send "谢谢 $W 5 太好了"
wait_for auntie "谢谢您！第 $W 号心愿已完成"
expect_eq "closed" "$(sj --json wish show "$W" | jq -r .state)" closed
# the notice of the close (thanks; the merchant's points are not the
# bridge's to see)
wait_for auntie "您的第 $W 号心愿“想学做月饼”已完成" 2
send "我的心愿"
wait_for auntie "您的心愿："
send "cancle 3"
wait_for auntie "您是想发送“cancel 3”吗"
chat_stop

# ---- an unlinked handle: the refusal and nothing else
chat_start stranger
send "心愿 让我进去"
send "看 $W"
chat_stop
expect_eq "refusals" "$(count stranger 居委会)" 2
grep -q "月饼\|Grandma\|Golden" "$WORK/out.stranger" &&
    fail "an unlinked handle learnt something"
expect_eq "wishes" "$(sj --json wish list | jq '.items | length')" 1

# ---- an invite code links a new resident exactly once
expect_rc 0 sj --json member invite "$RES2" --bridge "$BRI"
CODE=$(jq -r .code <<<"$OUT")
chat_start newbie
send "加入 $CODE"
wait_for newbie "欢迎您，Mr Li"
send "wish Fix the bike"
wait_for newbie "is posted"
chat_stop
chat_start other
send "加入 $CODE"
chat_stop
grep -q "邀请码无效" "$WORK/out.other" || fail "the code worked twice"
expect_eq "Mr Li's handle" "$(sj --json member show "$RES2" | jq -r .chat_handle)" newbie
# ... and unlinked again: the handle is a stranger once more.
expect_rc 0 sj member unlink "$RES2"
chat_start newbie
send "积分"
wait_for newbie "请联系居委会"
chat_stop

# ---- LANGUAGE picks the language of a message that shows none
printf '123\n' | LANGUAGE=en "$CHAT" --data "$DATA" --key "$K/bridge.key" \
    --requests "$REQ_EP" --events "$EV_EP" --console --as nobody \
    >"$WORK/out.en" 2>>"$WORK/chat.log"
grep -q "neighbourhood committee" "$WORK/out.en" || fail "not English"
printf '123\n' | LANGUAGE=zh_CN "$CHAT" --data "$DATA" --key "$K/bridge.key" \
    --requests "$REQ_EP" --events "$EV_EP" --console --as nobody \
    >"$WORK/out.zh" 2>>"$WORK/chat.log"
grep -q "居委会" "$WORK/out.zh" || fail "not Chinese"

# ---- notifications while the bridge is down arrive on return, once
W2=$(sj --json wish post "Photos" --for "$RES" | jq -r .id)
expect_rc 0 m wish claim "$W2"
: >"$WORK/out.auntie"
chat_start auntie
wait_for auntie "第 $W2 号心愿“Photos”已被Golden Bakery认领" 3
sleep 0.5
chat_stop
chat_start auntie
send "积分"
wait_for auntie "积分："
chat_stop
expect_eq "claim notices of W2" "$(count auntie "第 $W2 号心愿“Photos”已被")" 1
# The bridge's log lines carry the community's time with its offset.
grep -q 'event=subscribed' "$WORK/chat.log" || fail "no subscribed line"
grep 'level=' "$WORK/chat.log" | grep -v '^ts=[0-9-]*T[0-9:.]*+08:00 level=' &&
    fail "chat log lines not stamped in +08:00"
# ---- `make run`'s demo: shangju-chat finds the demo bridge's key with no
# --key, Auntie Wang's handle is linked to it, and the bridge begins at the
# present (the demo's claim of Li's wish is not told, nothing announced)
broker_stop
DATA=$WORK/demo
broker_init --demo
broker_start
printf '我的心愿\n' | "$CHAT" --data "$DATA" --requests "$REQ_EP" \
    --events "$EV_EP" --console --as wang@demo.example \
    >"$WORK/out.demo" 2>>"$WORK/chat.log"
grep -q "修收音机" "$WORK/out.demo" || fail "demo: $(cat "$WORK/out.demo")"
grep -q "重拍结婚照" "$WORK/out.demo" || fail "demo: $(cat "$WORK/out.demo")"
grep -E "认领了|已被|\[room\]" "$WORK/out.demo" &&
    fail "the demo bridge replayed the demo's history"
echo "it_chat_console: ok"
