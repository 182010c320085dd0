# test/hardening.mk: sanitizer settings of the tests, the bad-input
# catalogue (test/badinput), key material hygiene (test/hygiene) and
# `make check-valgrind` (test/valgrind).  doc/hardening.md explains them.

# Sanitizer options for every test.  They matter only in a build
# configured with --enable-sanitizers; elsewhere nothing reads them.
# IBM4767_SANITIZER_PRELOAD is the runtime that test/scripts/common.sh
# preloads into the system's openssl, which is not instrumented itself.
AM_TESTS_ENVIRONMENT += \
	IBM4767_SANITIZERS='$(SANITIZERS)'; export IBM4767_SANITIZERS; \
	IBM4767_SANITIZER_PRELOAD='$(SANITIZER_PRELOAD)'; \
	export IBM4767_SANITIZER_PRELOAD; \
	ASAN_OPTIONS="$${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:detect_stack_use_after_return=1:strict_string_checks=1}"; \
	export ASAN_OPTIONS; \
	LSAN_OPTIONS="$${LSAN_OPTIONS:-suppressions=$(abs_top_srcdir)/test/sanitizers/lsan.supp:print_suppressions=0}"; \
	export LSAN_OPTIONS; \
	UBSAN_OPTIONS="$${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"; \
	export UBSAN_OPTIONS; \
	TSAN_OPTIONS="$${TSAN_OPTIONS:-suppressions=$(abs_top_srcdir)/test/sanitizers/tsan.supp:halt_on_error=1:second_deadlock_stack=1}"; \
	export TSAN_OPTIONS;

EXTRA_DIST += test/sanitizers/lsan.supp test/sanitizers/tsan.supp

# The bad-input catalogue: malformed frames, damaged and misused tokens,
# oversized requests (sent straight to the device), bad PEM files,
# parameters and labels (through the provider), each with its exact error.
check_PROGRAMS += test/badinput/badinput
test_badinput_badinput_SOURCES = \
	test/badinput/badinput.h \
	test/badinput/main.c \
	test/badinput/client.c \
	test/badinput/device_cases.c \
	test/badinput/provider_cases.c
test_badinput_badinput_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/provider
test_badinput_badinput_CFLAGS = $(AM_CFLAGS) $(CRYPTO_CFLAGS)
test_badinput_badinput_LDADD = backend/libibm4767.la $(CRYPTO_LIBS)

TESTS += test/badinput/badinput.sh
EXTRA_DIST += test/badinput/badinput.sh

# Key material hygiene: no private value in logs, state or key storage.
TESTS += test/hygiene/key_hygiene.sh
EXTRA_DIST += test/hygiene/key_hygiene.sh

# make check-valgrind: the openssl commands of each key type under
# valgrind memcheck.  A plain make check lists these tests as skipped.
VALGRIND_TESTS = \
	test/valgrind/valgrind_rsa.sh \
	test/valgrind/valgrind_ec.sh \
	test/valgrind/valgrind_aes.sh
TESTS += $(VALGRIND_TESTS)
EXTRA_DIST += $(VALGRIND_TESTS) test/valgrind/valgrind_common.sh \
	test/valgrind/openssl.supp

# The valgrind program the tests run under; only check-valgrind sets it.
IBM4767_VALGRIND =
AM_TESTS_ENVIRONMENT += \
	IBM4767_VALGRIND='$(IBM4767_VALGRIND)'; export IBM4767_VALGRIND;

check-valgrind: all
	@if test '$(VALGRIND)' = no; then \
	    echo "make check-valgrind: valgrind was not found when configure" \
	         "ran: install the Debian package valgrind and run configure" \
	         "again" >&2; \
	    exit 1; \
	fi
	$(MAKE) $(AM_MAKEFLAGS) check TESTS='$(VALGRIND_TESTS)' \
	    IBM4767_VALGRIND='$(VALGRIND)'

.PHONY: check-valgrind
dist_doc_DATA += doc/hardening.md
