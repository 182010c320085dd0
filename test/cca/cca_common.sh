# Helpers of the cca transport suites.  Source it from a test script:
#   . "$top_srcdir/test/cca/cca_common.sh"
# Each suite runs existing test scripts of test/scripts with the provider
# on IBM4767_TRANSPORT=cca and the build tree's libcsulcca-emu.so.  The
# scripts start their own emulators; the emulator library reaches them
# through IBM4767_DEVICES, as the provider would over the socket.

set -u

: "${top_builddir:?run through make check, or set top_builddir}"
: "${top_srcdir:?run through make check, or set top_srcdir}"

IBM4767_TRANSPORT=cca
IBM4767_CCA_LIBRARY=$top_builddir/emulator/csulcca/.libs/libcsulcca-emu.so
export IBM4767_TRANSPORT IBM4767_CCA_LIBRARY

if [ ! -f "$IBM4767_CCA_LIBRARY" ]; then
    echo "ERROR: $IBM4767_CCA_LIBRARY is not built" >&2
    exit 99
fi

# cca_run_scripts NAME...: run test/scripts/NAME.sh for each NAME over
# transport cca.  Prints one line per script; exits 1 when any failed,
# 99 when any hit a hard error, 0 otherwise (skips count as passes).
cca_run_scripts() {
    failed=""
    errors=""
    logs=$(mktemp -d "${TMPDIR:-/tmp}/ibm4767-cca.XXXXXX") || exit 99
    trap 'rm -rf "$logs"' EXIT
    for name in "$@"; do
        sh "$top_srcdir/test/scripts/$name.sh" >"$logs/$name.log" 2>&1
        status=$?
        case $status in
        0) echo "ok: $name over transport cca" ;;
        77) echo "skip: $name over transport cca" ;;
        *)
            cat "$logs/$name.log" >&2
            echo "FAIL: $name over transport cca (exit $status)" >&2
            if [ $status -eq 99 ]; then
                errors="$errors $name"
            else
                failed="$failed $name"
            fi
            ;;
        esac
    done
    [ -z "$errors" ] || exit 99
    [ -z "$failed" ] || exit 1
    exit 0
}
