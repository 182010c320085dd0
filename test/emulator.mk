# test/emulator.mk: the token layout unit tests (test_token_retained for
# retained-key tokens) and the daemon's life-cycle test.

check_PROGRAMS += test/unit/test_token test/unit/test_token_retained
TESTS += test/unit/test_token test/unit/test_token_retained \
	test/emulator/emud_lifecycle.sh
EXTRA_DIST += test/emulator/emud_lifecycle.sh
dist_doc_DATA += doc/key-tokens.md

test_unit_test_token_SOURCES = test/unit/test_token.c
test_unit_test_token_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS) $(CRYPTO_CFLAGS)
test_unit_test_token_LDADD = backend/libibm4767-common.la $(CMOCKA_LIBS) \
	$(CRYPTO_LIBS)

test_unit_test_token_retained_SOURCES = test/unit/test_token_retained.c
test_unit_test_token_retained_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS) \
	$(CRYPTO_CFLAGS)
test_unit_test_token_retained_LDADD = backend/libibm4767-common.la \
	$(CMOCKA_LIBS) $(CRYPTO_LIBS)
