#!/bin/sh
# libcsulcca-emu.so called with CCA's conventions (test/cca/cca_verbs) at
# CCA levels 5.1 (no GCM), 5.4 (a 4767's level: no PKOAEP2) and 8.1, each
# with its own key storage, against two emulators (adapters CRP01 and
# CRP02).
. "$top_srcdir/test/scripts/common.sh"

program=$top_builddir/test/cca/cca_verbs
library=$top_builddir/emulator/csulcca/.libs/libcsulcca-emu.so
[ -x "$program" ] || { echo "ERROR: $program is not built" >&2; exit 99; }
[ -f "$library" ] || { echo "ERROR: $library is not built" >&2; exit 99; }

emu_start crp01
emu_start crp02
IBM4767_CCA_LIBRARY=$library
export IBM4767_CCA_LIBRARY

for level in 5.1 5.4 8.1; do
    IBM4767_EMU_CCA_LEVEL=$level IBM4767_KEY_STORAGE="$T/keys-$level.db" \
        "$program" || fail "CCA verbs at level $level"
    echo "ok: CCA verbs at level $level"
done
exit 0
