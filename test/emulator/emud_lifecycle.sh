#!/bin/sh
# Life cycle of ibm4767-emud: the modes of what it creates, refusing a
# second daemon on a live socket, taking over a stale one, a clean stop on
# SIGTERM, and the exit codes of usage errors and failed start-ups.

. "$top_srcdir/test/scripts/common.sh"

EMUD="$top_builddir/emulator/ibm4767-emud"

# start_daemon NAME SOCKET STATE [options...]: start a daemon in the
# foreground, wait until it logs that it serves, and set DAEMON_PID.
start_daemon() {
    name=$1
    socket=$2
    state=$3
    shift 3
    "$EMUD" --socket "$socket" --state-dir "$state" --post-seconds 0 \
        --foreground --log-level info "$@" >>"$T/$name.log" 2>&1 &
    DAEMON_PID=$!
    EMU_PIDS="$EMU_PIDS $DAEMON_PID"
    i=0
    while ! grep -q "started:" "$T/$name.log"; do
        i=$((i + 1))
        if [ $i -gt 100 ] || ! kill -0 "$DAEMON_PID" 2>/dev/null; then
            cat "$T/$name.log" >&2
            fail "daemon $name did not start on $socket"
        fi
        sleep 0.1
    done
}

mode_of() {
    stat -c %a "$1"
}

# --- usage and help ------------------------------------------------------
"$EMUD" --help >"$T/help" 2>&1 || fail "--help exited $?"
grep -q -- "--key-cache-entries" "$T/help" || fail "--help does not list the options"
echo "ok: --help exits 0"

"$EMUD" --post-seconds soon >"$T/out" 2>"$T/err"
status=$?
[ $status -eq 2 ] || fail "an invalid --post-seconds exited $status, expected 2"
grep -q "post-seconds" "$T/err" || fail "the usage error does not name the option"

"$EMUD" --spin-us 1001 >"$T/out" 2>"$T/err"
status=$?
[ $status -eq 2 ] || fail "--spin-us 1001 exited $status, expected 2"
grep -q "spin-us: '1001'" "$T/err" || fail "the --spin-us usage error does not name the value"
echo "ok: usage error exits 2"

# --- first start: modes --------------------------------------------------
RUN_DIR="$T/run"
SOCKET="$RUN_DIR/crp01.sock"
STATE="$T/state"
start_daemon first "$SOCKET" "$STATE"
FIRST_PID=$DAEMON_PID

[ "$(mode_of "$RUN_DIR")" = 700 ] || fail "socket directory mode $(mode_of "$RUN_DIR"), expected 700"
echo "ok: socket directory created 0700"
[ "$(mode_of "$SOCKET")" = 600 ] || fail "socket mode $(mode_of "$SOCKET"), expected 600"
echo "ok: socket created 0600"
[ "$(mode_of "$STATE")" = 700 ] || fail "state directory mode $(mode_of "$STATE"), expected 700"
for f in master-keys device device-key.pem; do
    [ -f "$STATE/$f" ] || fail "state file $f was not created"
    [ "$(mode_of "$STATE/$f")" = 600 ] || fail "state file $f has mode $(mode_of "$STATE/$f")"
done
echo "ok: state directory created 0700 with private files"

# --- a second daemon on the same socket ----------------------------------
expect_fail "second daemon on a live socket" \
    "another ibm4767-emud is serving $SOCKET" \
    "$EMUD" --socket "$SOCKET" --state-dir "$T/state2" --post-seconds 0 \
    --foreground
"$EMUD" --socket "$SOCKET" --state-dir "$T/state2" --post-seconds 0 \
    --foreground >/dev/null 2>&1
status=$?
[ $status -eq 1 ] || fail "the refused second daemon exited $status, expected 1"
kill -0 "$FIRST_PID" 2>/dev/null || fail "the first daemon died when a second one started"
[ -S "$SOCKET" ] || fail "the second daemon removed the live socket"
echo "ok: the first daemon keeps serving"

# --- a second daemon on the same state directory -------------------------
expect_fail "second daemon on a state directory in use" \
    "in use by another ibm4767-emud" \
    "$EMUD" --socket "$T/other.sock" --state-dir "$STATE" --post-seconds 0 \
    --foreground

# --- SIGTERM -------------------------------------------------------------
kill -TERM "$FIRST_PID"
wait "$FIRST_PID"
status=$?
EMU_PIDS=$(echo " $EMU_PIDS " | sed "s/ $FIRST_PID / /")
[ $status -eq 0 ] || fail "the daemon exited $status after SIGTERM, expected 0"
[ ! -e "$SOCKET" ] || fail "the socket is still there after SIGTERM"
grep -q "stopped" "$T/first.log" || fail "the log does not record the stop"
echo "ok: SIGTERM stops the daemon and removes its socket"

# --- a stale socket left by a killed daemon ------------------------------
start_daemon killed "$SOCKET" "$STATE"
kill -KILL "$DAEMON_PID"
wait "$DAEMON_PID" 2>/dev/null
EMU_PIDS=$(echo " $EMU_PIDS " | sed "s/ $DAEMON_PID / /")
[ -S "$SOCKET" ] || fail "SIGKILL left no socket behind to test with"

start_daemon restarted "$SOCKET" "$STATE"
grep -q "removed stale socket $SOCKET" "$T/restarted.log" \
    || fail "the restarted daemon did not report removing the stale socket"
echo "ok: a stale socket is removed on start"

# The state survived: same serial number as before.
serial1=$(sed -n 's/^serial=//p' "$STATE/device")
grep -q "serial $serial1" "$T/restarted.log" || fail "the restart made a new serial number"
echo "ok: the state directory is reused"
emu_stop "$DAEMON_PID"

# --- a path that is not a socket -----------------------------------------
: >"$T/not-a-socket"
expect_fail "a regular file at the socket path" "is not a socket" \
    "$EMUD" --socket "$T/not-a-socket" --state-dir "$T/state3" \
    --post-seconds 0 --foreground
[ -f "$T/not-a-socket" ] || fail "the daemon removed a regular file"

exit 0
