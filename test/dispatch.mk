# test/dispatch.mk: many threads, several devices, fork and ASYNC jobs
# against live emulators.  Each script in test/dispatch/ starts its own
# emulators on sockets in a temporary directory and runs the C client of
# the same name; retained_two_devices.sh runs threads_sign.

DISPATCH_CLIENTS = \
	test/dispatch/threads_sign \
	test/dispatch/failover_kill \
	test/dispatch/fork_sign \
	test/dispatch/async_handshakes

check_PROGRAMS += $(DISPATCH_CLIENTS)

DISPATCH_COMMON = test/dispatch/dispatch_test.h test/dispatch/dispatch_test.c

test_dispatch_threads_sign_SOURCES = test/dispatch/threads_sign.c \
	$(DISPATCH_COMMON)
test_dispatch_threads_sign_CFLAGS = $(AM_CFLAGS) $(CRYPTO_CFLAGS)
test_dispatch_threads_sign_LDADD = $(CRYPTO_LIBS)

test_dispatch_failover_kill_SOURCES = test/dispatch/failover_kill.c \
	$(DISPATCH_COMMON)
test_dispatch_failover_kill_CFLAGS = $(AM_CFLAGS) $(CRYPTO_CFLAGS)
test_dispatch_failover_kill_LDADD = $(CRYPTO_LIBS)

test_dispatch_fork_sign_SOURCES = test/dispatch/fork_sign.c \
	$(DISPATCH_COMMON)
test_dispatch_fork_sign_CFLAGS = $(AM_CFLAGS) $(CRYPTO_CFLAGS)
test_dispatch_fork_sign_LDADD = $(CRYPTO_LIBS)

test_dispatch_async_handshakes_SOURCES = test/dispatch/async_handshakes.c \
	$(DISPATCH_COMMON)
test_dispatch_async_handshakes_CFLAGS = $(AM_CFLAGS) $(CRYPTO_CFLAGS) \
	$(SSL_CFLAGS)
test_dispatch_async_handshakes_LDADD = $(SSL_LIBS) $(CRYPTO_LIBS)

DISPATCH_TESTS = \
	test/dispatch/threads_sign.sh \
	test/dispatch/failover_kill.sh \
	test/dispatch/fork_sign.sh \
	test/dispatch/async_handshakes.sh \
	test/dispatch/retained_two_devices.sh \
	test/dispatch/bench_smoke.sh

TESTS += $(DISPATCH_TESTS)
EXTRA_DIST += $(DISPATCH_TESTS)
