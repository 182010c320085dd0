/*
 * The shared fixture of the backend unit tests (backend_fixture.h).
 */
#include <config.h>

#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include <openssl/crypto.h>

#include <ibm4767/cca.h>
#include <ibm4767/protocol.h>

#include "fake_device.h"
#include "backend_fixture.h"

struct cca_backend *backend_for(const char *devices, long timeout_ms)
{
    struct cca_config cfg;

    cca_config_defaults(&cfg);
    snprintf(cfg.devices, sizeof(cfg.devices), "%s", devices);
    cfg.ready_timeout_ms = timeout_ms;
    return cca_backend_new(&cfg);
}

int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));

    unsetenv("CSU_DEFAULT_ADAPTER");
    if (f == NULL)
        return -1;
    f->dev = fake_device_start();
    if (f->dev == NULL)
        return -1;
    f->be = backend_for(fake_device_path(f->dev), 5000);
    if (f->be == NULL)
        return -1;
    *state = f;
    return 0;
}

int teardown(void **state)
{
    struct fixture *f = *state;

    cca_backend_free(f->be);
    fake_device_stop(f->dev);
    free(f);
    return 0;
}

void script(struct fixture *f, const struct fake_script *s)
{
    fake_device_set(f->dev, s);
}

struct fake_script ready_script(void)
{
    struct fake_script s;

    memset(&s, 0, sizeof(s));
    s.state = CCA_STATE_READY;
    return s;
}

long long now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int sign(struct cca_backend *be, struct cca_result *res)
{
    static const uint8_t token[8] = { 0x1F };
    static const uint8_t hash[32] = { 1 };
    struct cca_sig_params p = { CCA_SIG_PKCS1, 672, 0, 0 };
    uint8_t sig[FAKE_SIGNATURE_LEN];
    size_t sig_len = sizeof(sig);

    return cca_digital_signature_generate(be, &p, token, sizeof(token), hash,
                                          sizeof(hash), sig, &sig_len, res);
}
