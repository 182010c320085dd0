#!/bin/sh
# Host record cache across processes: a reader caches a label, another
# process rewrites the record, and the reader's next read returns the new
# token.  A read with no change in between is served from the cache.
. "$top_srcdir/test/scripts/common.sh"

CHECK="$top_builddir/test/keystore-check"
DB="$T/keys.db"
unset CSUCACHE

"$CHECK" write-loop "$DB" HOT 1 >/dev/null || fail "cannot create the record"

# value_of FILE NAME N: the Nth value of NAME=... in FILE.
value_of() {
    grep "^$2=" "$1" | sed -n "${3}p" | cut -d= -f2
}

# wait_for_lines FILE N: wait (at most 10 s) until FILE has N lines.
wait_for_lines() {
    i=0
    while [ "$(wc -l <"$1")" -lt "$2" ]; do
        i=$((i + 1))
        [ $i -le 100 ] || fail "no output in $1 after 10 s"
        sleep 0.1
    done
}

# 1. Another process changes the record between the two reads.
mkfifo "$T/go" || exit 99
"$CHECK" read-twice "$DB" HOT.R0 "$T/go" >"$T/reader.out" 2>"$T/reader.err" &
reader=$!
wait_for_lines "$T/reader.out" 5
"$CHECK" write "$DB" HOT.R0 99 || fail "the writer could not rewrite HOT.R0"
echo go >"$T/go"
wait "$reader" || { cat "$T/reader.err" >&2; fail "the reader failed"; }

"$CHECK" read "$DB" HOT.R0 >"$T/fresh.out" || fail "a fresh read failed"
first=$(value_of "$T/reader.out" token-sha256 1)
second=$(value_of "$T/reader.out" token-sha256 2)
fresh=$(value_of "$T/fresh.out" token-sha256 1)
[ "$first" != "$second" ] || fail "the reader returned the old token after the change"
[ "$second" = "$fresh" ] || fail "the reader's second token differs from the stored one"
[ "$(value_of "$T/reader.out" cache-hits 2)" = 0 ] ||
    fail "the second read was a cache hit although the record changed"
echo "ok: a change by another process is seen on the next read"

# 2. No change: the second read is a cache hit.
"$CHECK" read-twice "$DB" HOT.R0 "$T/go" >"$T/reader2.out" 2>"$T/reader2.err" &
reader=$!
wait_for_lines "$T/reader2.out" 5
echo go >"$T/go"
wait "$reader" || { cat "$T/reader2.err" >&2; fail "the reader failed"; }
[ "$(value_of "$T/reader2.out" cache-hits 2)" = 1 ] ||
    fail "an unchanged record was read from the database again"
[ "$(value_of "$T/reader2.out" cache-misses 2)" = 1 ] ||
    fail "expected one database read in total"
[ "$(value_of "$T/reader2.out" token-sha256 1)" = \
  "$(value_of "$T/reader2.out" token-sha256 2)" ] ||
    fail "the cached token differs from the stored one"
echo "ok: an unchanged record is served from the host cache"
