#!/bin/sh
# Self-signed certificates made with "openssl req -new -x509" and an EC key
# in the device, with the curve's default digest and with an explicit
# -sha384.  The default provider alone verifies each certificate, and the
# certificate carries the device key's public key.
. "$top_srcdir/test/scripts/common.sh"
. "$top_srcdir/test/scripts/ec_common.sh"

emu_start crp01

# check_cert KEY CERT SIGALG: CERT is self-signed by KEY with SIGALG.
check_cert() {
    "$OPENSSL" x509 -in "$2" -noout -text >"$T/cert.txt" ||
        fail "$2: the default provider cannot parse the certificate"
    grep -q "Signature Algorithm: $3" "$T/cert.txt" ||
        fail "$2: expected signature algorithm $3, got: $(grep -m1 \
'Signature Algorithm' "$T/cert.txt")"

    "$OPENSSL" verify -CAfile "$2" "$2" >"$T/verify.out" 2>&1 ||
        { cat "$T/verify.out" >&2; fail "$2: openssl verify failed"; }

    ec_pubout "$1" "$T/key.pub.pem"
    "$OPENSSL" x509 -in "$2" -noout -pubkey >"$T/cert.pub.pem"
    cmp -s "$T/key.pub.pem" "$T/cert.pub.pem" ||
        fail "$2: the certificate's public key is not the device key's"
}

# req_x509 KEY CERT [DIGEST-OPTION]: a self-signed certificate for KEY.
req_x509() {
    key=$1
    cert=$2
    shift 2
    # shellcheck disable=SC2086
    "$OPENSSL" req $PROV_OPTS -new -x509 -key "$key" -subj "/CN=ibm4767 ec" \
        -days 2 "$@" -out "$cert" 2>"$T/req.err" ||
        { cat "$T/req.err" >&2; fail "req -x509 with $key $* failed"; }
}

for curve in P-256 P-384 P-521; do
    case $curve in
    P-256) default_alg=ecdsa-with-SHA256 ;;
    P-384) default_alg=ecdsa-with-SHA384 ;;
    P-521) default_alg=ecdsa-with-SHA512 ;;
    esac
    key="$T/ec-$curve.pem"
    ec_genkey "$curve" "$key"

    req_x509 "$key" "$T/default-$curve.crt"
    check_cert "$key" "$T/default-$curve.crt" "$default_alg"
    echo "ok: $curve certificate with the default digest ($default_alg)"

    req_x509 "$key" "$T/sha384-$curve.crt" -sha384
    check_cert "$key" "$T/sha384-$curve.crt" ecdsa-with-SHA384
    echo "ok: $curve certificate with -sha384"
done

# A certificate request signed in the device verifies as well.
# shellcheck disable=SC2086
"$OPENSSL" req $PROV_OPTS -new -key "$T/ec-P-256.pem" -subj "/CN=ibm4767 csr" \
    -sha512 -out "$T/csr.pem" 2>"$T/err" ||
    { cat "$T/err" >&2; fail "req -new (CSR) failed"; }
"$OPENSSL" req -in "$T/csr.pem" -noout -verify 2>&1 | grep -q 'verify OK' ||
    fail "the default provider does not verify the CSR signed in the device"
echo "ok: P-256 certificate request with -sha512"

exit 0
