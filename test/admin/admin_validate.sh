#!/bin/sh
# ibm4767-clu validate passes on a fresh emulator.  It fails, each time
# with its own message, for a chain that does not lead to the pinned root,
# a status signed by another key than the certified device key, an altered
# signed status, a changed segment hash and an uncertified device key.
# The emulator's test hooks produce the key, status and segment cases.
. "$top_srcdir/test/scripts/common.sh"
. "$top_srcdir/test/admin/admin_common.sh"

# validate_fails NAME PATTERN DESCRIPTION [EMULATOR OPTIONS...]: on a new
# emulator started with the options, validate must fail with PATTERN.
validate_fails() {
    vf_name=$1
    vf_pattern=$2
    vf_desc=$3
    shift 3
    IBM4767_DEVICES=""
    emu_start "$vf_name" "$@"
    expect_fail "$vf_desc" "$vf_pattern" \
        clu validate --validation-dir "$VALIDATION_DIR"
    emu_stop "$EMU_PID"
}

admin_emu_start fresh
run "validate a fresh emulator" clu validate --validation-dir "$VALIDATION_DIR"
grep -q '^validation passed' "$T/run.out" || fail "validate did not report success"
[ "$(grep -c '^  ok ' "$T/run.out")" -eq 7 ] ||
    { cat "$T/run.out" >&2; fail "validate did not print 7 passed checks"; }
echo "ok: validate passes on a fresh emulator"
IBM4767_VALIDATION_DIR="$VALIDATION_DIR" run \
    "validate with IBM4767_VALIDATION_DIR" clu validate
echo "ok: IBM4767_VALIDATION_DIR points validate at the build tree"

# A root this device's chain does not lead to.
mkdir "$T/other-root"
"$OPENSSL" req -new -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-521 \
    -nodes -keyout "$T/other-root/root-key.pem" -sha512 -days 30 \
    -subj "/CN=another root" -out "$T/other-root/root.pem" 2>/dev/null ||
    fail "cannot make another root certificate"
cp "$VALIDATION_DIR/segments" "$T/other-root/segments"
expect_fail "validate against another root" \
    "does not lead to the pinned root key" \
    clu validate --validation-dir "$T/other-root"

# Segment hashes this build did not install.
mkdir "$T/other-segments"
cp "$VALIDATION_DIR/root.pem" "$T/other-segments/root.pem"
sed 's/^segment-2=./segment-2=0/' "$VALIDATION_DIR/segments" \
    >"$T/other-segments/segments"
cmp -s "$VALIDATION_DIR/segments" "$T/other-segments/segments" &&
    sed -i 's/^segment-2=./segment-2=1/' "$T/other-segments/segments"
expect_fail "validate against other expected hashes" "segment 2 hash changed" \
    clu validate --validation-dir "$T/other-segments"
emu_stop "$EMU_PID"

validate_fails replaced "signed by another key than the certified device key" \
    "validate when the device key was replaced" \
    --validation-dir "$VALIDATION_DIR" --test-hook replace-device-key
validate_fails altered "the signed status was altered" \
    "validate when the signed status was altered" \
    --validation-dir "$VALIDATION_DIR" --test-hook alter-signed-status
validate_fails segment "segment 3 hash changed" \
    "validate when a segment hash differs" \
    --validation-dir "$VALIDATION_DIR" --test-hook segment-hash
validate_fails uncertified "12/4785" \
    "validate a device made without the class key" \
    --validation-dir "$T/no-such-dir"
expect_fail "validate with a missing root" "cannot read the pinned root" \
    "$CLU" --device "$T/fresh.sock" validate --validation-dir "$T/no-such-dir"
