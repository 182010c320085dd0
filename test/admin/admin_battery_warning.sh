#!/bin/sh
# A battery warning (8040FFFE) leaves the device working: operations
# succeed, every status shows the warning until 'ibm4767-clu
# battery-replaced', and a process that signs many times logs it once per
# interval (once in this short run), not once per request.
. "$top_srcdir/test/scripts/common.sh"
. "$top_srcdir/test/admin/admin_common.sh"

admin_emu_start battery
genkey_rsa "$T/key.pem"
run "inject the battery warning" clu inject 8040FFFE

for i in 1 2; do
    warning=$(active_warning)
    case $warning in
    8040FFFE\ BATTERY_WARNING*) echo "ok: status $i shows the battery warning" ;;
    *) fail "status $i shows '$warning', expected the battery warning" ;;
    esac
done

IBM4767_DEBUG="warn,file:$T/provider.log" "$SIGN_LOOP" "$T/key.pem" 4 \
    "$T/stop" 30000 >"$T/loop.out" 2>"$T/loop.err" &
loop_pid=$!
sleep 2
touch "$T/stop"
wait "$loop_pid" || { cat "$T/loop.out" "$T/loop.err" >&2; fail "signing with a battery warning failed"; }
cat "$T/loop.out"
grep -Eq '^signatures=[1-9][0-9]* failures=0 ' "$T/loop.out" ||
    fail "signing with a battery warning had failures"
echo "ok: signing succeeds with a battery warning"

logged=$(grep -c '8040FFFE BATTERY_WARNING' "$T/provider.log")
[ "$logged" -eq 1 ] ||
    { cat "$T/provider.log" >&2; fail "the provider logged the battery warning $logged times, expected once"; }
echo "ok: the provider logged the battery warning once"

run "battery-replaced" clu battery-replaced
[ "$(active_warning)" = none ] ||
    fail "status still shows '$(active_warning)' after battery-replaced"
echo "ok: battery-replaced clears the warning"
expect_sign_ok "$T/key.pem" "signing after the battery change"
