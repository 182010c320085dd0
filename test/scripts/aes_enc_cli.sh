#!/bin/sh
# "openssl enc" with -K and -iv for AES-128/192/256 in ECB, CBC and CTR:
# with "-provider ibm4767 -provider default -propquery provider=ibm4767"
# the ciphertext equals the default provider's and decrypts back, and the
# device's symmetric-requests and symmetric-bytes counters prove that the
# device did the work.
. "$top_srcdir/test/scripts/common.sh"
. "$top_srcdir/test/scripts/aes_common.sh"

aes_require_built "$top_builddir/provider/.libs/ibm4767.so" "$CLU"
emu_start crp01

head -c 100003 /dev/urandom >"$T/msg"
requests=$(aes_counter symmetric-requests)
bytes=$(aes_counter symmetric-bytes)

# CCA's CSNBSAE has no CTR: over IBM4767_TRANSPORT=cca the provider does
# not offer it, which the last check below expects.
modes="ecb cbc ctr"
[ "${IBM4767_TRANSPORT:-socket}" = cca ] && modes="ecb cbc"
for mode in $modes; do
    for bits in 128 192 256; do
        cipher="aes-$bits-$mode"
        key=$(head -c $((bits / 8)) /dev/urandom | od -An -tx1 | tr -d ' \n')
        iv=$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')
        ivopt="-iv $iv"
        [ "$mode" = ecb ] && ivopt=""

        # shellcheck disable=SC2086 # option lists
        "$OPENSSL" enc -e "-$cipher" -K "$key" $ivopt -in "$T/msg" \
            -out "$T/ref" -provider default ||
            fail "$cipher: default provider encryption failed"
        # shellcheck disable=SC2086
        "$OPENSSL" enc -e "-$cipher" -K "$key" $ivopt -in "$T/msg" \
            -out "$T/dev" $PROV_OPTS $DEVICE_PROPQ 2>"$T/err" ||
            { cat "$T/err" >&2; fail "$cipher: ibm4767 encryption failed"; }
        cmp -s "$T/dev" "$T/ref" ||
            fail "$cipher: ibm4767 ciphertext differs from the default provider's"
        # shellcheck disable=SC2086
        "$OPENSSL" enc -d "-$cipher" -K "$key" $ivopt -in "$T/ref" \
            -out "$T/back" $PROV_OPTS $DEVICE_PROPQ 2>"$T/err" ||
            { cat "$T/err" >&2; fail "$cipher: ibm4767 decryption failed"; }
        cmp -s "$T/back" "$T/msg" ||
            fail "$cipher: ibm4767 decryption does not give the message back"
        echo "ok: $cipher with -K matches the default provider and decrypts back"
    done
done

# 9 ciphers (6 over transport cca), each encrypting and decrypting 100003
# bytes (padded for ECB and CBC) in the device.
ciphers=$(($(echo $modes | wc -w) * 3))
aes_expect_growth symmetric-requests "$requests" $((ciphers * 2))
aes_expect_growth symmetric-bytes "$bytes" $((ciphers * 2 * 100003))

if [ "${IBM4767_TRANSPORT:-socket}" = cca ]; then
    # shellcheck disable=SC2086
    expect_fail "aes-128-ctr over transport cca" "unsupported|aes-128-ctr" \
        "$OPENSSL" enc -e -aes-128-ctr -K 00112233445566778899aabbccddeeff \
        -iv 00000000000000000000000000000000 -in "$T/msg" -out "$T/dev" \
        $PROV_OPTS $DEVICE_PROPQ
fi
exit 0
