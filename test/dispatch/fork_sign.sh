#!/bin/sh
# A process loads a device key, signs, and forks 4 children that sign 100
# times each while the parent signs too: every signature verifies, and
# every child exits within the program's time limit.
. "$top_srcdir/test/scripts/common.sh"

emu_start crp01
# shellcheck disable=SC2086 # PROV_OPTS and DEVICE_PROPQ are word lists
"$OPENSSL" genpkey $PROV_OPTS $DEVICE_PROPQ -algorithm EC \
    -pkeyopt ec_paramgen_curve:P-256 -out "$T/key.pem" 2>"$T/err" ||
    { cat "$T/err" >&2; fail "generating a P-256 key in the device"; }

"$top_builddir/test/dispatch/fork_sign" "$T/key.pem" 4 100 ||
    fail "4 forked children signing 100 times each"
