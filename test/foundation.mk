# test/foundation.mk: integration tests of the foundation (backend,
# emulator, provider loading, ibm4767-clu) against a live emulator on a
# temporary socket.  The shell scripts start and stop the emulators; the C
# programs are the clients they run.

check_PROGRAMS += \
	test/integration/random_request \
	test/integration/pipelining \
	test/integration/malformed_frames

test_integration_random_request_SOURCES = test/integration/random_request.c
test_integration_random_request_CFLAGS = $(AM_CFLAGS) $(CRYPTO_CFLAGS)
test_integration_random_request_LDADD = backend/libibm4767.la $(CRYPTO_LIBS)

test_integration_pipelining_SOURCES = test/integration/pipelining.c
test_integration_pipelining_CFLAGS = $(AM_CFLAGS) $(CRYPTO_CFLAGS)
test_integration_pipelining_LDADD = backend/libibm4767.la $(CRYPTO_LIBS)

test_integration_malformed_frames_SOURCES = test/integration/malformed_frames.c
test_integration_malformed_frames_CFLAGS = $(AM_CFLAGS) $(CRYPTO_CFLAGS)
test_integration_malformed_frames_LDADD = backend/libibm4767.la $(CRYPTO_LIBS)

FOUNDATION_TESTS = \
	test/integration/ready_wait_post.sh \
	test/integration/ready_no_firmware.sh \
	test/integration/ready_no_daemon.sh \
	test/integration/pipelining.sh \
	test/integration/malformed_frames.sh \
	test/integration/provider_load_no_device.sh \
	test/integration/provider_config_keys.sh \
	test/integration/clu_status_exit.sh

TESTS += $(FOUNDATION_TESTS)
EXTRA_DIST += $(FOUNDATION_TESTS)
