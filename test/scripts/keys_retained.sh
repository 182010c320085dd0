#!/bin/sh
# Retained keys on one device: ibm4767-keys generate --retain keeps RSA
# and EC private keys inside the device, and the key record gets a token
# without a private section.  The keys sign through ibm4767:label=, the
# CCA KEY LABEL PEM and the token PEM, survive a daemon restart, and never
# use the unwrapped-key cache.  list, show and ibm4767-clu retained list
# name the device, and delete erases the keys in the device.  The access
# control points retained-key-create, key-generate and retained-key-delete
# apply.  A tamper event erases the keys for good.
. "$top_srcdir/test/scripts/common.sh"
. "$top_srcdir/test/scripts/rsa_common.sh"

KEYS="$top_builddir/tools/ibm4767-keys"
IBM4767_KEY_STORAGE="$T/keys.db"
export IBM4767_KEY_STORAGE
printf 'signed inside the device' >"$T/msg"

# exit_code WANT DESCRIPTION COMMAND...: the command exits with WANT.
exit_code() {
    want=$1
    desc=$2
    shift 2
    "$@" >"$T/out" 2>"$T/err"
    got=$?
    [ "$got" -eq "$want" ] ||
        { cat "$T/out" "$T/err" >&2; fail "$desc: exit $got, expected $want"; }
}

clu() {
    "$CLU" --device "$EMU_SOCKET" "$@"
}

# sign_verify KEY PUB DESCRIPTION: sign $T/msg with KEY (a URI or a PEM
# file) through the provider, with pkeyutl and with dgst, and verify both
# signatures with PUB in software.
sign_verify() {
    rm -f "$T/sig1" "$T/sig2"
    # shellcheck disable=SC2086 # PROV_OPTS is a word list
    run "$3: pkeyutl -sign" "$OPENSSL" pkeyutl $PROV_OPTS -sign \
        -inkey "$1" -rawin -digest sha256 -in "$T/msg" -out "$T/sig1"
    "$OPENSSL" pkeyutl -verify -pubin -inkey "$2" -rawin -digest sha256 \
        -in "$T/msg" -sigfile "$T/sig1" >/dev/null 2>&1 ||
        fail "$3: the pkeyutl signature does not verify"
    # shellcheck disable=SC2086
    run "$3: dgst -sign" "$OPENSSL" dgst $PROV_OPTS -sha256 -sign "$1" \
        -out "$T/sig2" "$T/msg"
    "$OPENSSL" dgst -sha256 -verify "$2" -signature "$T/sig2" "$T/msg" \
        >/dev/null 2>&1 || fail "$3: the dgst signature does not verify"
    echo "ok: $3"
}

# token_sections PEM: the section identifiers of a CCA KEY TOKEN PEM, in
# decimal, on one line: each section starts with its identifier, a
# version byte and a 2-byte length, after the 8-byte token header.
token_sections() {
    token_of "$1" "$T/token.bin"
    od -An -v -tu1 "$T/token.bin" | tr -s ' \n' '\n\n' | sed '/^$/d' |
        awk '{ b[NR - 1] = $1 } END {
            off = 8
            while (off + 3 < NR && b[off + 2] * 256 + b[off + 3] > 0) {
                printf "%d ", b[off]
                off += b[off + 2] * 256 + b[off + 3]
            }
        }'
}

emu_start crp01
SERIAL=$(clu status | sed -n 's/^ *Serial Number: *//p')
[ -n "$SERIAL" ] || fail "ibm4767-clu status shows no serial number"

# 1. Generate, and the record's token has no private section.
run "generate --retain RSA" "$KEYS" generate --label RET.RSA --type rsa \
    --bits 2048 --retain --out "$T/rsa-token.pem" >"$T/gen.out"
grep -q "retained in device CRP01 ($EMU_SOCKET, serial $SERIAL)" \
    "$T/gen.out" || { cat "$T/gen.out" >&2; fail "generate does not name the device"; }
