#!/bin/sh
# Wycheproof aes_gcm_test.json and aes_cbc_pkcs5_test.json: first on the
# default provider (a check of the runner itself), then through the
# ibm4767 provider against an emulator, every case with its expected
# outcome.  The device's symmetric-requests counter must rise.  A missing
# vector directory skips the test, or fails it when CI=true.
. "$top_srcdir/test/scripts/common.sh"
. "$top_srcdir/test/wycheproof/run-vectors.sh"

runner=$top_builddir/test/aes/wycheproof_aes
require_vector_dir
require_built "$runner"
"$runner" --provider default ||
    fail "wycheproof_aes --provider default reported failures: the runner or the vectors are wrong"

status=0
require_built "$top_builddir/provider/.libs/ibm4767.so" \
    "$top_builddir/emulator/ibm4767-emud" "$top_builddir/tools/ibm4767-clu"
emu_start wycheproof
save_counters "$T/counters.before"
"$runner" --provider ibm4767 || status=$?
[ "$status" -eq 0 ] ||
    fail "wycheproof_aes --provider ibm4767 reported failures (exit status $status); see the FAIL lines above"
save_counters "$T/counters.after"
before=$(counter_value "$T/counters.before" symmetric-requests)
after=$(counter_value "$T/counters.after" symmetric-requests)
[ "$after" -gt "$before" ] ||
    fail "device counter symmetric-requests stayed at $after: the vectors did not reach the device"
echo "ok: device counter symmetric-requests went from $before to $after"
exit 0
