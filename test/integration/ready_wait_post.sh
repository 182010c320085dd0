#!/bin/sh
# A request sent while the device runs its power-on self-test waits for it
# and then succeeds: once through the backend's verb API, once through
# ibm4767-clu status.  The emulator's self-test lasts 2 s.  The checks only
# require a wait of at least 1 s, because the socket appears a moment after
# the daemon starts and timing varies on a loaded machine.
. "$top_srcdir/test/scripts/common.sh"

REQUEST="$top_builddir/test/integration/random_request"
CLU="$top_builddir/tools/ibm4767-clu"

now_ms() {
    date +%s%3N
}

# Through the verb API.
emu_start verbs --post-seconds 2
IBM4767_DEVICES=$EMU_SOCKET IBM4767_READY_TIMEOUT=60 "$REQUEST" >"$T/out" 2>"$T/err"
status=$?
cat "$T/out" "$T/err"
[ $status -eq 0 ] || fail "random request during the self-test: exit $status, expected 0"
grep -q '^result=ok rc=0 ' "$T/out" || fail "random request: result is not ok with rc 0"
elapsed=$(sed -n 's/.* elapsed_ms=\([0-9]*\).*/\1/p' "$T/out")
[ -n "$elapsed" ] || fail "random request: no elapsed_ms in the output"
[ "$elapsed" -ge 1000 ] || fail "random request: waited $elapsed ms, expected at least 1000"
echo "ok: random request waited $elapsed ms for the self-test, then succeeded"

# Through ibm4767-clu status, which shows the wait on stderr.
emu_start clu --post-seconds 2
start=$(now_ms)
"$CLU" status --device "$EMU_SOCKET" --ready-timeout 60 >"$T/out" 2>"$T/err"
status=$?
elapsed=$(( $(now_ms) - start ))
cat "$T/err"
[ $status -eq 0 ] || fail "ibm4767-clu status during the self-test: exit $status, expected 0"
grep -q 'running its power-on self-test' "$T/err" || fail "ibm4767-clu status: no self-test line on stderr"
grep -q 'ready after' "$T/err" || fail "ibm4767-clu status: the wait line does not say when it was ready"
grep -q 'Device State: *READY' "$T/out" || fail "ibm4767-clu status: report does not show READY"
[ "$elapsed" -ge 1000 ] || fail "ibm4767-clu status: finished after $elapsed ms, expected a wait of at least 1000"
echo "ok: ibm4767-clu status waited $elapsed ms for the self-test, then succeeded"
