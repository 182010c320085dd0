#!/bin/sh
# A device without firmware fails a request at once with CCA 12/338 instead
# of waiting out the readiness timeout: waiting cannot help until someone
# loads the firmware.
. "$top_srcdir/test/scripts/common.sh"

REQUEST="$top_builddir/test/integration/random_request"

emu_start nofw --no-firmware
IBM4767_DEVICES=$EMU_SOCKET IBM4767_READY_TIMEOUT=120 "$REQUEST" >"$T/out" 2>"$T/err"
status=$?
cat "$T/out" "$T/err"
[ $status -eq 1 ] || fail "random request without firmware: exit $status, expected 1"
grep -q '^result=failed rc=12 reason=338 ' "$T/out" || fail "random request without firmware: expected rc=12 reason=338"
grep -q '^text=.*12/338' "$T/out" || fail "random request without firmware: message does not contain 12/338"
elapsed=$(sed -n 's/.* elapsed_ms=\([0-9]*\).*/\1/p' "$T/out")
# The timeout is 120 s; half of it is a bound no healthy run comes near.
[ "$elapsed" -lt 60000 ] || fail "random request without firmware: took $elapsed ms, expected to fail without waiting"
echo "ok: random request without firmware failed after $elapsed ms with 12/338"
