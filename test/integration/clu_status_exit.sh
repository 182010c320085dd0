#!/bin/sh
# ibm4767-clu status: the report of a ready device and exit codes 0 (ready),
# 1 (no firmware, no daemon) and 2 (usage error); --counters prints only
# name=value lines with every device counter.
. "$top_srcdir/test/scripts/common.sh"

CLU="$top_builddir/tools/ibm4767-clu"
COUNTERS="requests rejected signatures verifications decryptions encryptions
key-generations key-imports public-key-extracts derivations random-requests
random-bytes key-cache-hits key-cache-misses key-cache-evictions"

# expect_exit CODE DESCRIPTION COMMAND...: run the command and check its
# exit status; its output stays in $T/out and $T/err.
expect_exit() {
    code=$1
    desc=$2
    shift 2
    "$@" >"$T/out" 2>"$T/err"
    status=$?
    if [ $status -ne "$code" ]; then
        cat "$T/out" "$T/err" >&2
        fail "$desc: exit $status, expected $code"
    fi
    echo "ok: $desc exits $code"
}

emu_start ready
ready=$EMU_SOCKET

expect_exit 0 "status of a ready device" "$CLU" status --device "$ready"
for field in 'CLU Version:' 'Invocation:' 'Started:' 'Part Number:' \
        'EC Number:' 'Serial Number:' 'Description:' 'Firmware Version:' \
        'Page 1 Certified: *YES' 'Segment-1 State: *INITIALIZED' \
        'Segment-2 State: *RUNNABLE' 'Segment-2 Owner ID: *2' \
        'Segment-3 State: *RUNNABLE' 'Segment-3 Owner ID: *2' \
        'Hash (SHA-256):' 'AES current:' 'APKA current:' 'Active Warnings'; do
    grep -q "$field" "$T/out" || fail "status report has no '$field' line"
done
grep -q 'Description: *IBM 4767-002 PCI-e Cryptographic Coprocessor (emulated)' "$T/out" ||
    fail "status report does not describe the emulated 4767-002"
echo "ok: status report has every section"

expect_exit 0 "st alias" "$CLU" st --device "$ready"
expect_exit 0 "device from IBM4767_DEVICES" env IBM4767_DEVICES="$ready" "$CLU" status

expect_exit 0 "status --counters" "$CLU" status --counters --device "$ready"
if grep -Evq '^[a-z][a-z-]*=[0-9]+$' "$T/out"; then
    cat "$T/out" >&2
    fail "status --counters printed a line that is not name=value"
fi
for name in $COUNTERS; do
    grep -q "^$name=" "$T/out" || fail "status --counters has no $name"
done
echo "ok: --counters prints every counter as name=value"

emu_start nofw --no-firmware
expect_exit 1 "status of a device without firmware" "$CLU" status --device "$EMU_SOCKET"
grep -q '12/338' "$T/err" || fail "no-firmware error does not contain 12/338"
expect_exit 1 "status --counters without firmware" "$CLU" status --counters --device "$EMU_SOCKET"
[ ! -s "$T/out" ] || fail "status --counters printed counters of a device that is not ready"

expect_exit 1 "status with no daemon" "$CLU" status --device "$T/absent.sock" --ready-timeout 2
grep -qF "$T/absent.sock" "$T/err" || fail "no-daemon error does not name $T/absent.sock"

expect_exit 2 "no command" "$CLU"
expect_exit 2 "unknown command" "$CLU" frobnicate
expect_exit 2 "unknown option" "$CLU" status --no-such-option
expect_exit 2 "extra argument" "$CLU" status extra
expect_exit 2 "--device without a value" "$CLU" status --device
expect_exit 2 "--ready-timeout not a number" "$CLU" status --ready-timeout soon
grep -q "invalid --ready-timeout 'soon'" "$T/err" || fail "--ready-timeout error does not name the value"
expect_exit 2 "--ready-timeout negative" "$CLU" status --ready-timeout -1
expect_exit 2 "IBM4767_READY_TIMEOUT invalid" env IBM4767_READY_TIMEOUT=soon "$CLU" status --device "$ready"
expect_exit 0 "--help" "$CLU" --help
grep -q '^Usage: ibm4767-clu' "$T/out" || fail "--help does not print the usage"
