# test/admin.mk: device administration against live emulators: resets
# under load, tamper codes, battery and RNG faults, master key change and
# re-encipher, access control points, socket permissions, firmware load
# and unload, and validation.  Each script starts its own emulators on
# sockets in a temporary directory; test/admin/sign_loop (signatures
# through the provider) and test/admin/random_loop (random numbers through
# the backend) are the clients they run while they disturb the device.

check_PROGRAMS += test/admin/sign_loop test/admin/random_loop

test_admin_sign_loop_SOURCES = test/admin/sign_loop.c
test_admin_sign_loop_CFLAGS = $(AM_CFLAGS) $(CRYPTO_CFLAGS)
test_admin_sign_loop_LDADD = $(CRYPTO_LIBS)

test_admin_random_loop_SOURCES = test/admin/random_loop.c
test_admin_random_loop_CFLAGS = $(AM_CFLAGS) $(CRYPTO_CFLAGS)
test_admin_random_loop_LDADD = backend/libibm4767.la $(CRYPTO_LIBS)

ADMIN_TESTS = \
	test/admin/admin_reset_under_load.sh \
	test/admin/admin_tamper.sh \
	test/admin/admin_battery_warning.sh \
	test/admin/admin_rng_fault.sh \
	test/admin/admin_master_key.sh \
	test/admin/admin_acp.sh \
	test/admin/admin_peer_access.sh \
	test/admin/admin_firmware.sh \
	test/admin/admin_validate.sh

TESTS += $(ADMIN_TESTS)
EXTRA_DIST += $(ADMIN_TESTS) test/admin/admin_common.sh
