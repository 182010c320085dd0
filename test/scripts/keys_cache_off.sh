#!/bin/sh
# CSUCACHE set to a value starting with N or n turns the host record
# cache off, as with IBM's host library: every read goes to the database.
. "$top_srcdir/test/scripts/common.sh"

CHECK="$top_builddir/test/keystore-check"
DB="$T/keys.db"

"$CHECK" write-loop "$DB" COLD 1 >/dev/null || fail "cannot create the record"
mkfifo "$T/go" || exit 99

for value in N n no Never; do
    CSUCACHE=$value KEYSTORE_CHECK_DEBUG=1 \
        "$CHECK" read-twice "$DB" COLD.R0 "$T/go" >"$T/out" 2>"$T/log" &
    reader=$!
    echo go >"$T/go"
    wait "$reader" || { cat "$T/log" >&2; fail "CSUCACHE=$value: read failed"; }
    grep -q '^cache-enabled=0$' "$T/out" ||
        fail "CSUCACHE=$value: the cache is still on"
    [ "$(grep '^cache-hits=' "$T/out" | tail -1)" = "cache-hits=0" ] ||
        fail "CSUCACHE=$value: a read was served from the cache"
    [ "$(grep '^cache-misses=' "$T/out" | tail -1)" = "cache-misses=2" ] ||
        fail "CSUCACHE=$value: expected two database reads"
    grep -q 'host record cache off (CSUCACHE)' "$T/log" ||
        fail "CSUCACHE=$value: the debug log does not say the cache is off"
    echo "ok: CSUCACHE=$value turns the host cache off"
done

CSUCACHE=yes "$CHECK" read "$DB" COLD.R0 >"$T/out" || fail "read failed"
grep -q '^cache-enabled=1$' "$T/out" || fail "CSUCACHE=yes turned the cache off"
echo "ok: CSUCACHE=yes leaves the host cache on"
