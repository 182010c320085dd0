# test/unit.mk: CMocka unit tests of the backend library.  They need no
# emulator: test_backend serves a scripted fake device on a socket in a
# temporary directory of its own.

UNIT_TESTS = \
	test/unit/test_frame \
	test/unit/test_codes \
	test/unit/test_config \
	test/unit/test_backend \
	test/unit/test_backend_devices

check_PROGRAMS += $(UNIT_TESTS)
TESTS += $(UNIT_TESTS)

UNIT_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS) $(CRYPTO_CFLAGS)
UNIT_LDADD = backend/libibm4767.la $(CMOCKA_LIBS) $(CRYPTO_LIBS)

test_unit_test_frame_SOURCES = test/unit/test_frame.c
test_unit_test_frame_CFLAGS = $(UNIT_CFLAGS)
test_unit_test_frame_LDADD = $(UNIT_LDADD)

test_unit_test_codes_SOURCES = test/unit/test_codes.c
test_unit_test_codes_CFLAGS = $(UNIT_CFLAGS)
test_unit_test_codes_LDADD = $(UNIT_LDADD)

test_unit_test_config_SOURCES = test/unit/test_config.c
test_unit_test_config_CFLAGS = $(UNIT_CFLAGS)
test_unit_test_config_LDADD = $(UNIT_LDADD)

BACKEND_FIXTURE = \
	test/unit/backend_fixture.c \
	test/unit/backend_fixture.h \
	test/unit/fake_device.c \
	test/unit/fake_device.h

test_unit_test_backend_SOURCES = test/unit/test_backend.c $(BACKEND_FIXTURE)
test_unit_test_backend_CFLAGS = $(UNIT_CFLAGS)
test_unit_test_backend_LDADD = $(UNIT_LDADD)

test_unit_test_backend_devices_SOURCES = test/unit/test_backend_devices.c \
	$(BACKEND_FIXTURE)
test_unit_test_backend_devices_CFLAGS = $(UNIT_CFLAGS)
test_unit_test_backend_devices_LDADD = $(UNIT_LDADD)
