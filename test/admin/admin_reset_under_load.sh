#!/bin/sh
# 16 threads sign in a loop through the provider while the device is reset
# three times.  Each reset drops the requests in flight, and the backend
# sends them again after the self-test.  So every call either returns a
# signature that verifies or fails with a CCA code, and no call outlives
# the readiness timeout plus the self-test.  After the last reset,
# signing works again without restarting anything.
. "$top_srcdir/test/scripts/common.sh"
. "$top_srcdir/test/admin/admin_common.sh"

THREADS=16
POST_SECONDS=1
READY_TIMEOUT=20
RESETS=3
WATCHDOG_MS=$(( (READY_TIMEOUT + POST_SECONDS) * 1000 ))

admin_emu_start load --post-seconds "$POST_SECONDS"
genkey_rsa "$T/key.pem"
signatures_before=$(clu status --counters | sed -n 's/^signatures=//p')

IBM4767_READY_TIMEOUT=$READY_TIMEOUT "$SIGN_LOOP" "$T/key.pem" "$THREADS" \
    "$T/stop" "$WATCHDOG_MS" >"$T/loop.out" 2>"$T/loop.err" &
loop_pid=$!

sleep 1
i=0
while [ $i -lt $RESETS ]; do
    i=$((i + 1))
    run "reset $i" clu reset
    echo "ok: reset $i sent"
    # Through the self-test and some signing before the next reset.
    sleep $((POST_SECONDS + 1))
done
touch "$T/stop"
wait "$loop_pid"
loop_status=$?

cat "$T/loop.out"
head -20 "$T/loop.err"
[ $loop_status -eq 0 ] ||
    fail "signing under $RESETS resets: sign_loop exited with $loop_status"
echo "ok: $THREADS threads signed through $RESETS resets; every signature verified"

grep -Eq '^signatures=[1-9]' "$T/loop.out" ||
    fail "no signature was made during the resets"
resets_logged=$(grep -c 'reset (requested by the administrator)' "$T/load.log")
[ "$resets_logged" -eq $RESETS ] ||
    fail "the emulator logged $resets_logged resets, expected $RESETS"
grep -q '12/4769' "$T/load.log" ||
    echo "note: no request was in flight at a reset (none dropped)"

signatures_after=$(clu status --counters | sed -n 's/^signatures=//p')
[ "$signatures_after" -gt "$signatures_before" ] ||
    fail "the device counted no signatures ($signatures_before before, $signatures_after after)"
[ "$(device_state)" = READY ] || fail "the device is not READY after the resets"
expect_sign_ok "$T/key.pem" "a new process signs after the last reset"
