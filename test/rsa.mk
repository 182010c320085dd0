# test/rsa.mk: RSA keys in the device through the openssl command and
# libssl.  Each script starts its own emulator on a socket in a temporary
# directory and loads the provider from the build tree.

RSA_TESTS = \
	test/scripts/rsa_genpkey_pubout.sh \
	test/scripts/rsa_req_x509_verify.sh \
	test/scripts/rsa_sign_pkcs1_pss.sh \
	test/scripts/rsa_decrypt_pkcs1_oaep.sh \
	test/scripts/rsa_tls_s_server.sh \
	test/scripts/rsa_bad_input.sh \
	test/scripts/rsa_private_not_exportable.sh

TESTS += $(RSA_TESTS)
EXTRA_DIST += $(RSA_TESTS) test/scripts/rsa_common.sh

# RSA-PSS keys: the openssl command through the provider, and the device's
# own enforcement of the token's restrictions through the backend.
check_PROGRAMS += test/integration/rsa_pss_device
test_integration_rsa_pss_device_SOURCES = test/integration/rsa_pss_device.c
test_integration_rsa_pss_device_CFLAGS = $(AM_CFLAGS) $(CRYPTO_CFLAGS)
test_integration_rsa_pss_device_LDADD = backend/libibm4767.la $(CRYPTO_LIBS)
TESTS += test/scripts/rsa_pss_key.sh
EXTRA_DIST += test/scripts/rsa_pss_key.sh
