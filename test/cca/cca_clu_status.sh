#!/bin/sh
# ibm4767-clu status over transport cca.  With libcsulcca-emu.so, which
# has the status extension, the report has the emulator's counters and
# timing profile.  With the same verbs built without it
# (libcsulcca-nostatus.so, as IBM's library is), the emulator's own
# fields read "not available over the CCA host library", and --counters
# fails with a message that gives the reason.
. "$top_srcdir/test/scripts/common.sh"

CLU="$top_builddir/tools/ibm4767-clu"
emulator_library=$top_builddir/emulator/csulcca/.libs/libcsulcca-emu.so
host_library=$top_builddir/test/cca/.libs/libcsulcca-nostatus.so
for file in "$CLU" "$emulator_library" "$host_library"; do
    [ -f "$file" ] || { echo "ERROR: $file is not built" >&2; exit 99; }
done
IBM4767_TRANSPORT=cca
IBM4767_KEY_STORAGE="$T/keys.db"
export IBM4767_TRANSPORT IBM4767_KEY_STORAGE

emu_start crp01

# section NAME FILE: the lines of report section NAME, up to the next
# blank line.
section() {
    sed -n "/^$1\$/,/^\$/p" "$2"
}

IBM4767_CCA_LIBRARY=$emulator_library "$CLU" status >"$T/emu.txt" 2>"$T/err" ||
    { cat "$T/err" >&2; fail "status through libcsulcca-emu.so failed"; }
section "Timing Profile" "$T/emu.txt" | grep -q 'off (requests take only' ||
    { cat "$T/emu.txt" >&2; fail "status through libcsulcca-emu.so has no timing profile"; }
section "Counters" "$T/emu.txt" | grep -q 'symmetric-requests' ||
    { cat "$T/emu.txt" >&2; fail "status through libcsulcca-emu.so has no counters"; }
grep -q 'not available over the CCA host library' "$T/emu.txt" &&
    fail "status through libcsulcca-emu.so calls its fields not available"
IBM4767_CCA_LIBRARY=$emulator_library "$CLU" status --counters >"$T/out" 2>"$T/err" ||
    { cat "$T/err" >&2; fail "status --counters through libcsulcca-emu.so failed"; }
grep -q '^symmetric-requests=' "$T/out" || fail "status --counters printed no counters"
echo "ok: status through libcsulcca-emu.so shows the emulator's fields"

IBM4767_CCA_LIBRARY=$host_library "$CLU" status >"$T/host.txt" 2>"$T/err" ||
    { cat "$T/err" >&2; fail "status through the library without the status extension failed"; }
for name in "Timing Profile" "Counters" "Active Warnings"; do
    section "$name" "$T/host.txt" | grep -q '^  not available over the CCA host library$' ||
        { cat "$T/host.txt" >&2; fail "status: section $name is not marked as not available"; }
done
grep -q 'off (requests take only' "$T/host.txt" &&
    fail "status through the host library reports the timing profile as off"
grep -q '^  Serial Number: *not available over the CCA host library$' "$T/host.txt" ||
    fail "status: the serial number is not marked as not available"
grep -q '^  Code Segments: *not available over the CCA host library$' "$T/host.txt" ||
    fail "status: the code segments are not marked as not available"
grep -q 'MKVP [0-9A-F]' "$T/host.txt" &&
    fail "status through the host library prints master key verification patterns"
grep -q '^  Device State: *READY$' "$T/host.txt" ||
    { cat "$T/host.txt" >&2; fail "status through the host library has no device state"; }
grep -q '^  AES current: *VALID$' "$T/host.txt" ||
    { cat "$T/host.txt" >&2; fail "status through the host library has no AES master key state"; }
echo "ok: status through a library without the status extension"

# shellcheck disable=SC2016 # the pattern's $ is literal
expect_fail "status --counters through the host library" \
    'counters are not available over the CCA host library .*libcsulcca-nostatus.so' \
    env IBM4767_CCA_LIBRARY="$host_library" "$CLU" status --counters
exit 0
