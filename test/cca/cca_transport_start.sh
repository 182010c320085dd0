#!/bin/sh
# Starting the cca transport with a CCA library that does not exist or
# lacks a verb fails, naming the library and the verb, in the backend
# (test/cca/cca_transport_start) and when OpenSSL loads the provider, from
# the command line and from openssl.cnf.
. "$top_srcdir/test/scripts/common.sh"

program=$top_builddir/test/cca/cca_transport_start
stub=$top_builddir/test/cca/.libs/libcca-stub.so
library=$top_builddir/emulator/csulcca/.libs/libcsulcca-emu.so
for file in "$program" "$stub" "$library"; do
    [ -f "$file" ] || { echo "ERROR: $file is not built" >&2; exit 99; }
done

CCA_STUB_LIBRARY=$stub IBM4767_CCA_LIBRARY=$library "$program" ||
    fail "cca transport start-up checks"
echo "ok: cca transport start-up checks"

missing=$T/no-such-dir/libcsulcca.so
# shellcheck disable=SC2086 # PROV_OPTS is a word list
expect_fail "provider with a missing CCA library" \
    "cannot load CCA library $missing" \
    env IBM4767_TRANSPORT=cca IBM4767_CCA_LIBRARY="$missing" \
    "$OPENSSL" list -providers $PROV_OPTS
# shellcheck disable=SC2086
expect_fail "provider with a CCA library without CSNDEDH" \
    "CCA library $stub has no verb CSNDEDH" \
    env IBM4767_TRANSPORT=cca IBM4767_CCA_LIBRARY="$stub" \
    "$OPENSSL" list -providers $PROV_OPTS

# Activated from openssl.cnf with logging off, the reason still reaches
# standard error: OpenSSL's configuration loader does not show it.
write_openssl_cnf "$T/openssl.cnf"
OPENSSL_CONF=$T/openssl.cnf IBM4767_TRANSPORT=cca \
    IBM4767_CCA_LIBRARY="$missing" "$OPENSSL" list -providers \
    >"$T/cnf.out" 2>"$T/cnf.err"
grep -q "cannot load CCA library $missing" "$T/cnf.err" ||
    { cat "$T/cnf.err" >&2; fail "openssl.cnf activation: the missing library is not named on stderr"; }
echo "ok: openssl.cnf activation names the missing library on stderr"
exit 0
