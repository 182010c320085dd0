/*
 * The fixture the backend unit tests share: a scripted fake device on a
 * socket of its own and a backend configured for it.
 */
#ifndef IBM4767_TEST_BACKEND_FIXTURE_H
#define IBM4767_TEST_BACKEND_FIXTURE_H

#include <ibm4767/cca.h>

#include "fake_device.h"

struct fixture {
    struct fake_device *dev;
    struct cca_backend *be;
};

/* A backend for the comma-separated socket paths in devices. */
struct cca_backend *backend_for(const char *devices, long timeout_ms);
/* CMocka setup and teardown: start the fake device and its backend, and
 * stop them. */
int setup(void **state);
int teardown(void **state);
/* Make the fake device of f follow s from now on. */
void script(struct fixture *f, const struct fake_script *s);
/* A script for a device that is READY and replies normally. */
struct fake_script ready_script(void);
long long now_ms(void);
/* One PKCS#1 signature request through be. */
int sign(struct cca_backend *be, struct cca_result *res);

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

#endif
