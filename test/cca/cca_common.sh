# Helpers of the cca transport suites.  Source it from a test script:
#   . "$top_srcdir/test/cca/cca_common.sh"
# Each suite runs existing test scripts of test/scripts, and scripts of
# test/cca written for transport cca, with the provider on
# IBM4767_TRANSPORT=cca and the build tree's libcsulcca-emu.so.  The
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

# Logs of the scripts cca_run_scripts runs, removed at exit.
cca_logs=$(mktemp -d "${TMPDIR:-/tmp}/ibm4767-cca.XXXXXX") || exit 99
trap 'rm -rf "$cca_logs"' EXIT

# cca_run_scripts NAME...: run test/scripts/NAME.sh, or test/cca/NAME.sh
# when test/scripts has none, for each NAME over transport cca.  Prints
# one line per script; returns 1 when any failed, 99 when any hit a hard
# error, 0 otherwise (skips count as passes).  A suite that ends with it
# exits with that status.
cca_run_scripts() {
    failed=""
    errors=""
    settings=${AES_CCA_MODE:+ (AES_CCA_MODE=$AES_CCA_MODE)}
    for name in "$@"; do
        script=$top_srcdir/test/scripts/$name.sh
        [ -f "$script" ] || script=$top_srcdir/test/cca/$name.sh
        sh "$script" >"$cca_logs/$name.log" 2>&1
        status=$?
        case $status in
        0) echo "ok: $name over transport cca$settings" ;;
        77) echo "skip: $name over transport cca$settings" ;;
        *)
            cat "$cca_logs/$name.log" >&2
            echo "FAIL: $name over transport cca$settings (exit $status)" >&2
            if [ $status -eq 99 ]; then
                errors="$errors $name"
            else
                failed="$failed $name"
            fi
            ;;
        esac
    done
    [ -z "$errors" ] || return 99
    [ -z "$failed" ] || return 1
    return 0
}

# cca_worse STATUS STATUS: print the worse of two cca_run_scripts
# statuses (99 before 1 before 0).
cca_worse() {
    if [ "$1" -eq 99 ] || [ "$2" -eq 99 ]; then
        echo 99
    elif [ "$1" -ne 0 ] || [ "$2" -ne 0 ]; then
        echo 1
    else
        echo 0
    fi
}
