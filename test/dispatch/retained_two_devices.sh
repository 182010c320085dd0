#!/bin/sh
# A retained key on the second of two devices that share their master
# keys.  A process configured with both devices sends every request for
# the key to CRP02: 8 threads x 50 signatures leave CRP01's signature
# counter at 0.  With CRP02 stopped, signing fails with an error that
# names the key and the serial number, and still no request reaches
# CRP01; CSU_DEFAULT_ADAPTER=CRP01 is refused, naming CRP02.  After CRP02
# is zeroized the request fails naming CRP02, without a fallback.
. "$top_srcdir/test/scripts/common.sh"

CLU="$top_builddir/tools/ibm4767-clu"
KEYS="$top_builddir/tools/ibm4767-keys"
IBM4767_KEY_STORAGE="$T/keys.db"
# A short readiness timeout bounds the wait on a stopped device.
IBM4767_READY_TIMEOUT=5
export IBM4767_KEY_STORAGE IBM4767_READY_TIMEOUT

PART1=$("$OPENSSL" rand -hex 32) || exit 99
PART2=$("$OPENSSL" rand -hex 32) || exit 99

# load_master_keys NAME SOCKET: load PART1 and PART2 as the first and
# last parts of the AES and APKA master keys of the device at SOCKET and
# set both keys.
load_master_keys() {
    for type in aes apka; do
        for step in "load --type $type --part first $PART1" \
                    "load --type $type --part last $PART2" \
                    "set --type $type"; do
            # shellcheck disable=SC2086 # step is a word list
            "$CLU" --device "$2" mk $step >"$T/mk.out" 2>&1 ||
                { cat "$T/mk.out" >&2; fail "$1: mk $step failed"; }
        done
    done
}

# signatures SOCKET: the signature counter of the device at SOCKET.
signatures() {
    "$CLU" status --counters --device "$1" | sed -n 's/^signatures=//p'
}

emu_start crp01
first_socket=$EMU_SOCKET
load_master_keys CRP01 "$first_socket"
emu_start crp02
second_pid=$EMU_PID
second_socket=$EMU_SOCKET
load_master_keys CRP02 "$second_socket"
second_serial=$("$CLU" status --device "$second_socket" |
    sed -n 's/^ *Serial Number: *//p')
[ -n "$second_serial" ] || fail "CRP02 reports no serial number"

# The key is made on CRP02 alone.
"$KEYS" --device "$second_socket" generate --label DUO.RSA --type rsa \
    --bits 2048 --retain --out "$T/duo.pem" >"$T/gen.out" 2>&1 ||
    { cat "$T/gen.out" >&2; fail "generating the retained key on CRP02"; }
"$KEYS" show DUO.RSA | sed -n '/BEGIN PUBLIC KEY/,$p' >"$T/duo.pub"
[ -s "$T/duo.pub" ] || fail "ibm4767-keys show DUO.RSA printed no public key"

# With both devices configured, list finds it on CRP02.
"$KEYS" list >"$T/list.out" || fail "ibm4767-keys list failed"
grep -q "^DUO.RSA .*retained in device CRP02 ($second_socket, serial $second_serial)" \
    "$T/list.out" || { cat "$T/list.out" >&2; fail "list does not place DUO.RSA on CRP02"; }
echo "ok: list places the key on CRP02 (serial $second_serial)"

"$top_builddir/test/dispatch/threads_sign" "$T/duo.pem" 8 50 ||
    fail "8 threads x 50 signatures with the retained key"
printf 'one more' >"$T/msg"
# shellcheck disable=SC2086 # PROV_OPTS is a word list
"$OPENSSL" pkeyutl $PROV_OPTS -sign -inkey ibm4767:label=DUO.RSA -rawin \
    -digest sha256 -in "$T/msg" -out "$T/sig" 2>"$T/err" ||
    { cat "$T/err" >&2; fail "signing through ibm4767:label=DUO.RSA"; }
"$OPENSSL" pkeyutl -verify -pubin -inkey "$T/duo.pub" -rawin -digest sha256 \
    -in "$T/msg" -sigfile "$T/sig" >/dev/null 2>&1 ||
    fail "the signature through ibm4767:label=DUO.RSA does not verify"
first=$(signatures "$first_socket")
second=$(signatures "$second_socket")
[ "${first:-x}" = 0 ] || fail "CRP01 counted ${first:-no} signatures, expected 0"
[ "${second:-0}" -ge 401 ] ||
    fail "CRP02 counted ${second:-no} signatures, expected at least 401"
echo "ok: all $second signatures went to CRP02, none to CRP01"

# CSU_DEFAULT_ADAPTER may not send the key's requests elsewhere.
# shellcheck disable=SC2086
CSU_DEFAULT_ADAPTER=CRP01 expect_fail "CSU_DEFAULT_ADAPTER=CRP01" \
    "12/4808.*CSU_DEFAULT_ADAPTER sends every request to CRP01.*held by CRP02" \
    "$OPENSSL" pkeyutl $PROV_OPTS -sign -inkey ibm4767:label=DUO.RSA -rawin \
    -digest sha256 -in "$T/msg" -out "$T/sig"

# With CRP02 stopped there is no fallback to CRP01.
emu_stop "$second_pid"
# shellcheck disable=SC2086
expect_fail "signing with CRP02 stopped" \
    "12/4808 HOST_RETAINED_KEY_DEVICE.*retained key DUO.RSA is held by the device with serial $second_serial.*CRP02 \\($second_socket\\) did not answer.*not sent to another device" \
    "$OPENSSL" pkeyutl $PROV_OPTS -sign -inkey ibm4767:label=DUO.RSA -rawin \
    -digest sha256 -in "$T/msg" -out "$T/sig"
cp "$T/err" "$T/stopped.err"
[ "$(signatures "$first_socket")" = 0 ] ||
    fail "CRP01 signed while CRP02 was stopped"
echo "ok: CRP01 took no request for the key"

# Restarted from its state directory, CRP02 signs again.
IBM4767_DEVICES="$first_socket"
emu_start crp02
# shellcheck disable=SC2086
"$OPENSSL" pkeyutl $PROV_OPTS -sign -inkey ibm4767:label=DUO.RSA -rawin \
    -digest sha256 -in "$T/msg" -out "$T/sig" 2>"$T/err" ||
    { cat "$T/err" >&2; fail "signing after CRP02 was restarted"; }
echo "ok: signing works again once CRP02 is back"

# A zeroized CRP02 still replies to status queries, so the request goes
# to it and fails there, naming the key's only device.
"$CLU" --device "$EMU_SOCKET" inject 8040FFF9 >/dev/null 2>&1 ||
    fail "injecting a tamper code into CRP02"
# shellcheck disable=SC2086
expect_fail "signing after CRP02 was zeroized" \
    "12/4768.*retained key DUO.RSA is held only by CRP02 \\(serial $second_serial\\), which cannot serve the request.*not sent to another device" \
    "$OPENSSL" pkeyutl $PROV_OPTS -sign -inkey ibm4767:label=DUO.RSA -rawin \
    -digest sha256 -in "$T/msg" -out "$T/sig"
[ "$(signatures "$first_socket")" = 0 ] ||
    fail "CRP01 signed after CRP02 was zeroized"
echo "ok: no fallback to CRP01 after CRP02 was zeroized"

echo "--- what a user sees with CRP02 stopped:"
cat "$T/stopped.err"
echo "--- and with CRP02 zeroized:"
cat "$T/err"
