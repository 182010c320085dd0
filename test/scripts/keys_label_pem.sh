#!/bin/sh
# The CCA KEY LABEL PEM: a key file that names a label.  "openssl pkeyutl
# -sign" loads it, the device signs, and software verifies.  The file
# follows the record: after the label gets a new key, the same file loads
# the new key.  A file whose label was deleted fails with 8/30 naming it.
. "$top_srcdir/test/scripts/common.sh"
. "$top_srcdir/test/scripts/rsa_common.sh"

KEYS="$top_builddir/tools/ibm4767-keys"
IBM4767_KEY_STORAGE="$T/keys.db"
export IBM4767_KEY_STORAGE

emu_start crp01
run "generate APP.RSA" "$KEYS" generate --label APP.RSA --type rsa --bits 2048
run "generate APP.EC" "$KEYS" generate --label APP.EC --type ec --curve P-521

# public_of LABEL OUT: the public key PEM that ibm4767-keys show prints.
public_of() {
    "$KEYS" show "$1" | sed -n '/BEGIN PUBLIC KEY/,$p' >"$2"
    [ -s "$2" ] || fail "ibm4767-keys show $1 printed no public key"
}

# sign_verify LABEL-PEM PUBLIC: pkeyutl -sign with the label file over a
# SHA-256 hash, then pkeyutl -verify in software.
sign_verify() {
    # shellcheck disable=SC2086
    run "pkeyutl -sign -inkey $1" "$OPENSSL" pkeyutl $PROV_OPTS -sign \
        -inkey "$1" -pkeyopt digest:sha256 -in "$T/hash" -out "$T/sig"
    run "pkeyutl -verify with $2" "$OPENSSL" pkeyutl -verify -pubin \
        -inkey "$2" -pkeyopt digest:sha256 -in "$T/hash" -sigfile "$T/sig"
}

head -c 1000 /dev/urandom | "$OPENSSL" dgst -sha256 -binary >"$T/hash"

for label in APP.RSA APP.EC; do
    run "export-ref $label" "$KEYS" export-ref "$label" --out "$T/$label.pem"
    grep -q '^-----BEGIN CCA KEY LABEL-----$' "$T/$label.pem" ||
        fail "export-ref wrote no CCA KEY LABEL block"
    public_of "$label" "$T/$label.pub"
    sign_verify "$T/$label.pem" "$T/$label.pub"
    echo "ok: pkeyutl -sign with the CCA KEY LABEL PEM of $label"
done

# The body is CCA's 64-byte label field, space-padded.
sed -n '/BEGIN/,/END/{/-----/d;p}' "$T/APP.EC.pem" | "$OPENSSL" base64 -d \
    >"$T/field"
[ "$(wc -c <"$T/field")" -eq 64 ] || fail "the label field is not 64 bytes"
[ "$(tr -d ' ' <"$T/field")" = "APP.EC" ] || fail "the label field is not APP.EC"
echo "ok: the PEM body is the 64-byte label field"

# A new key under the same label: the same file now loads the new key.
run "delete APP.EC" "$KEYS" delete APP.EC
run "generate APP.EC again" "$KEYS" generate --label APP.EC --type ec \
    --curve P-256
public_of APP.EC "$T/APP.EC.new.pub"
cmp -s "$T/APP.EC.pub" "$T/APP.EC.new.pub" && fail "the new key equals the old one"
sign_verify "$T/APP.EC.pem" "$T/APP.EC.new.pub"
echo "ok: the label file follows the record to its new key"

# The label file also works where only a key file is accepted.
# shellcheck disable=SC2086
run "pkey -in label file" "$OPENSSL" pkey $PROV_OPTS -in "$T/APP.RSA.pem" \
    -pubout -out "$T/via-file.pub"
cmp -s "$T/via-file.pub" "$T/APP.RSA.pub" || fail "pkey -in the label file: other key"
echo "ok: pkey -in the CCA KEY LABEL PEM"

# PEM_read_bio_PrivateKey, as HAProxy reads its crt bundle: the label
# block after a certificate in the same file.
# shellcheck disable=SC2086
run "self-signed certificate" "$OPENSSL" req $PROV_OPTS -new -x509 \
    -key "$T/APP.RSA.pem" -subj /CN=localhost -days 1 -out "$T/cert.pem"
cat "$T/cert.pem" "$T/APP.RSA.pem" >"$T/bundle.pem"
write_openssl_cnf "$T/openssl.cnf"
OPENSSL_CONF="$T/openssl.cnf"
export OPENSSL_CONF
run "PEM_read_bio_PrivateKey of the bundle" \
    "$top_builddir/test/keystore-check" pem-key "$T/bundle.pem" >"$T/pem-key"
unset OPENSSL_CONF
grep -q '^type=RSA$' "$T/pem-key" && grep -q '^bits=2048$' "$T/pem-key" ||
    { cat "$T/pem-key" >&2; fail "PEM_read_bio_PrivateKey gave another key"; }
echo "ok: PEM_read_bio_PrivateKey of a certificate and label bundle"

# Errors: a deleted label, and a damaged label field.
run "delete APP.RSA" "$KEYS" delete APP.RSA
# shellcheck disable=SC2086
expect_fail "deleted label" '8/30.*APP\.RSA|APP\.RSA.*8/30' \
    "$OPENSSL" pkeyutl $PROV_OPTS -sign -inkey "$T/APP.RSA.pem" \
    -pkeyopt digest:sha256 -in "$T/hash" -out "$T/sig"
{
    echo "-----BEGIN CCA KEY LABEL-----"
    printf '9NINE' | "$OPENSSL" base64
    echo "-----END CCA KEY LABEL-----"
} >"$T/bad.pem"
# shellcheck disable=SC2086
expect_fail "invalid label in the file" '8/32.*9NINE' \
    "$OPENSSL" pkey $PROV_OPTS -in "$T/bad.pem" -pubout
exit 0
