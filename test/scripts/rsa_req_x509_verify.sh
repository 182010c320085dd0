#!/bin/sh
# Certificates and requests signed by an RSA key in the device: self-signed
# certificates from "openssl req -new -x509" with the default digest,
# -sha256, -sha384 and RSASSA-PSS, each checked by "openssl verify" with
# the default provider alone; a CSR checked by "openssl req -verify".
. "$top_srcdir/test/scripts/common.sh"
. "$top_srcdir/test/scripts/rsa_common.sh"

emu_start crp01
key="$T/key.pem"
rsa_genkey "$key" 2048
rsa_pubout "$key" "$T/pub.pem"

# self_signed NAME EXPECTED-ALGORITHM REQ-OPTIONS...: make a self-signed
# certificate, verify it without the provider, and check its signature
# algorithm and public key.
self_signed() {
    name=$1
    algorithm=$2
    shift 2
    cert="$T/$name.crt"
    # shellcheck disable=SC2086
    run "$name: req -new -x509" "$OPENSSL" req $PROV_OPTS -new -x509 \
        -key "$key" -subj "/CN=test" -days 1 -out "$cert" "$@"
    run "$name: openssl verify" "$OPENSSL" verify -CAfile "$cert" "$cert"
    "$OPENSSL" x509 -in "$cert" -noout -text >"$T/$name.txt" ||
        fail "$name: cannot print the certificate"
    grep -q "Signature Algorithm: $algorithm" "$T/$name.txt" ||
        { cat "$T/$name.txt" >&2; fail "$name: signature algorithm is not $algorithm"; }
    "$OPENSSL" x509 -in "$cert" -noout -pubkey >"$T/$name.pub" ||
        fail "$name: cannot read the certificate's public key"
    cmp -s "$T/pub.pem" "$T/$name.pub" ||
        fail "$name: the certificate does not hold the device key's public key"
    echo "ok: $name"
}

self_signed default sha256WithRSAEncryption
self_signed sha256 sha256WithRSAEncryption -sha256
self_signed sha384 sha384WithRSAEncryption -sha384
self_signed pss rsassaPss -sha256 -sigopt rsa_padding_mode:pss \
    -sigopt rsa_pss_saltlen:digest
grep -q 'Salt Length: 0x20' "$T/pss.txt" ||
    { cat "$T/pss.txt" >&2; fail "pss: salt length is not 32 (0x20)"; }
grep -q 'Mask Algorithm: mgf1 with sha256' "$T/pss.txt" ||
    { cat "$T/pss.txt" >&2; fail "pss: MGF1 digest is not SHA-256"; }

# A certificate request, verified by the default provider alone.
# shellcheck disable=SC2086
run "req -new" "$OPENSSL" req $PROV_OPTS -new -key "$key" -subj "/CN=csr" \
    -out "$T/req.csr"
"$OPENSSL" req -in "$T/req.csr" -verify -noout 2>"$T/verify.out" ||
    { cat "$T/verify.out" >&2; fail "req -verify rejects the CSR"; }
grep -q 'verify OK' "$T/verify.out" ||
    { cat "$T/verify.out" >&2; fail "req -verify did not say verify OK"; }
echo "ok: CSR verifies"

# A certificate signed by a device CA key for a leaf key of the default
# provider verifies against the CA certificate.
"$OPENSSL" genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 \
    -out "$T/leaf.key" 2>/dev/null || fail "default provider keygen failed"
run "leaf CSR" "$OPENSSL" req -new -key "$T/leaf.key" -subj "/CN=leaf" \
    -out "$T/leaf.csr"
# shellcheck disable=SC2086
run "x509 -req signed by the device key" "$OPENSSL" x509 $PROV_OPTS -req \
    -in "$T/leaf.csr" -CA "$T/default.crt" -CAkey "$key" \
    -CAcreateserial -CAserial "$T/ca.srl" -days 1 -out "$T/leaf.crt"
run "verify the leaf" "$OPENSSL" verify -CAfile "$T/default.crt" "$T/leaf.crt"
echo "ok: leaf certificate signed by the device key"

exit 0
