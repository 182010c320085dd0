#!/bin/sh
# 32 TLS handshakes in flight on one thread with SSL_MODE_ASYNC against a
# device that runs the 4767 timing profile: all complete, every server
# paused for the device, and the device saw the requests overlap (its
# max-in-flight gauge).
. "$top_srcdir/test/scripts/common.sh"

CLU="$top_builddir/tools/ibm4767-clu"
# Without overlap the gauge would stay at 1; a quarter of the handshakes
# at once is well inside what the loop reaches on a busy host.
min_overlap=8

emu_start crp01 --profile 4767
# shellcheck disable=SC2086 # PROV_OPTS and DEVICE_PROPQ are word lists
"$OPENSSL" genpkey $PROV_OPTS $DEVICE_PROPQ -algorithm RSA \
    -pkeyopt rsa_keygen_bits:2048 -out "$T/key.pem" 2>"$T/err" ||
    { cat "$T/err" >&2; fail "generating an RSA-2048 key in the device"; }
# shellcheck disable=SC2086
"$OPENSSL" req $PROV_OPTS -new -x509 -key "$T/key.pem" -subj /CN=localhost \
    -days 1 -out "$T/cert.pem" 2>"$T/err" ||
    { cat "$T/err" >&2; fail "making a certificate with the device key"; }

"$top_builddir/test/dispatch/async_handshakes" "$T/key.pem" "$T/cert.pem" \
    32 || fail "32 handshakes in flight with SSL_MODE_ASYNC"

max=$("$CLU" status --counters --device "$EMU_SOCKET" |
    sed -n 's/^max-in-flight=//p')
[ -n "$max" ] || fail "the status reply has no max-in-flight gauge"
[ "$max" -ge $min_overlap ] ||
    fail "the device saw at most $max requests at once, expected at" \
        "least $min_overlap"
echo "ok: the device had up to $max requests in flight"
