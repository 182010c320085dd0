#!/bin/sh
# With no daemon behind the configured socket, the error names the socket
# path, so the reader knows which device to start or which setting to fix.
. "$top_srcdir/test/scripts/common.sh"

REQUEST="$top_builddir/test/integration/random_request"
CLU="$top_builddir/tools/ibm4767-clu"
absent="$T/absent.sock"

IBM4767_DEVICES=$absent IBM4767_READY_TIMEOUT=5 "$REQUEST" >"$T/out" 2>"$T/err"
status=$?
cat "$T/out" "$T/err"
[ $status -eq 1 ] || fail "random request with no daemon: exit $status, expected 1"
grep -q '^result=failed ' "$T/out" || fail "random request with no daemon: result is not failed"
grep -qF "$absent" "$T/out" || fail "random request with no daemon: message does not name $absent"
echo "ok: random request with no daemon names the socket path"

expect_fail "ibm4767-clu status with no daemon" "$absent" \
    "$CLU" status --device "$absent" --ready-timeout 5
