#!/bin/sh
# The device as the library's random generator through the [random]
# section of examples/openssl-rand.cnf, pointed at the build tree's
# module.  "openssl rand -hex 32" prints 64 hex digits and the device's
# random counters rise.  RAND_status() is 1, large requests are split to
# the device maximum, and parent and child draw different bytes after a
# fork (test/aes/aes_rand_fork.c).
. "$top_srcdir/test/scripts/common.sh"
. "$top_srcdir/test/scripts/aes_common.sh"

aes_require_built "$top_builddir/provider/.libs/ibm4767.so" "$CLU"
emu_start crp01

# The example names the installed module; load the one from the build
# tree instead.  OPENSSL_CONF is set only for the commands below, never
# for the emulator.
sed "s|^module *=.*|module = $top_builddir/provider/.libs/ibm4767.so|" \
    "$top_srcdir/examples/openssl-rand.cnf" >"$T/openssl-rand.cnf"
grep -q "^module = $top_builddir" "$T/openssl-rand.cnf" ||
    fail "examples/openssl-rand.cnf has no module line to point at the build tree"

requests=$(aes_counter random-requests)
bytes=$(aes_counter random-bytes)
out=$(OPENSSL_CONF="$T/openssl-rand.cnf" "$OPENSSL" rand -hex 32 2>"$T/err") ||
    { cat "$T/err" >&2; fail "openssl rand -hex 32 with the example configuration failed"; }
echo "$out" | grep -Eqx '[0-9a-f]{64}' ||
    fail "openssl rand -hex 32 printed '$out', not 64 hex digits"
echo "ok: openssl rand -hex 32 printed 64 hex digits"
aes_expect_growth random-requests "$requests" 1
aes_expect_growth random-bytes "$bytes" 32

requests=$(aes_counter random-requests)
aes_require_built "$top_builddir/test/aes/aes_rand_fork"
(OPENSSL_CONF="$T/openssl-rand.cnf" && export OPENSSL_CONF &&
    exec "$top_builddir/test/aes/aes_rand_fork") ||
    fail "aes_rand_fork reported failures; see the FAIL lines above"
# The 82043-byte request alone takes 11 device requests of at most 8192.
aes_expect_growth random-requests "$requests" 11
exit 0
