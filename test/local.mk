# Tests.  Each area registers its tests in its own fragment below.
AM_TESTS_ENVIRONMENT = \
	top_builddir='$(abs_top_builddir)'; export top_builddir; \
	top_srcdir='$(abs_top_srcdir)'; export top_srcdir; \
	OPENSSL_MODULES='$(abs_top_builddir)/provider/.libs'; export OPENSSL_MODULES; \
	IBM4767_TEST_MODULES='$(abs_top_builddir)/provider/.libs'; export IBM4767_TEST_MODULES; \
	WYCHEPROOF_DIR="$${WYCHEPROOF_DIR:-$(WYCHEPROOF_DIR)}"; export WYCHEPROOF_DIR; \
	PATH='$(abs_top_builddir)/emulator:$(abs_top_builddir)/tools:$(abs_top_builddir)/test':"$$PATH"; export PATH; \
	unset OPENSSL_CONF IBM4767_DEVICES IBM4767_DEBUG IBM4767_READY_TIMEOUT \
		IBM4767_KEY_STORAGE CSUCACHE CSU_DEFAULT_ADAPTER;

EXTRA_DIST += test/scripts/common.sh

include test/unit.mk
include test/emulator.mk
include test/foundation.mk
include test/rsa.mk
include test/ec.mk
include test/wycheproof.mk
include test/aes.mk
include test/keystore.mk
include test/hardening.mk
include test/dispatch.mk
include test/tls.mk
include test/admin.mk
include test/cca.mk
