#!/bin/sh
# The private part of a device key never leaves the provider: "openssl
# pkey -out" writes the token PEM again, while the outputs that need a
# clear key (PKCS#12, PKCS#8 DER, the traditional RSA PEM) fail with a
# non-zero exit and leave no file that contains a key.
. "$top_srcdir/test/scripts/common.sh"
. "$top_srcdir/test/scripts/rsa_common.sh"

emu_start crp01
key="$T/key.pem"
rsa_genkey "$key" 2048
# shellcheck disable=SC2086
run "req -new -x509" "$OPENSSL" req $PROV_OPTS -new -x509 -key "$key" \
    -subj "/CN=p12" -days 1 -out "$T/cert.pem"

# no_key_in FILE WHAT: FILE is absent, empty, or contains no clear key.
no_key_in() {
    [ -s "$1" ] || return 0
    if grep -aq 'PRIVATE KEY' "$1"; then
        fail "$2 left a clear private key in $1"
    fi
    if "$OPENSSL" pkcs12 -in "$1" -nocerts -nodes -passin pass:secret \
        >"$T/p12.out" 2>/dev/null && grep -q 'PRIVATE KEY' "$T/p12.out"; then
        fail "$2 left a PKCS#12 file with the private key in $1"
    fi
}

# shellcheck disable=SC2086
run "pkey -out copy" "$OPENSSL" pkey $PROV_OPTS -in "$key" -out "$T/copy.pem"
grep -q '^-----BEGIN CCA KEY TOKEN-----$' "$T/copy.pem" ||
    fail "pkey -out did not write a CCA KEY TOKEN PEM"
cmp -s "$key" "$T/copy.pem" || fail "pkey -out changed the token"
echo "ok: pkey -out writes the token PEM"

# shellcheck disable=SC2086
expect_fail "pkcs12 -export" "not exportable" \
    "$OPENSSL" pkcs12 $PROV_OPTS -export -inkey "$key" -in "$T/cert.pem" \
    -passout pass:secret -out "$T/key.p12"
no_key_in "$T/key.p12" "pkcs12 -export"

# shellcheck disable=SC2086
expect_fail "PKCS#8 DER" "not exportable|unsupported" \
    "$OPENSSL" pkey $PROV_OPTS -in "$key" -outform DER -out "$T/key.der"
no_key_in "$T/key.der" "pkey -outform DER"

# shellcheck disable=SC2086
expect_fail "traditional PEM" "not exportable|unsupported" \
    "$OPENSSL" pkey $PROV_OPTS -in "$key" -traditional -out "$T/key.trad"
no_key_in "$T/key.trad" "pkey -traditional"

# "openssl rsa" prints the public part and token facts and writes the
# token PEM; its traditional (PKCS#1) output needs the clear key.
# shellcheck disable=SC2086
run "openssl rsa -text" "$OPENSSL" rsa $PROV_OPTS -in "$key" -text -noout \
    -out "$T/rsa.txt"
if grep -Eq 'privateExponent|prime1|coefficient' "$T/rsa.txt"; then
    fail "openssl rsa -text printed a private value"
fi
# shellcheck disable=SC2086
run "openssl rsa -out" "$OPENSSL" rsa $PROV_OPTS -in "$key" -out "$T/rsa.pem"
cmp -s "$key" "$T/rsa.pem" || fail "openssl rsa -out did not write the token PEM"
# shellcheck disable=SC2086
expect_fail "openssl rsa -traditional" "not exportable" \
    "$OPENSSL" rsa $PROV_OPTS -in "$key" -traditional -out "$T/rsa.trad"
no_key_in "$T/rsa.trad" "openssl rsa -traditional"
echo "ok: openssl rsa"

# Nothing but the files above appeared in the test directory.
for f in "$T"/*; do
    case ${f##*/} in
    key.pem | cert.pem | copy.pem | key.p12 | key.der | key.trad | rsa.txt | \
        rsa.pem | rsa.trad | out | err | run.err | p12.out | crp01.sock | \
        crp01.state | crp01.log) ;;
    *) fail "unexpected file ${f##*/} in the test directory" ;;
    esac
done
echo "ok: no clear key written"

exit 0
