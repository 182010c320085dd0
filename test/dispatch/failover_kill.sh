#!/bin/sh
# Two devices with the same master key.  A token made on CRP01 signs on
# CRP02; then CRP01 is killed with SIGKILL while 16 threads sign through
# both, and signing must go on through CRP02 with no hang, no crash and no
# signature that fails to verify.
#
# NOTE: the second emulator starts from a copy of the first one's state
# directory with a new serial number, which models cloning a master key
# onto a second card.  Loading the same key parts on both cards with
# ibm4767-clu is the real procedure; this test does not use it.
. "$top_srcdir/test/scripts/common.sh"

CLU="$top_builddir/tools/ibm4767-clu"
# A short readiness timeout bounds the wait on the dead device; the
# watchdog allows 10 s more than that for one call.
IBM4767_READY_TIMEOUT=5
export IBM4767_READY_TIMEOUT

emu_start crp01
first_pid=$EMU_PID
first_socket=$EMU_SOCKET
# shellcheck disable=SC2086 # PROV_OPTS and DEVICE_PROPQ are word lists
"$OPENSSL" genpkey $PROV_OPTS $DEVICE_PROPQ -algorithm RSA \
    -pkeyopt rsa_keygen_bits:2048 -out "$T/key.pem" 2>"$T/err" ||
    { cat "$T/err" >&2; fail "generating an RSA-2048 key on CRP01"; }

cp -Rp "$T/crp01.state" "$T/crp02.state" || exit 99
rm -f "$T/crp02.state/lock"
sed -i 's/^serial=.*/serial=CL0NE002/' "$T/crp02.state/device" || exit 99
emu_start crp02
second_socket=$EMU_SOCKET

serial=$("$CLU" status --device "$second_socket" |
    sed -n 's/^ *Serial Number: *//p')
[ "$serial" = CL0NE002 ] || fail "CRP02 reports serial '$serial'," \
    "expected CL0NE002"

# The token from CRP01 signs on CRP02.
printf 'made on one, signed on the other' >"$T/msg"
# shellcheck disable=SC2086
CSU_DEFAULT_ADAPTER=CRP02 "$OPENSSL" pkeyutl $PROV_OPTS -sign \
    -inkey "$T/key.pem" -rawin -digest sha256 -in "$T/msg" \
    -out "$T/sig" 2>"$T/err" ||
    { cat "$T/err" >&2; fail "signing on CRP02 with a token from CRP01"; }
before=$("$CLU" status --counters --device "$second_socket" |
    sed -n 's/^signatures=//p')
[ "${before:-0}" -eq 1 ] ||
    fail "CRP02 counted ${before:-no} signatures, expected 1"
echo "ok: a token made on CRP01 signs on CRP02"

"$top_builddir/test/dispatch/failover_kill" "$T/key.pem" 16 \
    "$first_pid" 300 300 15 || fail "signing through a killed device"
wait "$first_pid" 2>/dev/null
EMU_PIDS=$(echo " $EMU_PIDS " | sed "s/ $first_pid / /")

after=$("$CLU" status --counters --device "$second_socket" |
    sed -n 's/^signatures=//p')
[ "${after:-0}" -ge $((before + 300)) ] ||
    fail "CRP02 counted ${after:-no} signatures, expected at least" \
        "$((before + 300))"
echo "ok: CRP02 went on signing ($after signatures) after CRP01" \
    "($first_socket) was killed"
