#!/bin/sh
# An RNG fault (8340038F) is reported by the next status query only; the
# one after is clean, and random number requests work again.  A random
# request sent while the fault is latched is rejected once, and the
# backend's status check clears the fault and sends it again.
. "$top_srcdir/test/scripts/common.sh"
. "$top_srcdir/test/admin/admin_common.sh"

admin_emu_start rng

run "inject the RNG fault" clu inject 8340038F
warning=$(active_warning)
case $warning in
8340038F\ RNG_FAULT*) echo "ok: the first status reports the RNG fault" ;;
*) fail "the first status shows '$warning', expected the RNG fault" ;;
esac
[ "$(active_warning)" = none ] ||
    fail "the second status still shows a warning"
echo "ok: the second status is clean"

requests_before=$(clu status --counters | sed -n 's/^random-requests=//p')
run "random request after the fault was reported" "$RANDOM_REQUEST"
grep -q '^result=ok' "$T/run.out" || fail "random request did not succeed"
requests_after=$(clu status --counters | sed -n 's/^random-requests=//p')
[ "$requests_after" -eq $((requests_before + 1)) ] ||
    fail "random-requests went from $requests_before to $requests_after, expected one more"
echo "ok: random numbers work again after the fault was reported"

# Requests while the fault is latched, from a process that has already
# seen the device READY and so sends them without a status query first.
rejected_before=$(clu status --counters | sed -n 's/^rejected=//p')
"$RANDOM_LOOP" "$T/stop" >"$T/loop.out" 2>"$T/loop.err" &
loop_pid=$!
sleep 1
run "inject the RNG fault while random numbers are requested" \
    clu inject 8340038F
sleep 1
touch "$T/stop"
wait "$loop_pid" ||
    { cat "$T/loop.out" "$T/loop.err" >&2; fail "a random request failed while the fault was latched"; }
cat "$T/loop.out"
grep -q '12/4784' "$T/rng.log" ||
    fail "the device did not reject a request with 12/4784 while the fault was latched"
rejected_after=$(clu status --counters | sed -n 's/^rejected=//p')
[ "$rejected_after" -gt "$rejected_before" ] ||
    fail "the device counted no rejected request"
[ "$(active_warning)" = none ] ||
    fail "the fault is still reported after the backend's status check"
echo "ok: the backend's status check cleared the latched fault and every request went through"
