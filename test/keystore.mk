# test/keystore.mk: key storage (labels, records, the host record cache),
# ibm4767-keys, the ibm4767: store loader and the CCA KEY LABEL PEM.
# test_keystore and test_label run without a device; keystore-check is
# the client the cache and crash shell tests run in several processes;
# the other shell tests start an emulator on a temporary socket.

check_PROGRAMS += test/unit/test_keystore test/unit/test_label \
	test/keystore-check
TESTS += test/unit/test_keystore test/unit/test_label

test_unit_test_keystore_SOURCES = test/unit/test_keystore.c
test_unit_test_keystore_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
test_unit_test_keystore_LDADD = backend/libibm4767.la $(CMOCKA_LIBS) \
	$(CRYPTO_LIBS)

test_unit_test_label_SOURCES = test/unit/test_label.c
test_unit_test_label_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
test_unit_test_label_LDADD = backend/libibm4767.la $(CMOCKA_LIBS) \
	$(CRYPTO_LIBS)

test_keystore_check_SOURCES = test/keystore_check.c
test_keystore_check_CFLAGS = $(AM_CFLAGS) $(SQLITE_CFLAGS) $(CRYPTO_CFLAGS)
test_keystore_check_LDADD = backend/libibm4767.la $(SQLITE_LIBS) \
	$(CRYPTO_LIBS)

KEYSTORE_TESTS = \
	test/scripts/keys_cache_two_processes.sh \
	test/scripts/keys_cache_off.sh \
	test/scripts/keys_kill_writer.sh \
	test/scripts/keys_tool.sh \
	test/scripts/keys_store_uri.sh \
	test/scripts/keys_label_pem.sh \
	test/scripts/keys_retained.sh

TESTS += $(KEYSTORE_TESTS)
EXTRA_DIST += $(KEYSTORE_TESTS)
