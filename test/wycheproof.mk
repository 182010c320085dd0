# test/wycheproof.mk: Wycheproof vector runners.  wycheproof_rsa and
# wycheproof_ec replay the RSA and EC vectors (read at test time from
# WYCHEPROOF_DIR) through the ibm4767 provider against an emulator; the
# _default test runs them on OpenSSL's default provider to check the
# runners themselves.

wycheproof_common_sources = \
	test/wycheproof/wycheproof.h \
	test/wycheproof/runner.c \
	test/wycheproof/vectors.c \
	test/wycheproof/keys.c

check_PROGRAMS += \
	test/wycheproof/wycheproof_rsa \
	test/wycheproof/wycheproof_ec

test_wycheproof_wycheproof_rsa_SOURCES = \
	$(wycheproof_common_sources) \
	test/wycheproof/rsa_main.c \
	test/wycheproof/rsa_sig.c \
	test/wycheproof/rsa_enc.c
test_wycheproof_wycheproof_rsa_CPPFLAGS = \
	$(AM_CPPFLAGS) $(CRYPTO_CFLAGS) $(JANSSON_CFLAGS)
test_wycheproof_wycheproof_rsa_LDADD = $(CRYPTO_LIBS) $(JANSSON_LIBS)

test_wycheproof_wycheproof_ec_SOURCES = \
	$(wycheproof_common_sources) \
	test/wycheproof/ec_main.c \
	test/wycheproof/ecdsa.c \
	test/wycheproof/ecdh.c
test_wycheproof_wycheproof_ec_CPPFLAGS = \
	$(AM_CPPFLAGS) $(CRYPTO_CFLAGS) $(JANSSON_CFLAGS)
test_wycheproof_wycheproof_ec_LDADD = $(CRYPTO_LIBS) $(JANSSON_LIBS)

TESTS += \
	test/wycheproof/wycheproof_default.sh \
	test/wycheproof/wycheproof_rsa.sh \
	test/wycheproof/wycheproof_ec.sh

EXTRA_DIST += \
	test/wycheproof/run-vectors.sh \
	test/wycheproof/wycheproof_default.sh \
	test/wycheproof/wycheproof_rsa.sh \
	test/wycheproof/wycheproof_ec.sh
