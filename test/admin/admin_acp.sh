#!/bin/sh
# Access control points.  A disabled point makes its operations fail with
# 8/90, and every other operation keeps working.  The setting survives a
# daemon restart and shows in 'acp list' and in the status report.
. "$top_srcdir/test/scripts/common.sh"
. "$top_srcdir/test/admin/admin_common.sh"

KS="$T/keys.db"

keys() {
    "$KEYS" --device "$EMU_SOCKET" --key-storage "$KS" "$@"
}

# point_state NAME: enabled or DISABLED, as 'acp list' shows it.
point_state() {
    clu acp list | awk -v n="$1" '$1 == n { print $2 }'
}

admin_emu_start acp
genkey_rsa "$T/key.pem"
for p in clear-key-import key-generate decrypt-tls retained-key-create \
         key-token-change; do
    [ "$(point_state "$p")" = enabled ] || fail "point $p is not listed as enabled"
done
echo "ok: a new device lists every point enabled"

run "disable key-generate" clu acp disable key-generate
[ "$(point_state key-generate)" = DISABLED ] || fail "key-generate is not listed as disabled"
clu status >"$T/status.out" 2>&1 || fail "status failed"
grep -Eq '^ *key-generate +DISABLED' "$T/status.out" ||
    fail "the status report does not show key-generate disabled"

# shellcheck disable=SC2086
expect_fail "RSA key generation with key-generate disabled" "8/90" \
    "$OPENSSL" genpkey $PROV_OPTS $DEVICE_PROPQ -algorithm RSA \
    -pkeyopt rsa_keygen_bits:2048 -out "$T/denied.pem"
expect_fail "AES key generation with key-generate disabled" "8/90" \
    keys generate --label DENIED.AES --type aes
expect_sign_ok "$T/key.pem" "signing with key-generate disabled"

"$OPENSSL" genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
    -out "$T/clear.pem" 2>/dev/null || fail "cannot make a clear EC key"
run "clear key import with key-generate disabled" \
    keys import --label CLEAR.EC --in "$T/clear.pem"

# The setting is part of the device state.
emu_stop "$EMU_PID"
IBM4767_DEVICES=""
admin_emu_start acp
[ "$(point_state key-generate)" = DISABLED ] ||
    fail "key-generate is enabled again after a daemon restart"
echo "ok: a disabled point stays disabled across a restart"

run "disable clear-key-import" clu acp disable clear-key-import
expect_fail "clear key import with clear-key-import disabled" "8/90" \
    keys import --label CLEAR.EC2 --in "$T/clear.pem"

run "enable key-generate" clu acp enable key-generate
run "enable clear-key-import" clu acp enable clear-key-import
genkey_rsa "$T/allowed.pem"
expect_sign_ok "$T/allowed.pem" "key generation works again once enabled"

run "disable key-token-change" clu acp disable key-token-change
expect_fail "reencipher with key-token-change disabled" "8/90" \
    keys reencipher --file "$T/key.pem"
run "enable key-token-change" clu acp enable key-token-change

expect_fail "an unknown point" "8/33" clu acp disable no-such-point
expect_fail "acp enable without a name" "needs the NAME" clu acp enable
