#!/bin/sh
# Loading the provider never waits for a device: with no emulator running
# and a long readiness timeout, 'openssl list -providers' shows ibm4767
# active and returns at once.
. "$top_srcdir/test/scripts/common.sh"

module="$top_builddir/provider/.libs/ibm4767.so"
[ -f "$module" ] || { echo "provider module $module not found: build the provider first" >&2; exit 99; }

# A hang would show as the timeout's exit status 124.
IBM4767_DEVICES="$T/absent.sock" IBM4767_READY_TIMEOUT=300 \
    timeout 60 "$OPENSSL" list -providers \
    -provider-path "$top_builddir/provider/.libs" -provider ibm4767 \
    >"$T/out" 2>"$T/err"
status=$?
cat "$T/out" "$T/err"
[ $status -ne 124 ] || fail "openssl list -providers did not finish within 60 s without a device"
[ $status -eq 0 ] || fail "openssl list -providers: exit $status, expected 0"

# The block of one provider starts with its name indented by two spaces.
state=$(awk '/^  [^ ]/ { in_block = ($1 == "ibm4767") }
             in_block && $1 == "status:" { print $2 }' "$T/out")
[ "$state" = active ] || fail "ibm4767 status is '$state', expected 'active'"
echo "ok: ibm4767 loads and is active without a device"
