#!/bin/sh
# Wycheproof RSA vectors (PKCS#1 v1.5 and PSS verification, PKCS#1 v1.5
# signing, OAEP and PKCS#1 v1.5 decryption) through the ibm4767 provider
# and an emulated device.
. "$top_srcdir/test/scripts/common.sh"
. "$top_srcdir/test/wycheproof/run-vectors.sh"

run_vectors wycheproof_rsa verifications signatures decryptions key-imports
