#!/bin/sh
# RSA-PSS keys in the device: "openssl genpkey -algorithm RSA-PSS" with
# restrictions, their text and SubjectPublicKeyInfo, a self-signed
# certificate that the default provider verifies, signatures within and
# outside the restrictions, an unrestricted RSA-PSS key, and the device's
# own enforcement (test/integration/rsa_pss_device).
. "$top_srcdir/test/scripts/common.sh"
. "$top_srcdir/test/scripts/rsa_common.sh"

emu_start crp01
key="$T/pss.pem"
msg="$T/msg.txt"
echo "message signed by an RSA-PSS key" >"$msg"

# shellcheck disable=SC2086 # PROV_OPTS and DEVICE_PROPQ are word lists
run "genpkey RSA-PSS restricted to SHA-256, MGF1 SHA-256, salt 32" \
    "$OPENSSL" genpkey $PROV_OPTS $DEVICE_PROPQ -algorithm RSA-PSS \
    -pkeyopt rsa_keygen_bits:2048 -pkeyopt rsa_pss_keygen_md:sha256 \
    -pkeyopt rsa_pss_keygen_mgf1_md:sha256 \
    -pkeyopt rsa_pss_keygen_saltlen:32 -out "$key"
grep -q 'BEGIN CCA KEY TOKEN' "$key" ||
    fail "genpkey RSA-PSS did not write a key token PEM"
echo "ok: RSA-PSS key generated in the device"

# The text names the key type, the restrictions and the usage.
# shellcheck disable=SC2086
run "pkey -text" "$OPENSSL" pkey $PROV_OPTS -in "$key" -text -noout \
    -out "$T/key.txt"
for line in 'Key type: RSA-PSS' 'Hash Algorithm: SHA256' \
    'Mask Algorithm: MGF1 with SHA256' 'Minimum Salt Length: 32' \
    'Key usage: signature generation only'; do
    grep -q "$line" "$T/key.txt" ||
        { cat "$T/key.txt" >&2; fail "pkey -text lacks '$line'"; }
done
echo "ok: pkey -text shows RSA-PSS and its restrictions"

# The SubjectPublicKeyInfo is an RSASSA-PSS key with its parameters, as
# the default provider reads it.
rsa_pubout "$key" "$T/pub.pem"
"$OPENSSL" pkey -pubin -in "$T/pub.pem" -text -noout >"$T/pub.txt" ||
    fail "the default provider cannot read the RSA-PSS public key"
for line in 'PSS parameter restrictions' 'Hash Algorithm: SHA2-256' \
    'Mask Algorithm: MGF1 with SHA2-256' 'Minimum Salt Length: 32'; do
    grep -q "$line" "$T/pub.txt" ||
        { cat "$T/pub.txt" >&2; fail "public key text lacks '$line'"; }
done
echo "ok: SubjectPublicKeyInfo carries the RSASSA-PSS parameters"

# A self-signed certificate, verified by the default provider alone.
# shellcheck disable=SC2086
run "req -new -x509 with the RSA-PSS key" "$OPENSSL" req $PROV_OPTS -new \
    -x509 -key "$key" -subj "/CN=rsa-pss" -days 1 -out "$T/cert.pem"
run "openssl verify" "$OPENSSL" verify -CAfile "$T/cert.pem" "$T/cert.pem"
"$OPENSSL" x509 -in "$T/cert.pem" -noout -text >"$T/cert.txt" ||
    fail "cannot print the certificate"
grep -q 'Signature Algorithm: rsassaPss' "$T/cert.txt" ||
    { cat "$T/cert.txt" >&2; fail "the certificate is not signed with RSASSA-PSS"; }
grep -q 'Salt Length: 0x20' "$T/cert.txt" ||
    { cat "$T/cert.txt" >&2; fail "the certificate's salt length is not 32"; }
"$OPENSSL" x509 -in "$T/cert.pem" -noout -pubkey >"$T/cert.pub" ||
    fail "cannot read the certificate's public key"
cmp -s "$T/pub.pem" "$T/cert.pub" ||
    fail "the certificate does not hold the device key's public key"
echo "ok: req -x509 certificate verifies with the default provider"

# Signatures within the restrictions, checked by the default provider.
# shellcheck disable=SC2086
run "dgst -sign with the key's defaults" "$OPENSSL" dgst $PROV_OPTS \
    -sha256 -sign "$key" -out "$T/sig" "$msg"
