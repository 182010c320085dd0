# test/aes.mk: AES in the device (clear keys and key tokens) and random
# numbers from the device.  test_sym_engine checks the emulator's engine
# and the token layout without a daemon; the shell tests start emulators
# on temporary sockets and drive the provider through EVP and the openssl
# command.

check_PROGRAMS += test/aes/test_sym_engine
TESTS += test/aes/test_sym_engine

test_aes_test_sym_engine_SOURCES = \
	test/aes/test_sym_engine.c \
	emulator/sym_engine.h \
	emulator/sym_cipher.c \
	emulator/sym_chain.c
test_aes_test_sym_engine_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS) $(CRYPTO_CFLAGS)
test_aes_test_sym_engine_LDADD = backend/libibm4767-common.la $(CMOCKA_LIBS) \
	$(CRYPTO_LIBS)

# Programs the shell tests run against an emulator.
aes_check_programs = \
	test/aes/aes_gcm_evp \
	test/aes/aes_stream \
	test/aes/aes_bad_input \
	test/aes/aes_secure_key \
	test/aes/aes_rand_fork \
	test/aes/wycheproof_aes
check_PROGRAMS += $(aes_check_programs)

AES_TEST_CFLAGS = $(AM_CFLAGS) $(CRYPTO_CFLAGS)
aes_test_sources = test/aes/aes_test.h test/aes/aes_test.c
# The programs that run a CTR cipher, which transport cca lacks, check
# through libibm4767 how CTR fails there and run another mode instead.
aes_test_cca_sources = test/aes/aes_test_cca.h test/aes/aes_test_cca.c

test_aes_aes_gcm_evp_SOURCES = $(aes_test_sources) test/aes/aes_gcm_evp.c
test_aes_aes_gcm_evp_CFLAGS = $(AES_TEST_CFLAGS)
test_aes_aes_gcm_evp_LDADD = $(CRYPTO_LIBS)

test_aes_aes_stream_SOURCES = $(aes_test_sources) $(aes_test_cca_sources) \
	test/aes/aes_stream.c
test_aes_aes_stream_CFLAGS = $(AES_TEST_CFLAGS)
test_aes_aes_stream_LDADD = backend/libibm4767.la $(CRYPTO_LIBS)

test_aes_aes_bad_input_SOURCES = $(aes_test_sources) \
	$(aes_test_cca_sources) test/aes/aes_bad_input.c
test_aes_aes_bad_input_CFLAGS = $(AES_TEST_CFLAGS)
test_aes_aes_bad_input_LDADD = backend/libibm4767.la $(CRYPTO_LIBS)

test_aes_aes_secure_key_SOURCES = $(aes_test_sources) \
	$(aes_test_cca_sources) test/aes/aes_secure_key.c
test_aes_aes_secure_key_CFLAGS = $(AES_TEST_CFLAGS)
test_aes_aes_secure_key_LDADD = backend/libibm4767.la $(CRYPTO_LIBS)

test_aes_aes_rand_fork_SOURCES = test/aes/aes_rand_fork.c
test_aes_aes_rand_fork_CFLAGS = $(AES_TEST_CFLAGS)
test_aes_aes_rand_fork_LDADD = $(CRYPTO_LIBS)

test_aes_wycheproof_aes_SOURCES = \
	test/wycheproof/wycheproof.h \
	test/wycheproof/runner.c \
	test/wycheproof/vectors.c \
	test/wycheproof/keys.c \
	test/aes/wycheproof_aes.c
test_aes_wycheproof_aes_CPPFLAGS = \
	$(AM_CPPFLAGS) $(CRYPTO_CFLAGS) $(JANSSON_CFLAGS)
test_aes_wycheproof_aes_LDADD = $(CRYPTO_LIBS) $(JANSSON_LIBS)

aes_shell_tests = \
	test/scripts/aes_enc_cli.sh \
	test/scripts/aes_gcm_evp.sh \
	test/scripts/aes_stream.sh \
	test/scripts/aes_bad_input.sh \
	test/scripts/aes_secure_key.sh \
	test/scripts/aes_wycheproof.sh \
	test/scripts/aes_rand.sh \
	test/scripts/aes_tls_no_symmetric.sh

TESTS += $(aes_shell_tests)
EXTRA_DIST += $(aes_shell_tests) test/scripts/aes_common.sh
