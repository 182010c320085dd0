# test/cca.mk: the cca transport and libcsulcca-emu.so.  cca_verbs calls
# the emulator library's verbs directly and checks CCA's return and
# reason codes; cca_transport_start checks start-up failures with a
# missing library and with a stub library that lacks a verb; the suites
# run the provider's RSA, EC and AES scripts over transport cca.

check_PROGRAMS += test/cca/cca_verbs test/cca/cca_transport_start

test_cca_cca_verbs_SOURCES = test/cca/cca_verbs.c
test_cca_cca_verbs_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/backend
test_cca_cca_verbs_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS) $(CRYPTO_CFLAGS)
test_cca_cca_verbs_LDADD = $(CMOCKA_LIBS) $(CRYPTO_LIBS)

test_cca_cca_transport_start_SOURCES = test/cca/cca_transport_start.c
test_cca_cca_transport_start_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
test_cca_cca_transport_start_LDADD = backend/libibm4767.la $(CMOCKA_LIBS) \
	$(CRYPTO_LIBS)

# A CCA library without CSNDEDH.  -rpath makes libtool build it shared.
check_LTLIBRARIES = test/cca/libcca-stub.la
test_cca_libcca_stub_la_SOURCES = test/cca/stub_no_edh.c
test_cca_libcca_stub_la_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/backend
test_cca_libcca_stub_la_LDFLAGS = $(AM_LDFLAGS) -module -avoid-version \
	-shared -rpath '$(abs_builddir)/test/cca'

CCA_TESTS = \
	test/cca/cca_verbs.sh \
	test/cca/cca_transport_start.sh \
	test/cca/cca_rsa_suite.sh \
	test/cca/cca_ec_suite.sh \
	test/cca/cca_aes_suite.sh \
	test/cca/cca_keys_suite.sh

TESTS += $(CCA_TESTS)
EXTRA_DIST += $(CCA_TESTS) test/cca/cca_common.sh
dist_doc_DATA += doc/cca-verbs.md
