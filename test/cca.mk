# test/cca.mk: the cca transport and libcsulcca-emu.so.  cca_verbs calls
# the emulator library's verbs directly and checks CCA's return and
# reason codes; cca_transport_start checks start-up failures with a
# missing library and with a stub library that lacks a verb; the suites
# run the provider's RSA, EC and AES scripts and ibm4767-keys over
# transport cca; cca_clu_status checks ibm4767-clu status with and
# without the emulator library's status extension.

check_PROGRAMS += test/cca/cca_verbs test/cca/cca_transport_start

test_cca_cca_verbs_SOURCES = test/cca/cca_verbs.c test/cca/cca_verbs.h \
	test/cca/cca_verbs_storage.c
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

# The emulator library without ibm4767_emu_status: what the tools see
# through IBM's library, which has no status extension.
check_LTLIBRARIES += test/cca/libcsulcca-nostatus.la
test_cca_libcsulcca_nostatus_la_SOURCES = $(csulcca_verb_sources)
test_cca_libcsulcca_nostatus_la_CPPFLAGS = \
	$(emulator_csulcca_libcsulcca_emu_la_CPPFLAGS)
test_cca_libcsulcca_nostatus_la_CFLAGS = \
	$(emulator_csulcca_libcsulcca_emu_la_CFLAGS)
test_cca_libcsulcca_nostatus_la_LDFLAGS = $(AM_LDFLAGS) -module \
	-avoid-version -shared -rpath '$(abs_builddir)/test/cca' \
	-export-symbols-regex '^CS[A-Z0-9]+$$'
test_cca_libcsulcca_nostatus_la_LIBADD = \
	$(emulator_csulcca_libcsulcca_emu_la_LIBADD)

CCA_TESTS = \
	test/cca/cca_verbs.sh \
	test/cca/cca_transport_start.sh \
	test/cca/cca_rsa_suite.sh \
	test/cca/cca_ec_suite.sh \
	test/cca/cca_aes_suite.sh \
	test/cca/cca_keys_suite.sh \
	test/cca/cca_clu_status.sh

TESTS += $(CCA_TESTS)
EXTRA_DIST += $(CCA_TESTS) test/cca/cca_common.sh test/cca/keys_tool_cca.sh
dist_doc_DATA += doc/cca-verbs.md
