#!/bin/sh
# Crash safety: a writer killed with SIGKILL in the middle of 1000 record
# writes leaves a database that passes PRAGMA integrity_check, and every
# record whose commit the writer reported reads back unchanged.
. "$top_srcdir/test/scripts/common.sh"

CHECK="$top_builddir/test/keystore-check"
DB="$T/keys.db"
TOTAL=1000
KILL_AFTER=100

: >"$T/committed"
"$CHECK" write-loop "$DB" CRASH "$TOTAL" >"$T/committed" 2>"$T/writer.err" &
writer=$!
i=0
while [ "$(wc -l <"$T/committed")" -lt "$KILL_AFTER" ]; do
    i=$((i + 1))
    if [ $i -gt 600 ] || ! kill -0 "$writer" 2>/dev/null; then
        cat "$T/writer.err" >&2
        fail "the writer stopped or stalled before $KILL_AFTER commits"
    fi
    sleep 0.05
done
kill -9 "$writer"
wait "$writer" 2>/dev/null

committed=$(wc -l <"$T/committed")
echo "writer killed after $committed reported commits"
[ "$committed" -lt "$TOTAL" ] ||
    echo "note: the writer finished all $TOTAL writes before the kill"

"$CHECK" verify "$DB" CRASH "$committed" >"$T/verify" 2>&1 || {
    cat "$T/verify" >&2
    fail "the database is damaged or a committed record is missing"
}
grep -q '^integrity_check=ok$' "$T/verify" || fail "integrity_check is not ok"
echo "ok: integrity_check ok and all $committed committed records read back"
