#!/bin/sh
# Who may use the device socket.  A process of another user outside the
# socket's group cannot connect.  One in the group can sign, but a reset,
# an injected code or an access control point change gets 8/90, which the
# daemon logs.  The daemon's own user can do all of it.  The test needs
# root to run processes as nobody and to create a group.
. "$top_srcdir/test/scripts/common.sh"
. "$top_srcdir/test/admin/admin_common.sh"

[ "$(id -u)" -eq 0 ] || skip "needs root to run commands as another user"
command -v setpriv >/dev/null 2>&1 || skip "setpriv (util-linux) is missing"
command -v groupadd >/dev/null 2>&1 || skip "groupadd is missing"
getent passwd nobody >/dev/null || skip "there is no user nobody"
getent group nogroup >/dev/null || skip "there is no group nogroup"

GROUP="i4767t$$"
groupadd --system "$GROUP" || skip "cannot create the test group $GROUP"
peer_cleanup() {
    cleanup
    groupdel "$GROUP" 2>/dev/null
}
trap peer_cleanup EXIT
GID=$(getent group "$GROUP" | cut -d: -f3)

# The user nobody must be able to read the build tree and the test's files.
for dir in "$top_builddir" "$top_builddir/provider" \
           "$top_builddir/provider/.libs" "$top_builddir/tools"; do
    setpriv --reuid=nobody --regid=nogroup --clear-groups test -r "$dir" ||
        skip "user nobody cannot read $dir"
done
chmod 0755 "$T"

admin_emu_start peer --socket-group "$GROUP"
genkey_rsa "$T/key.pem"
chmod 0644 "$T/key.pem"
echo "administration test data" >"$T/data"
chmod 0644 "$T/data"

as_outsider() {
    setpriv --reuid=nobody --regid=nogroup --clear-groups "$@"
}
as_member() {
    setpriv --reuid=nobody --regid=nogroup --groups="$GID" "$@"
}

# Outside the group: no connection at all.
expect_fail "status from a user outside the socket's group" \
    "12/4800|Permission denied" as_outsider "$CLU" --device "$EMU_SOCKET" status
# A file it may write, so that only the socket can stop it.
T_SIG="$T/outsider.sig"
touch "$T_SIG"
chmod 0666 "$T_SIG"
# shellcheck disable=SC2086
expect_fail "signing from a user outside the socket's group" \
    "12/4800|Permission denied" as_outsider "$OPENSSL" dgst $PROV_OPTS \
    -sha256 -sign "$T/key.pem" -out "$T_SIG" "$T/data"

# In the group: key use works, administration does not.
rm -f "$T/member.sig"
touch "$T/member.sig"
chmod 0666 "$T/member.sig"
# shellcheck disable=SC2086
as_member "$OPENSSL" dgst $PROV_OPTS -sha256 -sign "$T/key.pem" \
    -out "$T/member.sig" "$T/data" 2>"$T/member.err" ||
    { cat "$T/member.err" >&2; fail "a group member cannot sign"; }
[ -s "$T/member.sig" ] || fail "a group member's signature is empty"
echo "ok: a member of the socket's group signs"
as_member "$CLU" --device "$EMU_SOCKET" status >/dev/null 2>&1 ||
    fail "a group member cannot read the status"
echo "ok: a member of the socket's group reads the status"

expect_fail "reset by a group member" "8/90" \
    as_member "$CLU" --device "$EMU_SOCKET" reset
expect_fail "inject by a group member" "8/90" \
    as_member "$CLU" --device "$EMU_SOCKET" inject 8040FFF9
expect_fail "disabling a point as a group member" "8/90" \
    as_member "$CLU" --device "$EMU_SOCKET" acp disable key-generate
expect_fail "master key set as a group member" "8/90" \
    as_member "$CLU" --device "$EMU_SOCKET" mk set --type apka
grep -q 'administration request from pid [0-9]* uid 65534 rejected' \
    "$T/peer.log" || fail "the daemon did not log the rejected requests"
echo "ok: the daemon logged the rejected administration requests"
[ "$(device_state)" = READY ] ||
    fail "a rejected request changed the device state"

# The daemon's own user (root here) administers it.
run "reset by the daemon's user" clu reset
echo "ok: the daemon's user resets the device"
