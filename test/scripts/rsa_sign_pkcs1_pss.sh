#!/bin/sh
# RSA signatures made in the device with "openssl pkeyutl -sign" and
# "openssl dgst -sign": PKCS#1 v1.5 (over a digest and over raw input) and
# PSS with the salt lengths digest, max, auto, 0 and 20.  Each signature is
# verified by the default provider alone, with the exported public key and
# the salt length spelled out, and a wrong salt length must fail there.
# Verification through the device accepts good signatures and rejects an
# altered one.
. "$top_srcdir/test/scripts/common.sh"
. "$top_srcdir/test/scripts/rsa_common.sh"

emu_start crp01
key="$T/key.pem"
pub="$T/pub.pem"
msg="$T/msg.txt"
rsa_genkey "$key" 2048
rsa_pubout "$key" "$pub"
printf 'a message signed in the coprocessor\n' >"$msg"
"$OPENSSL" dgst -sha256 -binary -out "$T/msg.sha256" "$msg" ||
    fail "cannot hash the message"

if have_clu; then
    signatures=$(counter signatures)
else
    echo "NOTE: $CLU not built: device counters not checked" >&2
fi

# PKCS#1 v1.5 over a SHA-256 digest with pkeyutl.
# shellcheck disable=SC2086
run "pkeyutl -sign PKCS#1 v1.5" "$OPENSSL" pkeyutl $PROV_OPTS -sign \
    -inkey "$key" -pkeyopt digest:sha256 -in "$T/msg.sha256" \
    -out "$T/pkcs1.sig"
run "default provider verifies PKCS#1 v1.5" "$OPENSSL" pkeyutl -verify \
    -pubin -inkey "$pub" -pkeyopt digest:sha256 -in "$T/msg.sha256" \
    -sigfile "$T/pkcs1.sig"
echo "ok: pkeyutl PKCS#1 v1.5"

# PKCS#1 v1.5 over raw input (no DigestInfo): the default provider
# recovers the input from the signature.
# shellcheck disable=SC2086
run "pkeyutl -sign raw PKCS#1 v1.5" "$OPENSSL" pkeyutl $PROV_OPTS -sign \
    -inkey "$key" -in "$msg" -out "$T/raw.sig"
run "default provider recovers raw input" "$OPENSSL" pkeyutl -verifyrecover \
    -pubin -inkey "$pub" -in "$T/raw.sig" -out "$T/raw.out"
cmp -s "$msg" "$T/raw.out" || fail "raw PKCS#1 v1.5 signature recovers other data"
echo "ok: pkeyutl raw PKCS#1 v1.5"

# PKCS#1 v1.5 with dgst, streaming the message through the host digest.
# shellcheck disable=SC2086
run "dgst -sha256 -sign" "$OPENSSL" dgst $PROV_OPTS -sha256 -sign "$key" \
    -out "$T/dgst.sig" "$msg"
run "default provider verifies dgst signature" "$OPENSSL" dgst -sha256 \
    -verify "$pub" -signature "$T/dgst.sig" "$msg"
cmp -s "$T/pkcs1.sig" "$T/dgst.sig" ||
    fail "pkeyutl and dgst give different PKCS#1 v1.5 signatures"
echo "ok: dgst PKCS#1 v1.5"

