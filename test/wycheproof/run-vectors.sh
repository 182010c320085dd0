# Helpers for the Wycheproof test scripts.  Source it after
# test/scripts/common.sh:
#   . "$top_srcdir/test/wycheproof/run-vectors.sh"

# require_vector_dir: returns when $WYCHEPROOF_DIR is a directory.
# Otherwise the test is skipped, or fails when CI=true, because CI must
# never pass without having run the vectors.
require_vector_dir() {
    dir=${WYCHEPROOF_DIR:-}
    if [ -n "$dir" ] && [ -d "$dir" ]; then
        return 0
    fi
    reason="Wycheproof vector directory '${dir:-(unset)}' not found: set it with configure --with-wycheproof=DIR or the WYCHEPROOF_DIR variable"
    if [ "${CI:-}" = true ]; then
        fail "$reason (CI=true makes missing vectors a failure)"
    fi
    skip "$reason"
}

# require_built FILE...: exits 99 when a file the test needs was not built.
require_built() {
    for f in "$@"; do
        if [ ! -e "$f" ]; then
            echo "ERROR: $f not found: run make (or make check) first" >&2
            exit 99
        fi
    done
}

# save_counters FILE: writes the device counters (name=value lines) of the
# emulator in $IBM4767_DEVICES to FILE.
save_counters() {
    if ! "$top_builddir/tools/ibm4767-clu" status --counters >"$1" 2>"$T/clu.err"; then
        cat "$T/clu.err" >&2
        fail "ibm4767-clu status --counters failed on $IBM4767_DEVICES"
    fi
}

# counter_value FILE NAME: prints the value of counter NAME, or 0.
counter_value() {
    value=$(sed -n "s/^$2=//p" "$1")
    echo "${value:-0}"
}

# run_vectors PROGRAM COUNTER...: runs PROGRAM through the ibm4767 provider
# against a new emulator, twice: once with provider=ibm4767 as the property
# query of every operation, and once with no property query on the
# operations, as applications such as nginx run them.  Fails when a run
# reports a failed case or when one of the named device counters did not
# grow, which would mean the operations never reached the device.
run_vectors() {
    runner_name=$1
    program=$top_builddir/test/wycheproof/$runner_name
    shift

    require_vector_dir
    require_built "$program" "$top_builddir/provider/.libs/ibm4767.so" \
        "$top_builddir/emulator/ibm4767-emud" "$top_builddir/tools/ibm4767-clu"

    emu_start wycheproof
    save_counters "$T/counters.before"

    failed_runs=""
    echo "== $runner_name: operations fetched with provider=ibm4767"
    "$program" --provider ibm4767 || failed_runs="$failed_runs provider=ibm4767"
    echo "== $runner_name: operations fetched with no property query"
    "$program" --provider ibm4767 --no-operation-propq ||
        failed_runs="$failed_runs no-property-query"

    save_counters "$T/counters.after"
    idle_counters=""
    for counter in "$@"; do
        before=$(counter_value "$T/counters.before" "$counter")
        after=$(counter_value "$T/counters.after" "$counter")
        if [ "$after" -le "$before" ]; then
            echo "device counter $counter stayed at $after" >&2
            idle_counters="$idle_counters $counter"
        else
            echo "ok: device counter $counter went from $before to $after"
        fi
    done

    if [ -n "$failed_runs" ]; then
        fail "$runner_name reported failures in the runs:$failed_runs; see the FAIL lines above"
    fi
    if [ -n "$idle_counters" ]; then
        fail "device counters did not grow:$idle_counters; the operations did not reach the device"
    fi
}