run "generate --retain EC" "$KEYS" generate --label RET.EC --type ec \
    --curve P-256 --usage both --retain >/dev/null
for f in retained-key.RET.RSA retained-key.RET.EC; do
    [ "$(stat -c %a "$T/crp01.state/$f")" = 600 ] ||
        fail "$f in the state directory is not mode 0600"
done
echo "ok: generate --retain for RSA and EC, one 0600 file each in the device"

run "export-token RET.EC" "$KEYS" export-token RET.EC --out "$T/ec-token.pem"
for pem in "$T/rsa-token.pem" "$T/ec-token.pem"; do
    sections=$(token_sections "$pem")
    # 97 is 0x61 (retained key), 4 and 33 are 0x04 and 0x21 (public
    # keys), 16 is 0x10 (the label); 0x31 and 0x20 would be private keys.
    case "$sections" in
        "97 4 16 " | "97 33 16 ") ;;
        *) fail "token $pem has sections '$sections' (decimal), expected" \
               "0x61, a public section and 0x10, and no private section" ;;
    esac
done
echo "ok: the exported tokens carry no private key section"

exit_code 2 "generate --retain of an AES key" \
    "$KEYS" generate --label RET.AES --type aes --retain
grep -q -- '--retain applies to RSA and EC keys' "$T/err" ||
    { cat "$T/err" >&2; fail "AES --retain: wrong message"; }
exit_code 1 "generate --retain over an existing record" \
    "$KEYS" generate --label RET.RSA --type rsa --retain
grep -q '8/44.*RET\.RSA' "$T/err" || fail "existing record: no 8/44 naming it"
echo "ok: AES and an existing label are refused"

# 2. Signatures through the label, the label PEM and the token PEM.
for label in RET.RSA RET.EC; do
    # shellcheck disable=SC2086
    run "pkey -pubout of $label" "$OPENSSL" pkey $PROV_OPTS \
        -in "ibm4767:label=$label" -pubout -out "$T/$label.pub"
    "$KEYS" show "$label" | sed -n '/BEGIN PUBLIC KEY/,$p' >"$T/$label.show"
    cmp -s "$T/$label.pub" "$T/$label.show" ||
        fail "show and pkey -pubout give different public keys for $label"
    sign_verify "ibm4767:label=$label" "$T/$label.pub" \
        "$label signs through ibm4767:label="
done
run "export-ref RET.RSA" "$KEYS" export-ref RET.RSA --out "$T/rsa-ref.pem"
sign_verify "$T/rsa-ref.pem" "$T/RET.RSA.pub" "RET.RSA signs through its label PEM"
sign_verify "$T/rsa-token.pem" "$T/RET.RSA.pub" "RET.RSA signs through its token PEM"

# ECDH with the retained EC key gives the secret the peer computes.
"$OPENSSL" genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
    -out "$T/peer.pem" 2>/dev/null || exit 99
"$OPENSSL" pkey -in "$T/peer.pem" -pubout -out "$T/peer.pub" || exit 99
# shellcheck disable=SC2086
run "derive with RET.EC" "$OPENSSL" pkeyutl $PROV_OPTS -derive \
    -inkey ibm4767:label=RET.EC -peerkey "$T/peer.pub" -out "$T/z1"
"$OPENSSL" pkeyutl -derive -inkey "$T/peer.pem" -peerkey "$T/RET.EC.pub" \
    -out "$T/z2" || exit 99
cmp -s "$T/z1" "$T/z2" || fail "ECDH with RET.EC gives another secret than the peer's"
echo "ok: ECDH with the retained EC key"

[ "$(counter key-cache-hits)" -eq 0 ] && [ "$(counter key-cache-misses)" -eq 0 ] ||
    fail "retained keys went through the unwrapped-key cache"
echo "ok: retained keys never use the unwrapped-key cache"

