#!/bin/sh
# examples/sign_label: a C program that signs with a key from key storage
# through OSSL_STORE (ibm4767:label=NAME) and EVP calls only.  With an RSA
# and an EC label it signs and verifies in the device (the signatures and
# verifications counters rise by one each), and the signature verifies in
# software with the public key that ibm4767-keys show prints.  A missing
# label fails with CCA 8/30 naming the label.  Without the provider
# configuration the program fails and names the provider to activate.
# Wrong arguments exit with status 2.
. "$top_srcdir/test/scripts/common.sh"
. "$top_srcdir/test/tls/tls_common.sh"

SIGN_LABEL="$top_builddir/examples/sign_label"
[ -x "$SIGN_LABEL" ] || fail "$SIGN_LABEL not built: run make check"

IBM4767_KEY_STORAGE="$T/keys.db"
export IBM4767_KEY_STORAGE
tls_emu_start
tls_write_openssl_cnf
head -c 100000 /dev/urandom >"$T/message"

for label in APP.RSA APP.EC; do
    case $label in
    APP.RSA) set -- --type rsa --bits 2048 ;;
    APP.EC) set -- --type ec --curve P-256 ;;
    esac
    "$KEYS" --device "$EMU_SOCKET" generate --label "$label" "$@" \
        >"$T/keys.out" 2>&1 ||
        { cat "$T/keys.out" >&2; fail "ibm4767-keys generate $label failed"; }
    "$KEYS" show "$label" | sed -n '/BEGIN PUBLIC KEY/,$p' >"$T/$label.pub"
    [ -s "$T/$label.pub" ] || fail "ibm4767-keys show $label printed no public key"

    signatures=$(device_counter signatures) || exit 1
    verifications=$(device_counter verifications) || exit 1
    OPENSSL_CONF="$TLS_CNF" "$SIGN_LABEL" "ibm4767:label=$label" \
        "$T/message" "$T/$label.sig" >"$T/out" 2>"$T/err" ||
        { cat "$T/err" >&2; fail "sign_label ibm4767:label=$label failed"; }
    made=$(($(device_counter signatures) - signatures)) || exit 1
    [ "$made" -eq 1 ] || fail "$label: $made device signatures, expected 1"
    made=$(($(device_counter verifications) - verifications)) || exit 1
    [ "$made" -eq 1 ] || fail "$label: $made device verifications, expected 1"
    grep -q "verified" "$T/out" || fail "sign_label printed no result: $(cat "$T/out")"

    "$OPENSSL" dgst -sha256 -verify "$T/$label.pub" -signature "$T/$label.sig" \
        "$T/message" >"$T/verify.out" 2>&1 ||
        { cat "$T/verify.out" >&2; fail "$label: the signature does not verify in software"; }
    echo "ok: $(cat "$T/out")"
done

expect_fail "missing label" '8/30.*NO\.SUCH|NO\.SUCH.*8/30' \
    env OPENSSL_CONF="$TLS_CNF" "$SIGN_LABEL" ibm4767:label=NO.SUCH \
    "$T/message" "$T/none.sig"
[ -e "$T/none.sig" ] && fail "a failed signature left $T/none.sig behind"

expect_fail "no provider configuration" 'is the ibm4767 provider activated' \
    "$SIGN_LABEL" ibm4767:label=APP.RSA "$T/message" "$T/none.sig"

"$SIGN_LABEL" only-one-argument >/dev/null 2>"$T/err"
status=$?
[ $status -eq 2 ] || fail "sign_label with one argument exited with $status, expected 2"
grep -q '^usage: sign_label URI IN SIG' "$T/err" || fail "sign_label printed no usage line"
echo "ok: usage error exits with 2"
exit 0