# PSS: salt keyword or length, and the length it means for a 2048-bit key
# with SHA-256 (the largest salt is 256 - 32 - 2 = 222 bytes).
for pair in digest:32 max:222 auto:222 0:0 20:20; do
    salt=${pair%%:*}
    bytes=${pair#*:}
    wrong=$(( bytes == 20 ? 32 : 20 ))

    # shellcheck disable=SC2086
    run "pkeyutl -sign PSS salt $salt" "$OPENSSL" pkeyutl $PROV_OPTS -sign \
        -inkey "$key" -pkeyopt digest:sha256 -pkeyopt rsa_padding_mode:pss \
        -pkeyopt "rsa_pss_saltlen:$salt" -in "$T/msg.sha256" \
        -out "$T/pss-$salt.sig"
    run "default provider verifies PSS salt $salt as $bytes bytes" \
        "$OPENSSL" pkeyutl -verify -pubin -inkey "$pub" \
        -pkeyopt digest:sha256 -pkeyopt rsa_padding_mode:pss \
        -pkeyopt "rsa_pss_saltlen:$bytes" -in "$T/msg.sha256" \
        -sigfile "$T/pss-$salt.sig"
    if "$OPENSSL" pkeyutl -verify -pubin -inkey "$pub" \
        -pkeyopt digest:sha256 -pkeyopt rsa_padding_mode:pss \
        -pkeyopt "rsa_pss_saltlen:$wrong" -in "$T/msg.sha256" \
        -sigfile "$T/pss-$salt.sig" >/dev/null 2>&1; then
        fail "PSS salt $salt also verifies with a $wrong-byte salt"
    fi

    # shellcheck disable=SC2086
    run "dgst -sign PSS salt $salt" "$OPENSSL" dgst $PROV_OPTS -sha256 \
        -sign "$key" -sigopt rsa_padding_mode:pss \
        -sigopt "rsa_pss_saltlen:$salt" -out "$T/dgst-pss-$salt.sig" "$msg"
    run "default provider verifies dgst PSS salt $salt" "$OPENSSL" dgst \
        -sha256 -verify "$pub" -sigopt rsa_padding_mode:pss \
        -sigopt "rsa_pss_saltlen:$bytes" -signature "$T/dgst-pss-$salt.sig" \
        "$msg"
    echo "ok: PSS salt $salt"
done

# PSS with SHA-384 and MGF1 over SHA-256.  CCA's PKCS-PSS uses the
# signature's digest for MGF1, so over IBM4767_TRANSPORT=cca the device
# refuses it.
"$OPENSSL" dgst -sha384 -binary -out "$T/msg.sha384" "$msg" ||
    fail "cannot hash the message with SHA-384"
pss_signatures=14
if [ "${IBM4767_TRANSPORT:-socket}" = cca ]; then
    # shellcheck disable=SC2086
    expect_fail "PSS MGF1 SHA-256 over transport cca" \
        "not supported by this card's CCA level" \
        "$OPENSSL" pkeyutl $PROV_OPTS -sign -inkey "$key" \
        -pkeyopt digest:sha384 -pkeyopt rsa_padding_mode:pss \
        -pkeyopt rsa_mgf1_md:sha256 -pkeyopt rsa_pss_saltlen:digest \
        -in "$T/msg.sha384" -out "$T/pss384.sig"
    pss_signatures=13
else
    # shellcheck disable=SC2086
    run "pkeyutl -sign PSS SHA-384 MGF1 SHA-256" "$OPENSSL" pkeyutl \
        $PROV_OPTS -sign -inkey "$key" -pkeyopt digest:sha384 \
        -pkeyopt rsa_padding_mode:pss -pkeyopt rsa_mgf1_md:sha256 \
        -pkeyopt rsa_pss_saltlen:digest -in "$T/msg.sha384" \
        -out "$T/pss384.sig"
    run "default provider verifies PSS SHA-384 MGF1 SHA-256" "$OPENSSL" \
        pkeyutl -verify -pubin -inkey "$pub" -pkeyopt digest:sha384 \
        -pkeyopt rsa_padding_mode:pss -pkeyopt rsa_mgf1_md:sha256 \
        -pkeyopt rsa_pss_saltlen:48 -in "$T/msg.sha384" \
        -sigfile "$T/pss384.sig"
    echo "ok: PSS with another MGF1 digest"
fi

if have_clu; then
    # pkeyutl PKCS#1, raw, dgst, 5 x 2 PSS and the SHA-384 PSS signature.
    made=$(($(counter signatures) - signatures))
    [ "$made" -eq "$pss_signatures" ] ||
        fail "expected $pss_signatures signatures in the device, counted $made"
    verifications=$(counter verifications)
fi

# Verification in the device: good signatures pass, an altered one fails.
# shellcheck disable=SC2086
run "device verifies dgst PKCS#1 v1.5" "$OPENSSL" dgst $PROV_OPTS -sha256 \
    -prverify "$key" -signature "$T/dgst.sig" "$msg"
# shellcheck disable=SC2086
run "device verifies PSS auto" "$OPENSSL" pkeyutl $PROV_OPTS -verify \
    -inkey "$key" -pkeyopt digest:sha256 -pkeyopt rsa_padding_mode:pss \
    -pkeyopt rsa_pss_saltlen:auto -in "$T/msg.sha256" \
    -sigfile "$T/pss-0.sig"
cp "$T/dgst.sig" "$T/altered.sig"
flip_byte "$T/altered.sig" 100
# shellcheck disable=SC2086
expect_fail "altered signature" "signature did not verify" \
    "$OPENSSL" dgst $PROV_OPTS -sha256 -prverify "$key" \
    -signature "$T/altered.sig" "$msg"
if have_clu; then
    [ "$(counter verifications)" -eq $((verifications + 3)) ] ||
        fail "the verifications did not run in the device"
fi

exit 0
