#!/bin/sh
# TLS handshakes with an EC key in the device: "openssl s_server -key" with
# a device key and its self-signed certificate, "openssl s_client" with the
# default provider only, on 127.0.0.1.  TLS 1.3 and TLS 1.2 with
# ECDHE-ECDSA, for P-256 and P-384 keys, with ECDHE on the key's curve.
# The device signs once per handshake and neither generates keys nor
# derives secrets, because the ephemeral ECDHE keys stay in the default
# provider.
#
# The server loads the providers from an openssl.cnf that activates
# default before ibm4767, as a deployment does.  OpenSSL 3.0 serves an
# unqualified fetch from the provider activated first.  With ibm4767 first,
# libssl would see ibm4767's EC key management, drop the default
# provider's EC groups and find no cipher for an ECDSA certificate in
# TLS 1.2.
. "$top_srcdir/test/scripts/common.sh"
. "$top_srcdir/test/scripts/ec_common.sh"

emu_start crp01
write_openssl_cnf "$T/openssl.cnf"

if ! have_clu; then
    echo "NOTE: $CLU not built: device counters not checked" >&2
fi

# handshake NAME CERT CLIENT-OPTIONS...: one handshake with the running
# s_server; the client must verify the certificate against CERT.
handshake() {
    hs_name=$1
    hs_cert=$2
    shift 2
    "$OPENSSL" s_client -connect "127.0.0.1:$SERVER_PORT" -CAfile "$hs_cert" \
        -verify_return_error -brief "$@" </dev/null >"$T/$hs_name.client" 2>&1 ||
        {
            cat "$T/$hs_name.client" "$T/$hs_name.log" >&2
            fail "$hs_name: handshake failed"
        }
}

# one_handshake NAME KEY CERT PROTOCOL CLIENT-OPTIONS...: start a server
# for one connection, run one handshake, check the protocol and the
# device's counters.
one_handshake() {
    name=$1
    key=$2
    cert=$3
    protocol=$4
    shift 4

    if have_clu; then
        signatures=$(counter signatures)
        generations=$(counter key-generations)
        derivations=$(counter derivations)
    fi

    # -www: the server serves without reading its terminal, so that it
    # stays up with stdin closed.
    server_start "$name" "$T/openssl.cnf" -www -key "$key" -cert "$cert" \
        -naccept 1
    handshake "$name" "$cert" "$@"
    wait "$SERVER_PID" 2>/dev/null
    SERVER_PID=""

    grep -q "Protocol version: $protocol" "$T/$name.client" ||
        { cat "$T/$name.client" >&2; fail "$name: not $protocol"; }
    grep -q 'Verification: OK' "$T/$name.client" ||
        { cat "$T/$name.client" >&2; fail "$name: certificate not verified"; }
    grep -q 'Signature type: ECDSA' "$T/$name.client" ||
        { cat "$T/$name.client" >&2; fail "$name: peer signature is not ECDSA"; }
    grep -q "Server Temp Key: ECDH, $group_name" "$T/$name.client" ||
        { cat "$T/$name.client" >&2; fail "$name: ECDHE is not on $group_name"; }

    if have_clu; then
        signed=$(($(counter signatures) - signatures))
        [ "$signed" -eq 1 ] ||
            fail "$name: expected 1 device signature, counted $signed"
        [ "$(counter key-generations)" -eq "$generations" ] ||
            fail "$name: the handshake generated a key in the device"
        [ "$(counter derivations)" -eq "$derivations" ] ||
            fail "$name: the handshake derived a secret in the device"
    fi
    echo "ok: $name"
}

for curve in P-256 P-384; do
    case $curve in
    P-256) group_name=prime256v1 ;;
    P-384) group_name=secp384r1 ;;
    esac
    key="$T/ec-$curve.pem"
    cert="$T/ec-$curve.crt"
    ec_genkey "$curve" "$key"
    # shellcheck disable=SC2086
    "$OPENSSL" req $PROV_OPTS -new -x509 -key "$key" -subj "/CN=localhost" \
        -days 2 -out "$cert" 2>"$T/err" ||
        { cat "$T/err" >&2; fail "$curve: req -x509 failed"; }

    one_handshake "tls13-$curve" "$key" "$cert" TLSv1.3 -tls1_3 \
        -groups "$curve"
    one_handshake "tls12-$curve" "$key" "$cert" TLSv1.2 -tls1_2 \
        -groups "$curve" -cipher ECDHE-ECDSA-AES128-GCM-SHA256
    grep -q 'Ciphersuite: ECDHE-ECDSA-AES128-GCM-SHA256' \
        "$T/tls12-$curve.client" ||
        fail "tls12-$curve: cipher suite is not ECDHE-ECDSA-AES128-GCM-SHA256"
done

exit 0
