#!/bin/sh
# An RSA-3072 key generated in the device is written as a CCA KEY TOKEN
# PEM; "openssl pkey" prints its public key (PEM and text) and token facts
# but no private value, and copies the file as the same token PEM.  The
# provider is loaded once with -provider options and once through an
# openssl.cnf section.
. "$top_srcdir/test/scripts/common.sh"
. "$top_srcdir/test/scripts/rsa_common.sh"

emu_start crp01
key="$T/key.pem"

if have_clu; then
    generations=$(counter key-generations)
fi
rsa_genkey "$key" 3072
grep -q '^-----BEGIN CCA KEY TOKEN-----$' "$key" ||
    fail "genpkey output has no CCA KEY TOKEN label"
grep -q '^-----END CCA KEY TOKEN-----$' "$key" ||
    fail "genpkey output has no CCA KEY TOKEN END line"
if grep -q 'PRIVATE KEY' "$key"; then
    fail "genpkey output contains a clear private key"
fi
if have_clu; then
    [ "$(counter key-generations)" -eq $((generations + 1)) ] ||
        fail "the key was not generated in the device"
else
    echo "NOTE: $CLU not built: device counters not checked" >&2
fi
echo "ok: genpkey writes a token PEM"

# The public key, read back by the default provider alone.
rsa_pubout "$key" "$T/pub.pem"
grep -q '^-----BEGIN PUBLIC KEY-----$' "$T/pub.pem" ||
    fail "pkey -pubout printed no PUBLIC KEY PEM"
run "default provider reads the public key" \
    "$OPENSSL" pkey -pubin -in "$T/pub.pem" -text -noout -out "$T/pub.txt"
grep -q 'Public-Key: (3072 bit)' "$T/pub.txt" ||
    { cat "$T/pub.txt" >&2; fail "the public key is not 3072 bits"; }
echo "ok: pkey -pubout"

# Read as a public key (as -pubin, -peerkey and dgst -verify read a key
# file), the token PEM gives its public part.
# shellcheck disable=SC2086
run "pkey -pubin on the token PEM" "$OPENSSL" pkey $PROV_OPTS -pubin \
    -in "$key" -pubout -out "$T/pubin.pem"
cmp -s "$T/pub.pem" "$T/pubin.pem" ||
    fail "the token PEM read as a public key gives another public key"
echo "ok: pkey -pubin"

# Text output: public part and token facts, never a private value.
# shellcheck disable=SC2086
run "pkey -text" "$OPENSSL" pkey $PROV_OPTS -in "$key" -text -noout \
    -out "$T/key.txt"
for expected in 'Private-Key: \(3072 bit' 'Modulus:' 'Exponent: 65537' \
    'Token type: internal' 'Key usage: signature generation and key management' \
    'APKA master key verification pattern: [0-9a-f]{16}'; do
    grep -Eq "$expected" "$T/key.txt" ||
        { cat "$T/key.txt" >&2; fail "pkey -text lacks '$expected'"; }
done
for secret in privateExponent prime1 prime2 exponent1 coefficient; do
    if grep -q "$secret" "$T/key.txt"; then
        fail "pkey -text prints $secret"
    fi
done
echo "ok: pkey -text shows token facts and no private value"

# Public text only: no token facts.
# shellcheck disable=SC2086
run "pkey -text -pubout" "$OPENSSL" pkey $PROV_OPTS -in "$key" -pubout \
    -text -noout -out "$T/pub2.txt"
grep -q 'Public-Key: (3072 bit)' "$T/pub2.txt" ||
    { cat "$T/pub2.txt" >&2; fail "pkey -pubout -text is not a 3072-bit public key"; }
if grep -q 'CCA key token' "$T/pub2.txt"; then
    fail "pkey -pubout -text prints token facts for a public key request"
fi
echo "ok: pkey -pubout -text"

# Copying the file writes the token PEM again, byte for byte.
# shellcheck disable=SC2086
run "pkey -out copy" "$OPENSSL" pkey $PROV_OPTS -in "$key" -out "$T/copy.pem"
cmp -s "$key" "$T/copy.pem" ||
    { diff "$key" "$T/copy.pem" >&2; fail "pkey -out did not copy the token PEM"; }
echo "ok: pkey -out writes the token PEM"

# The token facts of a signature-only key show its usage.
rsa_genkey "$T/sign.pem" 2048 sign
# shellcheck disable=SC2086
run "pkey -text of a signature key" "$OPENSSL" pkey $PROV_OPTS \
    -in "$T/sign.pem" -text -noout -out "$T/sign.txt"
grep -q 'Key usage: signature generation only' "$T/sign.txt" ||
    { cat "$T/sign.txt" >&2; fail "usage sign is not in the token facts"; }
echo "ok: usage sign"

# The same key through an openssl.cnf section instead of -provider.
write_openssl_cnf "$T/openssl.cnf"
run "pkey -pubout through openssl.cnf" env OPENSSL_CONF="$T/openssl.cnf" \
    "$OPENSSL" pkey -in "$key" -pubout -out "$T/pub3.pem"
cmp -s "$T/pub.pem" "$T/pub3.pem" ||
    fail "openssl.cnf activation gives another public key"
echo "ok: openssl.cnf activation"

exit 0
