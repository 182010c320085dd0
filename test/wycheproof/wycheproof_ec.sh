#!/bin/sh
# Wycheproof EC vectors (ECDSA verification, ECDH) through the ibm4767
# provider and an emulated device.
. "$top_srcdir/test/scripts/common.sh"
. "$top_srcdir/test/wycheproof/run-vectors.sh"

run_vectors wycheproof_ec verifications derivations key-imports