run "dgst -verify by the default provider" "$OPENSSL" dgst -sha256 \
    -verify "$T/pub.pem" -signature "$T/sig" "$msg"
# shellcheck disable=SC2086
run "dgst -sign with salt length max" "$OPENSSL" dgst $PROV_OPTS -sha256 \
    -sign "$key" -sigopt rsa_pss_saltlen:max -out "$T/sig.max" "$msg"
run "dgst -verify of the salt length max signature" "$OPENSSL" dgst \
    -sha256 -verify "$T/pub.pem" -sigopt rsa_pss_saltlen:max \
    -signature "$T/sig.max" "$msg"
echo "ok: signatures within the restrictions verify"

# Requests outside the restrictions fail in the provider, naming why.
# shellcheck disable=SC2086
expect_fail "signing with SHA-384 is rejected" \
    'allows only SHA256 as message digest, not SHA384' \
    "$OPENSSL" dgst $PROV_OPTS -sha384 -sign "$key" -out "$T/bad" "$msg"
# shellcheck disable=SC2086
expect_fail "MGF1 with SHA-1 is rejected" \
    'allows only SHA256 as MGF1 digest, not SHA1' \
    "$OPENSSL" dgst $PROV_OPTS -sha256 -sign "$key" \
    -sigopt rsa_mgf1_md:sha1 -out "$T/bad" "$msg"
# shellcheck disable=SC2086
expect_fail "a 20-byte salt is rejected" \
    'salt length 20 is shorter than the 32 bytes' \
    "$OPENSSL" dgst $PROV_OPTS -sha256 -sign "$key" \
    -sigopt rsa_pss_saltlen:20 -out "$T/bad" "$msg"
# shellcheck disable=SC2086
expect_fail "PKCS#1 v1.5 padding is rejected" \
    'RSA-PSS key signs with padding mode pss only' \
    "$OPENSSL" dgst $PROV_OPTS -sha256 -sign "$key" \
    -sigopt rsa_padding_mode:pkcs1 -out "$T/bad" "$msg"
# shellcheck disable=SC2086
expect_fail "encryption with the RSA-PSS key is rejected" \
    'RSA-PSS key, which only signs' \
    "$OPENSSL" pkeyutl $PROV_OPTS -encrypt -inkey "$key" -in "$msg" \
    -out "$T/bad"
# shellcheck disable=SC2086
expect_fail "an RSA-PSS key with decryption usage is rejected" \
    'RSA-PSS key only signs' \
    "$OPENSSL" genpkey $PROV_OPTS $DEVICE_PROPQ -algorithm RSA-PSS \
    -pkeyopt ibm4767-usage:both -out "$T/bad.pem"

# An RSA-PSS key without restrictions signs with any supported digest.
# shellcheck disable=SC2086
run "genpkey RSA-PSS without restrictions" "$OPENSSL" genpkey $PROV_OPTS \
    $DEVICE_PROPQ -algorithm RSA-PSS -out "$T/any.pem"
# shellcheck disable=SC2086
run "pkey -text of the unrestricted key" "$OPENSSL" pkey $PROV_OPTS \
    -in "$T/any.pem" -text -noout -out "$T/any.txt"
grep -q 'No PSS parameter restrictions' "$T/any.txt" ||
    { cat "$T/any.txt" >&2; fail "unrestricted key text lacks 'No PSS parameter restrictions'"; }
rsa_pubout "$T/any.pem" "$T/any.pub"
# shellcheck disable=SC2086
run "dgst -sign SHA-384 with the unrestricted key" "$OPENSSL" dgst \
    $PROV_OPTS -sha384 -sign "$T/any.pem" -out "$T/any.sig" "$msg"
run "dgst -verify of the unrestricted key's signature" "$OPENSSL" dgst \
    -sha384 -verify "$T/any.pub" -sigopt rsa_padding_mode:pss \
    -signature "$T/any.sig" "$msg"
echo "ok: an unrestricted RSA-PSS key signs with SHA-384"

# The device enforces the token's restrictions on its own.
"$top_builddir/test/integration/rsa_pss_device" ||
    fail "rsa_pss_device: the device did not enforce the RSA-PSS token"

exit 0
