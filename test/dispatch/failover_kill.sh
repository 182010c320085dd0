#!/bin/sh
# Two devices with the same master key.  Each emulator starts with its own
# new state directory, and ibm4767-clu loads the same AES and APKA master
# key parts into both and sets them.  A token made on CRP01 signs on
# CRP02; then CRP01 is killed with SIGKILL while 16 threads sign through
# both, and signing must go on through CRP02 with no hang, no crash and no
# signature that fails to verify.
. "$top_srcdir/test/scripts/common.sh"

CLU="$top_builddir/tools/ibm4767-clu"
# A short readiness timeout bounds the wait on the dead device; the
# watchdog allows 10 s more than that for one call.
IBM4767_READY_TIMEOUT=5
export IBM4767_READY_TIMEOUT

# Both devices get the same three random parts for both key types.
PART1=$("$OPENSSL" rand -hex 32) || exit 99
PART2=$("$OPENSSL" rand -hex 32) || exit 99
PART3=$("$OPENSSL" rand -hex 32) || exit 99

# mk_step NAME SOCKET DESCRIPTION ARGS...: run 'ibm4767-clu mk ARGS' on
# the device at SOCKET, and fail naming DESCRIPTION if it fails.
mk_step() {
    mk_name=$1
    mk_socket=$2
    mk_description=$3
    shift 3
    "$CLU" --device "$mk_socket" mk "$@" >"$T/mk.out" 2>&1 ||
        { cat "$T/mk.out" >&2; fail "$mk_name: $mk_description failed"; }
}

# load_master_keys NAME SOCKET: load PART1, PART2 and PART3 as the FIRST,
# MIDDLE and LAST parts of the AES and APKA master keys of the device at
# SOCKET, and set both keys.
load_master_keys() {
    for type in aes apka; do
        mk_step "$1" "$2" "loading the first $type part" \
            load --type "$type" --part first "$PART1"
        mk_step "$1" "$2" "loading the middle $type part" \
            load --type "$type" --part middle "$PART2"
        mk_step "$1" "$2" "loading the last $type part" \
            load --type "$type" --part last "$PART3"
        mk_step "$1" "$2" "setting the $type master key" set --type "$type"
    done
}

# current_mkvp TYPE SOCKET: the MKVP of the current TYPE (AES or APKA)
# master key of the device at SOCKET.
current_mkvp() {
    "$CLU" --device "$2" mk show |
        sed -n "s/^ *$1 current: *VALID *MKVP //p"
}

emu_start crp01
first_pid=$EMU_PID
first_socket=$EMU_SOCKET
load_master_keys CRP01 "$first_socket"
# shellcheck disable=SC2086 # PROV_OPTS and DEVICE_PROPQ are word lists
"$OPENSSL" genpkey $PROV_OPTS $DEVICE_PROPQ -algorithm RSA \
    -pkeyopt rsa_keygen_bits:2048 -out "$T/key.pem" 2>"$T/err" ||
    { cat "$T/err" >&2; fail "generating an RSA-2048 key on CRP01"; }

emu_start crp02
second_socket=$EMU_SOCKET
load_master_keys CRP02 "$second_socket"

first_serial=$("$CLU" status --device "$first_socket" |
    sed -n 's/^ *Serial Number: *//p')
second_serial=$("$CLU" status --device "$second_socket" |
    sed -n 's/^ *Serial Number: *//p')
[ -n "$second_serial" ] || fail "CRP02 reports no serial number"
[ "$second_serial" != "$first_serial" ] ||
    fail "CRP02 reports serial '$second_serial', the same as CRP01;" \
        "expected a new one from its own state directory"
for type in AES APKA; do
    first_mkvp=$(current_mkvp $type "$first_socket")
    second_mkvp=$(current_mkvp $type "$second_socket")
    [ -n "$first_mkvp" ] || fail "CRP01 shows no current $type MKVP"
    [ "$first_mkvp" = "$second_mkvp" ] ||
        fail "current $type MKVP is '$first_mkvp' on CRP01 and" \
            "'$second_mkvp' on CRP02, expected the same"
done
echo "ok: CRP01 and CRP02 have the same AES and APKA master keys"

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
