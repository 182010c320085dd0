# Helpers shared by the administration tests.  Source it after common.sh:
#   . "$top_srcdir/test/scripts/common.sh"
#   . "$top_srcdir/test/admin/admin_common.sh"

CLU="$top_builddir/tools/ibm4767-clu"
KEYS="$top_builddir/tools/ibm4767-keys"
EMUD="$top_builddir/emulator/ibm4767-emud"
SIGN_LOOP="$top_builddir/test/admin/sign_loop"
RANDOM_LOOP="$top_builddir/test/admin/random_loop"
RANDOM_REQUEST="$top_builddir/test/integration/random_request"
# The emulated manufacturer's keys and the expected segment hashes of
# this build (emulator/local.mk makes them).
VALIDATION_DIR="$top_builddir/emulator/validation"

[ -f "$VALIDATION_DIR/class-key.pem" ] ||
    skip "$VALIDATION_DIR has no class key; run 'make' first"

# run DESCRIPTION COMMAND...: the command must succeed; on failure its
# output is shown and the test fails naming DESCRIPTION.
run() {
    run_desc=$1
    shift
    "$@" >"$T/run.out" 2>"$T/run.err" ||
        { cat "$T/run.out" "$T/run.err" >&2; fail "$run_desc"; }
}

# admin_emu_start NAME [OPTIONS...]: emu_start with the build's
# validation directory, so that the device key is certified.
admin_emu_start() {
    admin_name=$1
    shift
    emu_start "$admin_name" --validation-dir "$VALIDATION_DIR" "$@"
}

# genkey_rsa OUT: an RSA-2048 key made in the device at EMU_SOCKET, as a
# token PEM file.
genkey_rsa() {
    # shellcheck disable=SC2086 # PROV_OPTS and DEVICE_PROPQ are word lists
    run "generating an RSA-2048 key in the device" \
        "$OPENSSL" genpkey $PROV_OPTS $DEVICE_PROPQ -algorithm RSA \
        -pkeyopt rsa_keygen_bits:2048 -out "$1"
}

# sign_with KEY OUT: sign $T/data with KEY through the provider into OUT;
# stderr goes to $T/sign.err.  Returns the command's status.
sign_with() {
    [ -f "$T/data" ] || echo "administration test data" >"$T/data"
    # shellcheck disable=SC2086
    "$OPENSSL" dgst $PROV_OPTS -sha256 -sign "$1" -out "$2" "$T/data" \
        2>"$T/sign.err"
}

# expect_sign_ok KEY DESCRIPTION
expect_sign_ok() {
    sign_with "$1" "$T/sig" ||
        { cat "$T/sign.err" >&2; fail "$2: signing failed"; }
    [ -s "$T/sig" ] || fail "$2: signing wrote no signature"
    echo "ok: $2"
}

# expect_sign_fails KEY PATTERN DESCRIPTION: signing must fail with an
# error matching the extended regular expression PATTERN, and write no
# signature.
expect_sign_fails() {
    rm -f "$T/sig"
    if sign_with "$1" "$T/sig"; then
        fail "$3: signing succeeded, expected an error matching '$2'"
    fi
    grep -Eq -- "$2" "$T/sign.err" ||
        { cat "$T/sign.err" >&2; fail "$3: error does not match '$2'"; }
    [ ! -s "$T/sig" ] || fail "$3: a signature was written"
    echo "ok: $3"
}

# clu ARGS...: ibm4767-clu on the emulator started last.
clu() {
    "$CLU" --device "$EMU_SOCKET" "$@"
}

# device_state: the Device State line of the status report.
device_state() {
    clu status 2>/dev/null | sed -n 's/^ *Device State: *//p'
}

# active_warning: the first line of the Active Warnings section.
active_warning() {
    clu status 2>/dev/null | sed -n '/^Active Warnings/{n;s/^ *//p;}'
}
