#!/usr/bin/env bash
# Compose test: build the image, bring up docker-compose.yml under a unique
# project name on free host ports, wait until the container is healthy, run
# a wish lifecycle with the CLI inside the container, reach the published
# ports from the host with keys copied out of the volume, restart the broker
# (it must stop on SIGTERM in < 2 s with status 0) and find the data again,
# check the runtime image is non-root and has no compiler, then (when the
# CLI has `admin`) back up, rekey, and restore the backup into a fresh volume
# under a second broker. The `web` service (the public web front, with its
# own key made by the `web-key` step) must become healthy and answer a
# merchant's page /m/ID on its published port with the shop's name, and a
# wish page without the resident's contact. Everything it creates is
# removed on any exit; the image is kept as a build cache.
#
# Usage: bash tests/compose/run.sh
# Engine: `docker compose` when `docker info` succeeds, else podman +
# podman-compose (../shared/tools/container-engine.sh prepares them).
# Environment: SJ_COMPOSE_IMAGE (default localhost/shangju:compose-test),
# SJ_COMPOSE_KEEP=1 keeps the stack and volumes for inspection.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
PROJECT=shangju-test-$$
IMAGE=${SJ_COMPOSE_IMAGE:-localhost/shangju:compose-test}
COMPOSE_FILE=$ROOT/docker-compose.yml
WORK=$(mktemp -d "${TMPDIR:-/tmp}/sj-compose.XXXXXX")
LOG=$WORK/compose.log
VAR=/var/lib/shangju
CID=               # the compose service's container
WEB_CID=           # the web front's container
RESTORE_CTR=       # the second broker, on the restored volume
RESTORE_VOL=
EMPTY_VOL=
DATA_VOL=
BACKUP_VOL=
T0=$SECONDS
declare -A TIMES=()

command -v jq >/dev/null || { echo "FAIL: jq is required" >&2; exit 1; }
if command -v docker >/dev/null 2>&1 && docker info >/dev/null 2>&1; then
    ENGINE=docker
    COMPOSE=(docker compose)
elif command -v podman >/dev/null 2>&1 &&
    command -v podman-compose >/dev/null 2>&1; then
    ENGINE=podman
    COMPOSE=(podman-compose)
else
    echo "FAIL: no container engine: need a running docker with the compose" \
        "plugin, or podman + podman-compose" \
        "(bash ../shared/tools/container-engine.sh)" >&2
    exit 1
fi

fail() {
    echo "FAIL: $*" >&2
    exit 1
}
step() { printf '== [%3ss] %s\n' "$((SECONDS - T0))" "$*"; }
now_ms() { echo $(($(date +%s%N) / 1000000)); }

# compose ARGS...: the stack's compose command; its chatter goes to $LOG.
compose() {
    "${COMPOSE[@]}" -p "$PROJECT" -f "$COMPOSE_FILE" "$@" >>"$LOG" 2>&1
}

