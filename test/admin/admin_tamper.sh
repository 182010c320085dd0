#!/bin/sh
# Each tamper code zeroizes the device for good, as on the card.  The next
# operation fails with the code's own message and writes no signature,
# because the provider has no software fallback.  The state directory
# loses its keys, and a daemon restart keeps the device disabled.  Only
# --reinitialize makes a new device, under which old tokens fail with
# 8/48.  With two devices sharing a master key, the other one keeps
# serving.
. "$top_srcdir/test/scripts/common.sh"
. "$top_srcdir/test/admin/admin_common.sh"

tamper_case() {
    code=$1
    message=$2
    name=t$code

    IBM4767_DEVICES=""
    admin_emu_start "$name"
    genkey_rsa "$T/$name.pem"
    expect_sign_ok "$T/$name.pem" "$code: signing before the tamper event"

    run "$code: inject" clu inject "$code"
    expect_sign_fails "$T/$name.pem" "$message" \
        "$code: signing fails with '$message'"
    grep -q "12/4768" "$T/sign.err" ||
        fail "$code: the error does not carry 12/4768"
    [ "$(device_state)" = ZEROIZED ] || fail "$code: status is not ZEROIZED"
    for f in master-keys device-key.pem device-cert.pem; do
        [ ! -e "$T/$name.state/$f" ] ||
            fail "$code: $f is still in the state directory"
    done
    grep -q "^code=$code" "$T/$name.state/zeroized" ||
        fail "$code: no zeroized marker with the code"
    echo "ok: $code: the state directory lost its keys"

    expect_fail "$code: reset of a zeroized device" "12/4768" clu reset

    emu_stop "$EMU_PID"
    IBM4767_DEVICES=""
    admin_emu_start "$name"
    [ "$(device_state)" = ZEROIZED ] ||
        fail "$code: the device is not ZEROIZED after a daemon restart"
    expect_sign_fails "$T/$name.pem" "$message" \
        "$code: still disabled after a daemon restart"

    emu_stop "$EMU_PID"
    IBM4767_DEVICES=""
    admin_emu_start "$name" --reinitialize
    [ "$(device_state)" = READY ] ||
        fail "$code: --reinitialize did not make a READY device"
    expect_sign_fails "$T/$name.pem" "8/48" \
        "$code: the old token fails with 8/48 on the new device"
    emu_stop "$EMU_PID"
}

# --reinitialize leaves an intact device and its keys alone.
admin_emu_start intact
genkey_rsa "$T/intact.pem"
emu_stop "$EMU_PID"
IBM4767_DEVICES=""
admin_emu_start intact --reinitialize
expect_sign_ok "$T/intact.pem" "--reinitialize keeps an intact device's keys"
grep -q 'is not zeroized, so it is left as it is' "$T/intact.log" ||
    fail "--reinitialize on an intact device logged no warning"
emu_stop "$EMU_PID"

tamper_case 8040FFDA "dead battery detected: the coprocessor is zeroized and permanently disabled"
tamper_case 8040FFEB "temperature tamper detected: the coprocessor is zeroized and permanently disabled"
tamper_case 8040FFF3 "voltage tamper detected: the coprocessor is zeroized and permanently disabled"
tamper_case 8040FFF9 "mesh tamper detected: the coprocessor is zeroized and permanently disabled"

# Two devices with the same master keys: the token works on both, and
# after one is zeroized the provider keeps signing with the other.
P1=$("$OPENSSL" rand -hex 32)
P2=$("$OPENSSL" rand -hex 32)
load_shared_keys() {
    for type in aes apka; do
        run "load the first $type part" clu mk load --type $type --part first "$P1"
        run "load the last $type part" clu mk load --type $type --part last "$P2"
        run "set the $type master key" clu mk set --type $type
    done
}
IBM4767_DEVICES=""
admin_emu_start pair1
SOCKET1=$EMU_SOCKET
load_shared_keys
admin_emu_start pair2
load_shared_keys
# IBM4767_DEVICES now lists both sockets.
EMU_SOCKET=$SOCKET1
genkey_rsa "$T/pair.pem"
expect_sign_ok "$T/pair.pem" "two devices: signing before the tamper event"
run "inject a mesh tamper into the first device" clu inject 8040FFF9
for i in 1 2 3 4; do
    expect_sign_ok "$T/pair.pem" "two devices: signature $i after the first was zeroized"
done
