# test/ec.mk: EC keys in the device (P-256, P-384, P-521; ECDSA and ECDH)
# through the openssl command and libcrypto.  Each script starts its own
# emulator on a socket in a temporary directory; test/ec/ec_sign_many is
# the client that ec_sign_many.sh runs.

check_PROGRAMS += test/ec/ec_sign_many

test_ec_ec_sign_many_SOURCES = test/ec/ec_sign_many.c
test_ec_ec_sign_many_CFLAGS = $(AM_CFLAGS) $(CRYPTO_CFLAGS)
test_ec_ec_sign_many_LDADD = $(CRYPTO_LIBS)

EC_TESTS = \
	test/scripts/ec_genpkey_pubout.sh \
	test/scripts/ec_genpkey_req_x509.sh \
	test/scripts/ec_sign_many.sh \
	test/scripts/ec_genpkey_derive.sh \
	test/scripts/ec_genpkey_tls.sh \
	test/scripts/ec_bad_input.sh

TESTS += $(EC_TESTS)
EXTRA_DIST += $(EC_TESTS) test/scripts/ec_common.sh
