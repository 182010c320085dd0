#!/bin/sh
# The Wycheproof runners on OpenSSL's default provider, without a device.
# Every case must pass there, so a failure here is a fault of the runners
# or of the vectors, never of ibm4767.
. "$top_srcdir/test/scripts/common.sh"
. "$top_srcdir/test/wycheproof/run-vectors.sh"

require_vector_dir
status=0
for runner in wycheproof_rsa wycheproof_ec; do
    require_built "$top_builddir/test/wycheproof/$runner"
    if ! "$top_builddir/test/wycheproof/$runner" --provider default; then
        echo "FAIL: $runner --provider default reported failures" >&2
        status=1
    fi
done
exit $status
