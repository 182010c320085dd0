#!/bin/sh
# 32 threads x 500 RSA-2048 signatures on one device key from a cold
# start: the emulator has just restarted into a one-second self-test and
# the program has no connection yet, so every thread meets the readiness
# wait at once.  Each call must succeed with an empty error queue and
# each signature must verify with the default provider.
# DISPATCH_THREADS and DISPATCH_COUNT change the load (the thread
# sanitizer run uses fewer).
. "$top_srcdir/test/scripts/common.sh"

threads=${DISPATCH_THREADS:-32}
count=${DISPATCH_COUNT:-500}
CLU="$top_builddir/tools/ibm4767-clu"

emu_start crp01
# shellcheck disable=SC2086 # PROV_OPTS and DEVICE_PROPQ are word lists
"$OPENSSL" genpkey $PROV_OPTS $DEVICE_PROPQ -algorithm RSA \
    -pkeyopt rsa_keygen_bits:2048 -out "$T/key.pem" 2>"$T/err" ||
    { cat "$T/err" >&2; fail "generating an RSA-2048 key in the device"; }

# The same state directory keeps the master key the token is wrapped
# under.
emu_stop "$EMU_PID"
IBM4767_DEVICES=
emu_start crp01 --post-seconds 1

"$top_builddir/test/dispatch/threads_sign" "$T/key.pem" "$threads" \
    "$count" || fail "$threads threads x $count signatures"

signatures=$("$CLU" status --counters --device "$EMU_SOCKET" |
    sed -n 's/^signatures=//p')
[ "${signatures:-0}" -ge $((threads * count)) ] ||
    fail "the device counted ${signatures:-no} signatures, expected at" \
        "least $((threads * count))"
echo "ok: the device counted $signatures signatures"
