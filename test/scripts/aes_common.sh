# Helpers shared by the AES and random number shell tests.  Source it
# after common.sh:
#   . "$top_srcdir/test/scripts/common.sh"
#   . "$top_srcdir/test/scripts/aes_common.sh"

CLU="$top_builddir/tools/ibm4767-clu"

# aes_require_built FILE...: exit 99 when a file the test needs is missing.
aes_require_built() {
    for f in "$@"; do
        [ -e "$f" ] || { echo "ERROR: $f not found: run make check" >&2; exit 99; }
    done
}

# aes_cca_mode: over IBM4767_TRANSPORT=cca, check AES_CCA_MODE (cbc, ecb
# or gcm; cbc when unset) and export it.  The test programs run that mode
# where they would run CTR, which CCA lacks, after checking that CTR
# fails as doc/cca-verbs.md documents.  Over transport socket it does nothing.
aes_cca_mode() {
    [ "${IBM4767_TRANSPORT:-socket}" = cca ] || return 0
    AES_CCA_MODE=${AES_CCA_MODE:-cbc}
    case $AES_CCA_MODE in
    cbc | ecb | gcm | CBC | ECB | GCM) ;;
    *)
        echo "ERROR: AES_CCA_MODE=$AES_CCA_MODE is invalid: use cbc, ecb or gcm" >&2
        exit 99
        ;;
    esac
    export AES_CCA_MODE
    echo "note: over transport cca the CTR checks run in mode $AES_CCA_MODE"
}

# aes_counter NAME [SOCKET]: the value of device counter NAME on the
# emulator at SOCKET (default: the one started last).
aes_counter() {
    value=$("$CLU" status --counters --device "${2:-$EMU_SOCKET}" 2>"$T/clu.err" |
        sed -n "s/^$1=//p")
    [ -n "$value" ] || { cat "$T/clu.err" >&2; fail "ibm4767-clu status --counters has no counter '$1'"; }
    echo "$value"
}

# aes_expect_growth NAME BEFORE MIN: counter NAME must have grown by at
# least MIN since it read BEFORE.
aes_expect_growth() {
    now=$(aes_counter "$1")
    [ $((now - $2)) -ge "$3" ] ||
        fail "device counter $1 went from $2 to $now, expected a rise of at least $3: the work did not reach the device"
    echo "ok: device counter $1 went from $2 to $now"
}

# aes_run_program NAME ARGS...: run a test program from test/aes and fail
# the test when it reports a failure; its own output explains which check.
aes_run_program() {
    program=$top_builddir/test/aes/$1
    shift
    aes_require_built "$program"
    status=0
    "$program" "$@" || status=$?
    case $status in
    0) ;;
    77) skip "$program skipped" ;;
    99) echo "ERROR: $program could not run" >&2; exit 99 ;;
    *) fail "$program $* reported failures (exit status $status); see the FAIL lines above" ;;
    esac
}
