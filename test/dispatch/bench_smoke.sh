#!/bin/sh
# ibm4767-bench measures a signature and both label reads at 1 and 2
# threads for a moment and writes its table.  The table has one row per
# operation and thread count.  The signature rows carry a ratio and both
# host CPU figures; the label rows leave the default provider's columns
# empty.  A thread count of 0 is a usage error (exit 2).  No timing is
# checked.
. "$top_srcdir/test/scripts/common.sh"

BENCH=$top_builddir/tools/ibm4767-bench
emu_start crp01

"$BENCH" --provider-path "$top_builddir/provider/.libs" \
    --ops ecdsa-p256,label-read,label-read-nocache --threads 1,2 \
    --duration 0.05 --output "$T/table.md" 2>"$T/err"
status=$?
[ "$status" -eq 0 ] || { cat "$T/err" >&2; fail "ibm4767-bench exited $status"; }
cat "$T/table.md"

rows=$(grep -c '^| \(ecdsa-p256\|label-read\|label-read-nocache\) |' "$T/table.md")
[ "$rows" -eq 6 ] || fail "expected 6 result rows, found $rows"
# | op | threads | 3 device | 3 default | ratio | cpu device | cpu default |
grep '^| ecdsa-p256 |' "$T/table.md" | awk -F'|' '
    $3 + 0 < 1 || $10 + 0 <= 0 || $11 + 0 <= 0 || $12 + 0 <= 0 { bad = 1 }
    END { exit bad }' || fail "an ecdsa-p256 row lacks its rate, ratio or CPU figures"
grep '^| label-read' "$T/table.md" | awk -F'|' '
    $4 + 0 <= 0 || $7 != " - " || $10 != " - " { bad = 1 }
    END { exit bad }' || fail "a label-read row has default-provider figures or no rate"
echo "ok: the table has every row with its figures"

"$BENCH" --threads 0 >"$T/out" 2>"$T/err"
status=$?
[ "$status" -eq 2 ] || fail "--threads 0 exited $status, expected 2"
grep -q -- '--threads' "$T/err" || fail "the usage error does not name --threads"
echo "ok: --threads 0 is a usage error"
