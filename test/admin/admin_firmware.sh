#!/bin/sh
# Firmware unload and load, the reset bit, the intrusion latch and the
# inject command's input checks.  Without firmware every verb gets 12/338
# with a message that names the command to load it.  Loading it runs the
# self-test, and service resumes.  The intrusion latch is reported once and changes
# nothing.
. "$top_srcdir/test/scripts/common.sh"
. "$top_srcdir/test/admin/admin_common.sh"

admin_emu_start fw --post-seconds 1
genkey_rsa "$T/key.pem"

run "unload the firmware" clu unload
[ "$(device_state)" = NO_FIRMWARE ] || fail "status is not NO_FIRMWARE after unload"
expect_sign_fails "$T/key.pem" "12/338.*ibm4767-clu load" \
    "signing without firmware fails with 12/338 and names 'ibm4767-clu load'"
expect_fail "status without firmware exits 1" "12/338" clu status

run "load the firmware" clu load
run "status waits through the self-test" clu status
[ "$(device_state)" = READY ] || fail "status is not READY after load"
expect_sign_ok "$T/key.pem" "signing after the firmware was loaded"

run "inject the reset bit" clu inject 8040FFFB
grep -q 'reset (injected reset bit 8040FFFB)' "$T/fw.log" ||
    fail "the reset bit did not reset the device"
expect_sign_ok "$T/key.pem" "signing after a reset bit (waits for the self-test)"

run "inject the intrusion latch" clu inject 8040FFBF
case $(active_warning) in
8040FFBF\ INTRUSION_LATCH*) echo "ok: status reports the intrusion latch" ;;
*) fail "status does not report the intrusion latch" ;;
esac
[ "$(active_warning)" = none ] || fail "the intrusion latch is reported twice"
expect_sign_ok "$T/key.pem" "signing with the intrusion latch set"

expect_fail "inject without 8 hex digits" "invalid driver code" clu inject 1234
expect_fail "inject of a code without the 8 prefix" "form 8xxxxxxx" \
    clu inject 00000001
expect_fail "inject without a code" "needs an argument" clu inject
expect_fail "reset with an argument" "unexpected argument" clu reset now
