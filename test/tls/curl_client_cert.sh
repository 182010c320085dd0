#!/bin/sh
# curl with a client certificate whose key is in the device (mutual TLS).
# "openssl s_server -Verify 1" on 127.0.0.1, with a software key and the
# default provider only, requires a client certificate.  curl takes the
# provider from OPENSSL_CONF and the key as --key FILE: a token PEM (RSA
# and EC, TLS 1.3 and TLS 1.2) and a CCA KEY LABEL PEM.  Each handshake
# signs once in the device (the client's CertificateVerify).  curl 7.88
# passes --key to OpenSSL as a PEM file name only, so a store URI
# (ibm4767:label=...) fails there, and the test checks curl's error.
. "$top_srcdir/test/scripts/common.sh"
. "$top_srcdir/test/tls/tls_common.sh"

tls_require curl curl
# Debian 12's curl hangs in setlocale() at start-up when a sanitizer
# runtime is preloaded (even "curl --version"), so the test skips in a
# sanitizer build.
[ -z "$SANITIZER_PRELOAD_ENV" ] ||
    skip "curl hangs at start-up with the sanitizer runtime preloaded; run this test in a normal build"

IBM4767_KEY_STORAGE="$T/keys.db"
export IBM4767_KEY_STORAGE
tls_emu_start
tls_write_openssl_cnf
tls_device_key rsa RSA
tls_device_key ec EC
"$KEYS" --device "$EMU_SOCKET" generate --label CLIENT.EC --type ec \
    --curve P-256 >"$T/keys.out" 2>&1 &&
    "$KEYS" export-ref CLIENT.EC --out "$T/label.key" >>"$T/keys.out" 2>&1 ||
    { cat "$T/keys.out" >&2; fail "generating the key storage record CLIENT.EC failed"; }
tls_self_signed label "$T/label.key"

# The server: a software key, no provider configuration.
"$OPENSSL" req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$T/server.key" -subj /CN=localhost \
    -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" -days 2 \
    -out "$T/server.crt" 2>"$T/server.err" ||
    { cat "$T/server.err" >&2; fail "making the server certificate failed"; }
cat "$T/rsa.crt" "$T/ec.crt" "$T/label.crt" >"$T/clients.crt"
tls_pick_port PORT
"$OPENSSL" s_server -accept "127.0.0.1:$PORT" -cert "$T/server.crt" \
    -key "$T/server.key" -Verify 1 -verify_return_error \
    -CAfile "$T/clients.crt" -www </dev/null >"$T/s_server.log" 2>&1 &
SERVER_PID=$!
TLS_BG_PIDS="$TLS_BG_PIDS $SERVER_PID"
tls_wait_listening "$SERVER_PID" "$PORT" "openssl s_server" ||
    { cat "$T/s_server.log" >&2; fail "openssl s_server exited before listening"; }

# mutual_tls NAME KEY PROTOCOL CURL-OPTIONS...: a request with the
# certificate NAME.crt and KEY; the server verified CN=NAME, the protocol
# is PROTOCOL, and the device signed once.
mutual_tls() {
    name=$1
    key=$2
    protocol=$3
    shift 3

    before=$(device_counter signatures) || exit 1
    # shellcheck disable=SC2086 # CURL_LIMITS is a list of options
    OPENSSL_CONF="$TLS_CNF" curl -sS $CURL_LIMITS --no-sessionid \
        --cacert "$T/server.crt" --cert "$T/$name.crt" --key "$key" "$@" \
        -o "$T/body" "https://127.0.0.1:$PORT/" 2>"$T/curl.err" ||
        { cat "$T/curl.err" >&2; fail "$name over $protocol: request failed"; }
    after=$(device_counter signatures) || exit 1

    grep -q "Protocol  *: $protocol" "$T/body" ||
        { cat "$T/body" >&2; fail "$name: not $protocol"; }
    grep -q "Subject: CN *= *$name\$" "$T/body" ||
        { cat "$T/body" >&2; fail "$name: the server did not get the client certificate CN=$name"; }
    [ $((after - before)) -eq 1 ] ||
        fail "$name over $protocol: $((after - before)) device signatures, expected 1"
    echo "ok: client key $name ($(head -n 1 "$key" | tr -d -)) over $protocol"
}

mutual_tls rsa "$T/rsa.key" TLSv1.3 --tlsv1.3
mutual_tls rsa "$T/rsa.key" TLSv1.2 --tlsv1.2 --tls-max 1.2
mutual_tls ec "$T/ec.key" TLSv1.3 --tlsv1.3
mutual_tls ec "$T/ec.key" TLSv1.2 --tlsv1.2 --tls-max 1.2
mutual_tls label "$T/label.key" TLSv1.3 --tlsv1.3

# Without the provider curl cannot read the token PEM.
# shellcheck disable=SC2086
if curl -sS $CURL_LIMITS --cacert "$T/server.crt" --cert "$T/ec.crt" \
    --key "$T/ec.key" -o /dev/null "https://127.0.0.1:$PORT/" 2>"$T/curl.err"; then
    fail "curl used the token PEM without the provider"
fi
grep -q 'unable to set private key file' "$T/curl.err" ||
    { cat "$T/curl.err" >&2; fail "curl without the provider: unexpected error"; }
echo "ok: without OPENSSL_CONF curl cannot load the token PEM"

# curl 7.88 opens --key as a PEM file, so a store URI is not found.
if curl --version | grep -q '^curl 7\.88\.'; then
    # shellcheck disable=SC2086
    if OPENSSL_CONF="$TLS_CNF" curl -sS $CURL_LIMITS --cacert "$T/server.crt" \
        --cert "$T/label.crt" --key ibm4767:label=CLIENT.EC -o /dev/null \
        "https://127.0.0.1:$PORT/" 2>"$T/curl.err"; then
        fail "curl 7.88 accepted a store URI as --key"
    fi
    grep -q "unable to set private key file: 'ibm4767:label=CLIENT.EC'" "$T/curl.err" ||
        { cat "$T/curl.err" >&2; fail "curl 7.88 with a store URI: unexpected error"; }
    echo "ok: curl 7.88 rejects ibm4767:label=... as --key; use the label PEM"
fi
exit 0
