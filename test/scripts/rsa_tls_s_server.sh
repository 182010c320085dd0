#!/bin/sh
# TLS with an RSA key in the device: "openssl s_server -key" with the token
# PEM and its self-signed certificate, "openssl s_client" with the default
# provider only, on 127.0.0.1.  The server activates the providers through
# openssl.cnf, default first, as a server installation does, so the TLS
# record ciphers stay in the default provider.  TLS 1.3 (RSA-PSS signature), TLS 1.2
# ECDHE-RSA (PKCS#1 v1.5 signature) and TLS 1.2 with the RSA key exchange
# (AES128-GCM-SHA256, the premaster secret decrypted in the device) each
# complete and carry an HTTP request and its response.  The device counters
# show one signature or one decryption per handshake and nothing else.
. "$top_srcdir/test/scripts/common.sh"
. "$top_srcdir/test/scripts/rsa_common.sh"

emu_start crp01
key="$T/key.pem"
cert="$T/cert.pem"
rsa_genkey "$key" 2048
# shellcheck disable=SC2086
run "req -new -x509" "$OPENSSL" req $PROV_OPTS -new -x509 -key "$key" \
    -subj "/CN=localhost" -days 1 -out "$cert"

write_openssl_cnf "$T/openssl.cnf"
if ! have_clu; then
    echo "NOTE: $CLU not built: device counters not checked" >&2
fi

# one_handshake NAME PROTOCOL SIGNATURES DECRYPTIONS CLIENT-OPTIONS...: serve
# one connection with s_server -www, send an HTTP request from s_client,
# check the protocol, the response and the device counters.
one_handshake() {
    name=$1
    protocol=$2
    want_signatures=$3
    want_decryptions=$4
    shift 4

    if have_clu; then
        signatures=$(counter signatures)
        decryptions=$(counter decryptions)
        generations=$(counter key-generations)
    fi

    OPENSSL_CONF="$T/openssl.cnf"
    export OPENSSL_CONF
    server_start "$name" -key "$key" -cert "$cert" -www -naccept 1
    unset OPENSSL_CONF
    printf 'GET / HTTP/1.0\r\n\r\n' |
        "$OPENSSL" s_client -connect "127.0.0.1:$SERVER_PORT" -CAfile "$cert" \
            -verify_return_error -ign_eof "$@" >"$T/$name.client" 2>&1 ||
        { cat "$T/$name.client" "$T/$name.log" >&2; fail "$name: handshake failed"; }
    wait "$SERVER_PID" 2>/dev/null
    SERVER_PID=""

    grep -q "Protocol  *: $protocol" "$T/$name.client" ||
        { cat "$T/$name.client" >&2; fail "$name: not $protocol"; }
    grep -q 'Verify return code: 0 (ok)' "$T/$name.client" ||
        { cat "$T/$name.client" >&2; fail "$name: certificate not verified"; }
    grep -q 'HTTP/1.0 200 ok' "$T/$name.client" ||
        { cat "$T/$name.client" >&2; fail "$name: no HTTP response over TLS"; }

    if have_clu; then
        made=$(($(counter signatures) - signatures))
        [ "$made" -eq "$want_signatures" ] ||
            fail "$name: expected $want_signatures device signatures, counted $made"
        made=$(($(counter decryptions) - decryptions))
        [ "$made" -eq "$want_decryptions" ] ||
            fail "$name: expected $want_decryptions device decryptions, counted $made"
        [ "$(counter key-generations)" -eq "$generations" ] ||
            fail "$name: the handshake generated a key in the device"
    fi
    echo "ok: $name"
}

one_handshake tls13 TLSv1.3 1 0 -tls1_3
grep -q 'Peer signature type: RSA-PSS' "$T/tls13.client" ||
    { cat "$T/tls13.client" >&2; fail "tls13: peer signature is not RSA-PSS"; }

one_handshake tls12-ecdhe TLSv1.2 1 0 -tls1_2 \
    -cipher ECDHE-RSA-AES128-GCM-SHA256 -sigalgs RSA+SHA256
grep -q 'Cipher is ECDHE-RSA-AES128-GCM-SHA256' "$T/tls12-ecdhe.client" ||
    fail "tls12-ecdhe: cipher suite is not ECDHE-RSA-AES128-GCM-SHA256"
grep -q 'Peer signature type: RSA$' "$T/tls12-ecdhe.client" ||
    { cat "$T/tls12-ecdhe.client" >&2; fail "tls12-ecdhe: peer signature is not PKCS#1 v1.5"; }

# Over IBM's CCA library (IBM4767_TRANSPORT=cca) the device refuses the
# TLS premaster mode, because CSNDPKD has no padding check that leaks
# nothing, so the RSA key exchange must fail with that reason.
if [ "${IBM4767_TRANSPORT:-socket}" = cca ]; then
    OPENSSL_CONF="$T/openssl.cnf"
    export OPENSSL_CONF
    server_start tls12-rsa -key "$key" -cert "$cert" -www -naccept 1
    unset OPENSSL_CONF
    if printf 'GET / HTTP/1.0\r\n\r\n' |
        "$OPENSSL" s_client -connect "127.0.0.1:$SERVER_PORT" \
            -CAfile "$cert" -ign_eof -tls1_2 -cipher AES128-GCM-SHA256 \
            >"$T/tls12-rsa.client" 2>&1 &&
        grep -q 'HTTP/1.0 200 ok' "$T/tls12-rsa.client"; then
        fail "tls12-rsa: RSA key exchange succeeded over transport cca"
    fi
    server_stop
    grep -q "TLS premaster mode.*not supported by this card's CCA level" \
        "$T/tls12-rsa.log" ||
        { cat "$T/tls12-rsa.log" >&2; fail "tls12-rsa: no CCA level reason"; }
    echo "ok: tls12-rsa refused over transport cca"
    exit 0
fi

one_handshake tls12-rsa TLSv1.2 0 1 -tls1_2 -cipher AES128-GCM-SHA256
grep -q 'Cipher is AES128-GCM-SHA256' "$T/tls12-rsa.client" ||
    fail "tls12-rsa: cipher suite is not AES128-GCM-SHA256"

exit 0
