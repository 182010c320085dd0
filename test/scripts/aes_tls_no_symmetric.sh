#!/bin/sh
# TLS through "openssl s_server" with an RSA key in the device: the
# handshake signs in the device, but the record layer's AES stays in the
# default provider, so the device's symmetric-requests counter does not
# move.  The server activates the providers through openssl.cnf with
# default first, as a server installation does: OpenSSL 3.0 fetches an
# algorithm without a property query from the provider activated first.
. "$top_srcdir/test/scripts/common.sh"
. "$top_srcdir/test/scripts/rsa_common.sh"
. "$top_srcdir/test/scripts/aes_common.sh"

aes_require_built "$top_builddir/provider/.libs/ibm4767.so" "$CLU"
emu_start crp01
key="$T/key.pem"
cert="$T/cert.pem"
rsa_genkey "$key" 2048
# shellcheck disable=SC2086
run "req -new -x509" "$OPENSSL" req $PROV_OPTS -new -x509 -key "$key" \
    -subj "/CN=localhost" -days 1 -out "$cert"
write_openssl_cnf "$T/openssl.cnf"

requests=$(aes_counter symmetric-requests)
signatures=$(aes_counter signatures)
for proto in -tls1_3 -tls1_2; do
    OPENSSL_CONF="$T/openssl.cnf"
    export OPENSSL_CONF
    server_start "tls$proto" -key "$key" -cert "$cert" -www -naccept 1
    unset OPENSSL_CONF
    printf 'GET / HTTP/1.0\r\n\r\n' |
        "$OPENSSL" s_client -connect "127.0.0.1:$SERVER_PORT" -CAfile "$cert" \
            -verify_return_error -ign_eof "$proto" >"$T/client" 2>&1 ||
        { cat "$T/client" "$T/tls$proto.log" >&2; fail "TLS handshake ($proto) failed"; }
    wait "$SERVER_PID" 2>/dev/null
    SERVER_PID=""
    grep -q 'HTTP/1.0 200 ok' "$T/client" ||
        { cat "$T/client" >&2; fail "no HTTP response over TLS ($proto)"; }
    grep -q 'Cipher is .*AES' "$T/client" ||
        { cat "$T/client" >&2; fail "the TLS ($proto) connection did not use AES"; }
    echo "ok: TLS ($proto) with the device key carried an HTTP request over AES"
done

aes_expect_growth signatures "$signatures" 2
now=$(aes_counter symmetric-requests)
[ "$now" -eq "$requests" ] ||
    fail "the TLS connections sent $((now - requests)) symmetric requests to the device; bulk encryption belongs to the default provider"
echo "ok: no symmetric requests reached the device"
exit 0