# 3. list, show and ibm4767-clu retained list name the device.
"$KEYS" list >"$T/list.out" || fail "ibm4767-keys list failed"
for label in RET.RSA RET.EC; do
    grep -q "^$label .*retained in device CRP01 ($EMU_SOCKET, serial $SERIAL)" \
        "$T/list.out" || { cat "$T/list.out" >&2; fail "list does not place $label"; }
done
"$KEYS" show RET.EC >"$T/show.out" || fail "ibm4767-keys show failed"
grep -q "^location: retained in device CRP01 ($EMU_SOCKET, serial $SERIAL)" \
    "$T/show.out" || { cat "$T/show.out" >&2; fail "show does not place RET.EC"; }
grep -q '^mkvp: *-$' "$T/show.out" || fail "show gives a retained key an MKVP"
clu retained list >"$T/rlist.out" || fail "ibm4767-clu retained list failed"
cat "$T/rlist.out"
grep -q "serial $SERIAL: 2 retained keys" "$T/rlist.out" ||
    fail "retained list: no header with serial $SERIAL and 2 keys"
grep -q '^RET.EC  *ec  *P-256  *sign,derive ' "$T/rlist.out" ||
    fail "retained list: no line for RET.EC (ec, P-256, sign,derive)"
grep -q '^RET.RSA  *rsa  *2048  *sign ' "$T/rlist.out" ||
    fail "retained list: no line for RET.RSA (rsa, 2048, sign)"
clu retained list 'RET.E*' >"$T/rlist.out" || fail "retained list PATTERN failed"
grep -q '^RET.RSA' "$T/rlist.out" && fail "retained list RET.E* shows RET.RSA"
echo "ok: list, show and ibm4767-clu retained list name the device"

# 4. The keys survive a daemon restart.
emu_stop "$EMU_PID"
IBM4767_DEVICES=""
emu_start crp01
grep -q "loaded 2 retained keys" "$T/crp01.log" ||
    fail "the restarted daemon did not log its 2 retained keys"
sign_verify "ibm4767:label=RET.RSA" "$T/RET.RSA.pub" "RET.RSA signs after a restart"

# 5. Delete: in the device and in key storage.
run "delete RET.RSA" "$KEYS" delete RET.RSA >"$T/del.out"
grep -q "deleted retained key RET.RSA in device CRP01" "$T/del.out" ||
    { cat "$T/del.out" >&2; fail "delete did not erase RET.RSA in the device"; }
[ ! -e "$T/crp01.state/retained-key.RET.RSA" ] ||
    fail "the device still has the file of RET.RSA"
# shellcheck disable=SC2086
expect_fail "signing with a deleted retained key" \
    "8/4787 RETAINED_KEY_NOT_FOUND.*retained key RET.RSA not found in CRP01 \\(serial $SERIAL\\)" \
    "$OPENSSL" pkeyutl $PROV_OPTS -sign -inkey "$T/rsa-token.pem" -rawin \
    -digest sha256 -in "$T/msg" -out "$T/sig"
cp "$T/err" "$T/not-found.err"

run "ibm4767-clu retained delete RET.EC" clu retained delete RET.EC
expect_fail "signing through a record whose key the device erased" \
    "8/4787" "$OPENSSL" pkeyutl $PROV_OPTS -sign -inkey ibm4767:label=RET.EC \
    -rawin -digest sha256 -in "$T/msg" -out "$T/sig"
run "delete RET.EC after the device erased it" "$KEYS" delete RET.EC >"$T/del.out"
grep -q "no longer in device CRP01" "$T/del.out" ||
    { cat "$T/del.out" >&2; fail "delete does not say that RET.EC was gone"; }
expect_fail "retained delete of a missing key" "8/4787" clu retained delete RET.EC
exit_code 2 "retained delete of an invalid label" clu retained delete 1BAD
grep -q '8/32' "$T/err" || fail "invalid label: no 8/32"
echo "ok: delete erases retained keys in the device"

