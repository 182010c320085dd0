# Helpers of the valgrind tests (make check-valgrind).  Source it after
# test/scripts/common.sh.  The tests run only when make check-valgrind
# sets IBM4767_VALGRIND to the valgrind program.  A plain make check skips
# them, and so does a sanitizer build, because valgrind cannot run
# sanitized code.

[ -n "${IBM4767_VALGRIND:-}" ] ||
    skip "valgrind tests run with make check-valgrind"
[ -z "${IBM4767_SANITIZERS:-}" ] || [ "$IBM4767_SANITIZERS" = no ] ||
    skip "valgrind cannot run a build with sanitizers ($IBM4767_SANITIZERS)"
command -v "$IBM4767_VALGRIND" >/dev/null 2>&1 ||
    skip "valgrind ($IBM4767_VALGRIND) not found: install the Debian package valgrind"

# Exit status valgrind uses for a memory error or a definite leak, chosen
# so that it cannot be mistaken for an exit status of openssl.
VG_ERROR_STATUS=97

# vg DESCRIPTION COMMAND...: run COMMAND under memcheck.  It must succeed
# with no memory error and no definite leak, also at exit when OpenSSL
# unloads the provider.  --keep-debuginfo keeps the module's symbols in
# the report after OpenSSL has unloaded it.
vg() {
    desc=$1
    shift
    "$IBM4767_VALGRIND" --quiet --error-exitcode=$VG_ERROR_STATUS \
        --leak-check=full --errors-for-leak-kinds=definite \
        --show-leak-kinds=definite --keep-debuginfo=yes \
        --suppressions="$top_srcdir/test/valgrind/openssl.supp" \
        --log-file="$T/valgrind.log" "$@" >"$T/vg.out" 2>"$T/vg.err"
    status=$?
    if [ $status -eq $VG_ERROR_STATUS ]; then
        cat "$T/valgrind.log" >&2
        fail "$desc: valgrind found memory errors or definite leaks"
    fi
    if [ $status -ne 0 ]; then
        cat "$T/vg.err" "$T/valgrind.log" >&2
        fail "$desc: exit status $status"
    fi
    echo "ok: $desc: no memory errors, no definite leaks"
}