cleanup() {
    local rc=$?
    set +e
    if [ "$rc" -ne 0 ]; then
        for c in $CID $WEB_CID $RESTORE_CTR; do
            echo "---- logs of $c ----" >&2
            "$ENGINE" logs "$c" 2>&1 | tail -n 30 >&2
        done
        echo "---- compose log (tail) ----" >&2
        tail -n 20 "$LOG" >&2
    fi
    if [ -n "${SJ_COMPOSE_KEEP:-}" ]; then
        echo "kept: project $PROJECT, volumes $DATA_VOL $RESTORE_VOL," \
            "container $RESTORE_CTR, work dir $WORK" >&2
        exit "$rc"
    fi
    [ -z "$RESTORE_CTR" ] || "$ENGINE" rm -f "$RESTORE_CTR" >/dev/null 2>&1
    compose down -v
    for v in $RESTORE_VOL $EMPTY_VOL $DATA_VOL $BACKUP_VOL; do
        "$ENGINE" volume rm -f "$v" >/dev/null 2>&1
    done
    # podman-compose 1.0.x leaves the project's network behind.
    for n in $("$ENGINE" network ls -q \
        --filter "label=com.docker.compose.project=$PROJECT" 2>/dev/null); do
        "$ENGINE" network rm -f "$n" >/dev/null 2>&1
    done
    rm -rf "$WORK"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# A host port nobody listens on (the test must not clash with a running
# broker on 7400/7401 or with another run of itself).
free_port() {
    local p
    for _ in $(seq 1 200); do
        p=$((20000 + RANDOM % 20000))
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
            echo "$p"
            return 0
        fi
    done
    fail "no free port"
}

health() {
    "$ENGINE" inspect --format \
        '{{if .State.Health}}{{.State.Health.Status}}{{end}}' "$1"
}

# wait_healthy CONTAINER: bounded wait for the image's HEALTHCHECK to pass.
# Podman schedules health checks with systemd timers; without systemd it
# never runs them, so here the test runs the container's own check itself.
wait_healthy() {
    local c=$1 deadline=$((SECONDS + 120)) st
    while :; do
        st=$(health "$c")
        [ "$st" = healthy ] && return 0
        [ "$("$ENGINE" inspect --format '{{.State.Running}}' "$c")" = true ] ||
            fail "container $c stopped while waiting for health ($st)"
        ((SECONDS < deadline)) || fail "$c not healthy after 120 s ($st)"
        if [ "$ENGINE" = podman ]; then
            podman healthcheck run "$c" >/dev/null 2>&1 || true
        fi
        sleep 1
    done
}

# in_broker CMD...: run CMD in the broker service's container. podman-compose
# 1.0.x prints its own command lines on stdout and drops the exit status of
# `exec`, so with podman the container is addressed directly.
in_broker() {
    if [ "$ENGINE" = docker ]; then
        docker compose -p "$PROJECT" -f "$COMPOSE_FILE" exec -T broker "$@"
    else
        podman exec "$CID" "$@"
    fi
}

# sj WANT_RC [CLI args...]: the CLI in the container (committee key by
# default); stdout in $OUT, stderr in $ERR, exit status must be WANT_RC.
OUT=
ERR=
sj() {
    local want=$1 rc=0
    shift
    OUT=$(in_broker shangju --timeout 3000 "$@" 2>"$WORK/err") || rc=$?
    ERR=$(<"$WORK/err")
    [ "$rc" -eq "$want" ] ||
        fail "shangju $*: exit $rc, wanted $want; stderr: $ERR; stdout: $OUT"
}
expect_eq() { [ "$2" = "$3" ] || fail "$1: got '$2', wanted '$3'"; }

# stop_timed CONTAINER: SIGTERM; the broker must be gone in < 2 s, status 0.
stop_timed() {
    local c=$1 t
    t=$(now_ms)
    "$ENGINE" stop -t 10 "$c" >>"$LOG" 2>&1
    t=$(($(now_ms) - t))
    TIMES[stop_ms_$c]=$t
    echo "   stopped $c in ${t} ms"
    ((t < 2000)) || fail "stopping $c took ${t} ms (limit 2000)"
    expect_eq "exit status of $c" \
        "$("$ENGINE" inspect --format '{{.State.ExitCode}}' "$c")" 0
    "$ENGINE" logs "$c" 2>&1 | grep 'event=stopped' >/dev/null ||
        fail "$c: no event=stopped in its log"
}

# ---------------------------------------------------------------- build
step "engine: $ENGINE ($("$ENGINE" --version)); project $PROJECT"
HOST_REQ=$(free_port)
HOST_EV=$(free_port)
while [ "$HOST_EV" = "$HOST_REQ" ]; do HOST_EV=$(free_port); done
HOST_WEB=$(free_port)
while [ "$HOST_WEB" = "$HOST_REQ" ] || [ "$HOST_WEB" = "$HOST_EV" ]; do
    HOST_WEB=$(free_port)
done
export SHANGJU_IMAGE=$IMAGE SHANGJU_HOST_ADDR=127.0.0.1 \
    SHANGJU_HOST_REQUESTS_PORT=$HOST_REQ SHANGJU_HOST_EVENTS_PORT=$HOST_EV \
    SHANGJU_HOST_WEB_PORT=$HOST_WEB \
    SHANGJU_LOG_LEVEL=info SHANGJU_MAP_SIZE=256 \
    SHANGJU_PUBLIC_URL=https://example.test/sj

step "build $IMAGE"
t=$SECONDS
if [ "$ENGINE" = docker ]; then
    compose build broker || fail "image build failed (see above)"
else
    # podman-compose 1.0.x ignores `build: network:`; build as compose would.
    podman build --network=host --format docker -t "$IMAGE" "$ROOT" \
        >>"$LOG" 2>&1 || fail "image build failed (see above)"
fi
TIMES[build_s]=$((SECONDS - t))
SIZE=$("$ENGINE" image inspect --format '{{.Size}}' "$IMAGE")
echo "   built in ${TIMES[build_s]} s; image size $((SIZE / 1000000)) MB"

# ---------------------------------------------------------------- image checks
step "runtime image: non-root user, no compiler"
# shellcheck disable=SC2016 # expanded by the container's shell
check_script='
set -e
echo "uid=$(id -u)"
for b in gcc cc cpp c++ g++ c89 c99 clang tcc; do
    if command -v "$b" >/dev/null 2>&1; then echo "found $b"; exit 1; fi
done
for d in /bin /usr/bin /usr/local/bin /sbin /usr/sbin; do
    if ls "$d" | grep -E "(^|-)(gcc|g\+\+|cpp|clang)(-[0-9.]+)?$"; then exit 1; fi
done
if [ -d /usr/lib/gcc ] && find /usr/lib/gcc -name "cc1*" | grep .; then exit 1; fi
for b in shangju shangju-broker shangju-web mdb_stat mdb_copy shangju-web-key \
    shangju-web-start shangju-web-health; do command -v "$b" >/dev/null; done
'
IMG_OUT=$("$ENGINE" run --rm --no-healthcheck --entrypoint /bin/sh "$IMAGE" \
    -c "$check_script") ||
    fail "image check: $IMG_OUT"
IMG_UID=${IMG_OUT#uid=}
[ "$IMG_UID" != 0 ] || fail "the image runs as root"
echo "   uid $IMG_UID; no gcc/cc/cpp/c++/clang; shangju, shangju-web, mdb_stat, mdb_copy present"
# The image's metadata: a numeric user, OCI labels, the community's zone.
user=$("$ENGINE" image inspect --format '{{.Config.User}}' "$IMAGE")
[[ $user =~ ^[0-9]+(:[0-9]+)?$ ]] || fail "USER is not numeric: '$user'"
title=$("$ENGINE" image inspect --format \
    '{{index .Config.Labels "org.opencontainers.image.title"}}' "$IMAGE")
[ "$title" = shangju ] || fail "no OCI title label: '$title'"
"$ENGINE" image inspect --format '{{.Config.Env}}' "$IMAGE" | grep -q 'TZ=Asia/Shanghai' ||
    fail "no TZ in the image"
# The entrypoint passes another command through, as the image's user.
out=$("$ENGINE" run --rm --no-healthcheck "$IMAGE" shangju --version) ||
    fail "the entrypoint did not pass 'shangju --version' through: $out"
[[ $out == "shangju "* ]] || fail "pass-through printed '$out'"
out=$("$ENGINE" run --rm --no-healthcheck "$IMAGE" id -u)
[ "$out" = "$IMG_UID" ] || fail "a passed-through command ran as uid $out"
# Started as root (a bind-mounted directory owned by another user), it
# gives the directory to shangju and still runs the command as shangju.
mkdir -p "$WORK/bind"
out=$("$ENGINE" run --rm --no-healthcheck --user 0 -v "$WORK/bind:/var/lib/shangju:Z" \
    "$IMAGE" sh -c 'id -u; stat -c %u /var/lib/shangju') ||
    fail "root start with a bind mount failed: $out"
[ "$(echo "$out" | tr '\n' ' ')" = "$IMG_UID $IMG_UID " ] ||
    fail "root start: ran as / gave the directory to: $out"
echo "   numeric USER $user, OCI labels, TZ; the entrypoint passes commands through and drops root"
# An empty volume is not made a community unless SHANGJU_INIT=1 asks: the
# broker refuses it, names the way out, and writes nothing there.
EMPTY_VOL=$PROJECT-empty
rc=0
out=$("$ENGINE" run --rm --no-healthcheck -v "$EMPTY_VOL:$VAR" "$IMAGE" 2>&1) ||
    rc=$?
expect_eq "broker on an empty volume without SHANGJU_INIT exits" "$rc" 1
grep -q 'SHANGJU_INIT=1' <<<"$out" || fail "no SHANGJU_INIT hint: $out"
grep -q 'event=datadir_uninitialised' <<<"$out" || fail "no refusal: $out"
# (a new volume starts as a copy of the image's directory: backups/, the
# mount point of the backups volume)
out=$("$ENGINE" run --rm --no-healthcheck -v "$EMPTY_VOL:$VAR" \
    --entrypoint /bin/sh "$IMAGE" -c "ls -A $VAR | grep -vx backups") || true
[ -z "$out" ] || fail "a refused start wrote into the volume: $out"
# The health check signs with the monitor key, not the committee's.
# (the whole inspect JSON: docker and podman put the check in different
# places; nothing else in the image names monitor.key)
"$ENGINE" image inspect "$IMAGE" | grep -q '/var/lib/shangju/monitor.key' ||
    fail "the image's health check does not use monitor.key"
echo "   an empty volume is refused without SHANGJU_INIT=1; the health check uses monitor.key"

# ---------------------------------------------------------------- up
step "compose up (host ports $HOST_REQ, $HOST_EV, web $HOST_WEB)"
t=$SECONDS
compose up -d --no-build || fail "compose up failed"
CID=$("$ENGINE" ps -a --filter "label=com.docker.compose.project=$PROJECT" \
    --filter label=com.docker.compose.service=broker --format '{{.Names}}' |
    head -n1)
[ -n "$CID" ] || fail "no broker container for project $PROJECT"
DATA_VOL=$("$ENGINE" inspect --format \
    "{{range .Mounts}}{{if eq .Destination \"$VAR\"}}{{.Name}}{{end}}{{end}}" \
    "$CID")
[ -n "$DATA_VOL" ] || fail "no named volume at $VAR in $CID"
BACKUP_VOL=$("$ENGINE" inspect --format \
    "{{range .Mounts}}{{if eq .Destination \"$VAR/backups\"}}{{.Name}}{{end}}{{end}}" \
    "$CID")
[ -n "$BACKUP_VOL" ] || fail "no backups volume at $VAR/backups in $CID"
wait_healthy "$CID"
TIMES[healthy_s]=$((SECONDS - t))
echo "   $CID healthy after ${TIMES[healthy_s]} s; volume $DATA_VOL"
expect_eq "uid in the container" "$(in_broker id -u)" "$IMG_UID"
"$ENGINE" logs "$CID" 2>&1 | grep "event=committee_key_created" >/dev/null ||
    fail "first start did not create the committee key"
"$ENGINE" logs "$CID" 2>&1 | grep "event=monitor_key_created" >/dev/null ||
    fail "first start did not create the monitor key"
in_broker test -s "$VAR/monitor.key" || fail "no monitor.key in the volume"
# the compose file's health check signs with the monitor key as well
"$ENGINE" inspect "$CID" | grep -q '/var/lib/shangju/monitor.key' ||
    fail "the compose health check does not use monitor.key"
in_broker shangju --key "$VAR/monitor.key" --timeout 3000 wish list \
    >/dev/null 2>&1 && fail "the monitor key lists wishes"

# ---------------------------------------------------------------- lifecycle
step "wish lifecycle through the CLI in the container"
sj 0 --json whoami
expect_eq "committee role" "$(jq -r .role <<<"$OUT")" committee
sj 0 --json member add --role resident --name "Compose Resident" \
    --community Xinhua --building B3 --contact 138-0000-0000 \
    --key-out "$VAR/test-resident.key"
RES=$(jq -r .id <<<"$OUT")
sj 0 --json member add --role merchant --name "Compose Bakery" \
    --key-out "$VAR/test-merchant.key"
MER=$(jq -r .id <<<"$OUT")
in_broker test -s "$VAR/test-merchant.key" || fail "no merchant key file"
res() { sj "$1" --key "$VAR/test-resident.key" "${@:2}"; }
mer() { sj "$1" --key "$VAR/test-merchant.key" "${@:2}"; }

res 0 --json wish post "Fix the bicycle" --details "rear brake" \
    --category repair
W=$(jq -r .id <<<"$OUT")
expect_eq "posted" "$(jq -r .state <<<"$OUT")" open
expect_eq "owner" "$(jq -r .owner_id <<<"$OUT")" "$RES"
res 0 --json wish post "Second wish, left open"
W2=$(jq -r .id <<<"$OUT")
mer 0 --json wish claim "$W"
expect_eq "claimed" "$(jq -r .state <<<"$OUT")" claimed
expect_eq "claimant" "$(jq -r .claim.merchant_id <<<"$OUT")" "$MER"
mer 0 --json wish fulfil "$W"
expect_eq "fulfilled" "$(jq -r .state <<<"$OUT")" fulfilled
res 0 --json wish confirm "$W" --thanks "谢谢" --rating 5
expect_eq "closed" "$(jq -r .state <<<"$OUT")" closed
mer 1 wish claim "$W"
grep -q FAILED_PRECONDITION <<<"$ERR" || fail "claim of a closed wish: $ERR"
echo "   resident $RES, merchant $MER: wish $W open→claimed→fulfilled→closed;" \
    "wish $W2 open"

# ---------------------------------------------------------------- from the host
step "from the host: keys copied out of the volume, published ports"
KEYS=$WORK/keys
mkdir -p "$KEYS"
"$ENGINE" cp "$CID:$VAR/committee.key" "$KEYS/committee.key"
"$ENGINE" cp "$CID:$VAR/server.pub" "$KEYS/server.pub"
# The image's CLI in the host's network namespace, as the host user, so it
# goes through the published 127.0.0.1 ports like a host-installed CLI.
host_sj() {
    "$ENGINE" run --rm --no-healthcheck --network host \
        --user "$(id -u):$(id -g)" \
        -v "$KEYS:/keys:ro" --entrypoint shangju "$IMAGE" \
        --key /keys/committee.key --server-key /keys/server.pub \
        --requests "tcp://127.0.0.1:$HOST_REQ" \
        --events "tcp://127.0.0.1:$HOST_EV" --timeout 3000 "$@"
}
OUT=$(host_sj --json wish show "$W") || fail "host CLI: wish show $W"
expect_eq "state seen from the host" "$(jq -r .state <<<"$OUT")" closed
OUT=$(host_sj --json watch --from 1 --count 3) || fail "host CLI: watch"
expect_eq "events from the host" "$(grep -c . <<<"$OUT")" 3
echo "   ping/show on $HOST_REQ and watch on $HOST_EV answered"

# ---------------------------------------------------------------- web front
step "the web front: its own key, healthy, a shop's page from the host"
command -v curl >/dev/null || fail "curl is required"
mer 0 --json merchant register --name "晨光面包房 Morning Bakery" \
    --category bakery --specialty "手工全麦面包" --address "新华路 12 号"
WEB_CID=$("$ENGINE" ps -a --filter "label=com.docker.compose.project=$PROJECT" \
    --filter label=com.docker.compose.service=web --format '{{.Names}}' |
    head -n1)
[ -n "$WEB_CID" ] || fail "no web container for project $PROJECT"
t=$SECONDS
wait_healthy "$WEB_CID"
TIMES[web_healthy_s]=$((SECONDS - t))
expect_eq "uid of the web front" "$("$ENGINE" exec "$WEB_CID" id -u)" "$IMG_UID"
expect_eq "web front's root file system read-only" \
    "$("$ENGINE" inspect --format '{{.HostConfig.ReadonlyRootfs}}' "$WEB_CID")" \
    true
# It mounts only its own volume: no committee key, no store.
"$ENGINE" exec "$WEB_CID" test -e "$VAR/committee.key" &&
    fail "the web front sees the committee key"
"$ENGINE" exec "$WEB_CID" test -s /var/lib/shangju-web/web.key ||
    fail "no web.key in the web front's volume"
sj 0 --json member list --role web
expect_eq "members of the web role" "$(jq -r '.items | length' <<<"$OUT")" 1
# web_get PATH: the page from the host through the published port; body in
# $WEB_BODY, status in $WEB_CODE.
web_get() {
    WEB_CODE=$(curl -sS -o "$WORK/page" -w '%{http_code}' --max-time 5 \
        "http://127.0.0.1:$HOST_WEB$1") || fail "curl $1 failed"
    WEB_BODY=$(<"$WORK/page")
}
web_get "/m/$MER"
expect_eq "GET /m/$MER" "$WEB_CODE" 200
grep -q '晨光面包房 Morning Bakery' <<<"$WEB_BODY" ||
    fail "/m/$MER lacks the shop's name: $(head -c 300 <<<"$WEB_BODY")"
grep -q '手工全麦面包' <<<"$WEB_BODY" || fail "/m/$MER lacks the specialty"
web_get "/w/$W"
expect_eq "GET /w/$W" "$WEB_CODE" 200
grep -q 'Fix the bicycle' <<<"$WEB_BODY" || fail "/w/$W lacks the title"
grep -q '138-0000-0000' <<<"$WEB_BODY" && fail "/w/$W shows the contact"
grep -q 'Compose Resident' <<<"$WEB_BODY" && fail "/w/$W shows the resident"
web_get "/m/999999"
expect_eq "GET /m/999999" "$WEB_CODE" 404
echo "   web front healthy after ${TIMES[web_healthy_s]} s on port $HOST_WEB:" \
    "/m/$MER shows the shop, /w/$W no contact, unknown id 404"

# ---------------------------------------------------------------- restart
step "restart: SIGTERM, start again, data still there"
stop_timed "$CID"
t=$SECONDS
compose start broker || fail "compose start failed"
wait_healthy "$CID"
TIMES[restart_healthy_s]=$((SECONDS - t))
sj 0 --json wish show "$W"
expect_eq "after restart: $W" "$(jq -r .state <<<"$OUT")" closed
expect_eq "after restart: rating" "$(jq -r .rating <<<"$OUT")" 5
sj 0 --json wish show "$W2"
expect_eq "after restart: $W2" "$(jq -r .state <<<"$OUT")" open
res 0 --json whoami
expect_eq "resident key after restart" "$(jq -r .id <<<"$OUT")" "$RES"
expect_eq "committee keys created over two starts" \
    "$("$ENGINE" logs "$CID" 2>&1 | grep -c event=committee_key_created)" 1
echo "   healthy again after ${TIMES[restart_healthy_s]} s; wishes and keys kept"
# The web front kept running while the broker was away and reaches it again.
deadline=$((SECONDS + 15))
until web_get "/m/$MER" && [ "$WEB_CODE" = 200 ]; do
    ((SECONDS < deadline)) || fail "web front after the broker's restart: $WEB_CODE"
    sleep 0.5
done
echo "   the web front answers /m/$MER again without a restart of its own"

# ---------------------------------------------------------------- admin
if ! in_broker shangju admin --help >/dev/null 2>&1; then
    fail "the image's shangju has no 'admin' command"
else
    step "admin: stats, hot backup, rekey"
    sj 0 --json admin stats
    echo "   stats: $(jq -c . <<<"$OUT" | cut -c1-200)"
    sj 0 admin backup compose-test
    for f in data.mdb server.key server.pub monitor.key; do
        in_broker test -s "$VAR/backups/compose-test/$f" ||
            fail "backup lacks $f"
    done
    sj 0 --json member rekey "$RES" --key-out "$VAR/test-resident-2.key"
    sj 3 --key "$VAR/test-resident.key" --timeout 500 whoami
    sj 0 --key "$VAR/test-resident-2.key" --json whoami
    expect_eq "new resident key" "$(jq -r .id <<<"$OUT")" "$RES"
    sj 0 --key "$VAR/test-resident-2.key" --json wish post "After the backup"
    W3=$(jq -r .id <<<"$OUT")
    echo "   backup written; old resident key refused, new key accepted;" \
        "wish $W3 posted after the backup"

    step "restore the backup into a fresh volume under a second broker"
    RESTORE_VOL=$PROJECT-restore
    RESTORE_CTR=$PROJECT-restore
    # The backup holds the store and the server key pair (so clients'
    # server.pub stays valid); committee.key is copied too in case the
    # operator keeps it elsewhere.
    "$ENGINE" run --rm --no-healthcheck --entrypoint /bin/sh \
        -v "$DATA_VOL:/from:ro" -v "$BACKUP_VOL:/from-backups:ro" \
        -v "$RESTORE_VOL:$VAR" "$IMAGE" -c \
        "cp -a /from-backups/compose-test/. $VAR/ &&
         cp -a /from/committee.key $VAR/" || fail "copying the backup"
    "$ENGINE" run -d --name "$RESTORE_CTR" -v "$RESTORE_VOL:$VAR" \
        "$IMAGE" >>"$LOG" 2>&1 || fail "starting the restored broker"
    wait_healthy "$RESTORE_CTR"
    rsj() { "$ENGINE" exec "$RESTORE_CTR" shangju --timeout 3000 "$@"; }
    OUT=$(rsj --json wish show "$W") || fail "restored: wish show $W"
    expect_eq "restored: $W" "$(jq -r .state <<<"$OUT")" closed
    OUT=$(rsj --json wish show "$W2") || fail "restored: wish show $W2"
    expect_eq "restored: $W2" "$(jq -r .state <<<"$OUT")" open
    if rsj wish show "$W3" >/dev/null 2>&1; then
        fail "restored: wish $W3, posted after the backup, is there"
    fi
    expect_eq "restored server.pub" \
        "$("$ENGINE" exec "$RESTORE_CTR" cat "$VAR/server.pub")" \
        "$(in_broker cat "$VAR/server.pub")"
    if "$ENGINE" logs "$RESTORE_CTR" 2>&1 | grep event=committee_key_created >/dev/null
    then
        fail "the restored broker took the store for a new one"
    fi
    stop_timed "$RESTORE_CTR"
    echo "   restored broker serves wishes $W and $W2 with the same server key"

    step "restore in place: stop, replace the store with the backup, start"
    stop_timed "$CID"
    "$ENGINE" run --rm --no-healthcheck --entrypoint /bin/sh \
        -v "$DATA_VOL:$VAR" -v "$BACKUP_VOL:$VAR/backups" "$IMAGE" -c \
        "cd $VAR && rm -f data.mdb lock.mdb && cp -a backups/compose-test/. ." ||
        fail "restoring in place"
    compose start broker || fail "compose start failed"
    wait_healthy "$CID"
    sj 1 wish show "$W3"
    grep -q NOT_FOUND <<<"$ERR" || fail "wish $W3 after the restore: $ERR"
    sj 0 --json wish show "$W"
    expect_eq "in place: $W" "$(jq -r .state <<<"$OUT")" closed
    res 0 --json whoami # the backup predates the rekey
    expect_eq "old resident key after the restore" "$(jq -r .id <<<"$OUT")" \
        "$RES"
    echo "   the store is back at the backup: wish $W3 gone, old key valid"
fi

# ---------------------------------------------------------------- down
step "stop the stack"
stop_timed "$CID"
printf '== summary: engine %s, image %s MB, build %ss, healthy %ss, ' \
    "$ENGINE" "$((SIZE / 1000000))" "${TIMES[build_s]}" "${TIMES[healthy_s]}"
printf 'restart→healthy %ss, total %ss\n' "${TIMES[restart_healthy_s]}" \
    "$((SECONDS - T0))"
echo "compose test: all green"