# A record removed with --record-only leaves the device's key, whose
# label the device then refuses for a new key.
run "generate RET.KEEP" "$KEYS" generate --label RET.KEEP --type ec --retain
run "delete --record-only" "$KEYS" delete --record-only RET.KEEP
exit_code 1 "generate over a label the device holds" \
    "$KEYS" generate --label RET.KEEP --type ec --retain
grep -q '8/44.*already holds a retained key RET.KEEP' "$T/err" ||
    { cat "$T/err" >&2; fail "device label taken: wrong message"; }
run "retained delete RET.KEEP" clu retained delete RET.KEEP
echo "ok: the device refuses a label it holds"

# 6. Access control points.
run "disable retained-key-create" clu acp disable retained-key-create
exit_code 1 "generate --retain with retained-key-create disabled" \
    "$KEYS" generate --label RET.DENIED --type rsa --retain
grep -q '8/90' "$T/err" || { cat "$T/err" >&2; fail "retained-key-create: no 8/90"; }
run "a plain key with retained-key-create disabled" \
    "$KEYS" generate --label PLAIN.EC --type ec
run "enable retained-key-create" clu acp enable retained-key-create
run "disable key-generate" clu acp disable key-generate
exit_code 1 "generate --retain with key-generate disabled" \
    "$KEYS" generate --label RET.DENIED --type rsa --retain
grep -q '8/90' "$T/err" || { cat "$T/err" >&2; fail "key-generate: no 8/90"; }
run "enable key-generate" clu acp enable key-generate
"$KEYS" list RET.DENIED >"$T/list.out"
grep -q '^RET.DENIED' "$T/list.out" && fail "a refused key was stored"
run "generate RET.ACP" "$KEYS" generate --label RET.ACP --type ec --retain
run "disable retained-key-delete" clu acp disable retained-key-delete
expect_fail "retained delete with retained-key-delete disabled" "8/90" \
    clu retained delete RET.ACP
run "enable retained-key-delete" clu acp enable retained-key-delete
echo "ok: the access control points apply"

# 7. A tamper event erases the retained keys for good.
run "generate RET.TAMPER" "$KEYS" generate --label RET.TAMPER --type rsa \
    --retain --out "$T/tamper-token.pem"
run "inject a mesh tamper" clu inject 8040FFF9
ls "$T/crp01.state" | grep -q '^retained-key\.' &&
    fail "retained key files survived the tamper event"
expect_fail "signing on the zeroized device" "12/4768" \
    "$OPENSSL" pkeyutl $PROV_OPTS -sign -inkey ibm4767:label=RET.TAMPER \
    -rawin -digest sha256 -in "$T/msg" -out "$T/sig"
emu_stop "$EMU_PID"
IBM4767_DEVICES=""
emu_start crp01
ls "$T/crp01.state" | grep -q '^retained-key\.' &&
    fail "retained key files are back after a restart"
emu_stop "$EMU_PID"
IBM4767_DEVICES=""
emu_start crp01 --reinitialize
clu retained list >"$T/rlist.out" || fail "retained list on the new device failed"
grep -q ': 0 retained keys' "$T/rlist.out" ||
    { cat "$T/rlist.out" >&2; fail "the reinitialized device has retained keys"; }
expect_fail "the old token on the new device" \
    "12/4808 HOST_RETAINED_KEY_DEVICE.*retained key RET.TAMPER is held by the device with serial $SERIAL" \
    "$OPENSSL" pkeyutl $PROV_OPTS -sign -inkey "$T/tamper-token.pem" -rawin \
    -digest sha256 -in "$T/msg" -out "$T/sig"
echo "ok: a tamper event erases the retained keys for good"

echo "--- what a user sees for a deleted retained key:"
cat "$T/not-found.err"
echo "--- and for a key whose device is gone:"
cat "$T/err"
