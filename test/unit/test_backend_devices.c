/*
 * Unit tests of the backend against scripted fake devices: the connection
 * pool, threads sharing a backend, fork, and the choice among several
 * devices (failover, spreading, CSU_DEFAULT_ADAPTER, self-test and
 * zeroized devices).
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

static void pool_reuses_connection(void **state)
{
    struct fixture *f = *state;
    struct cca_result res;
    struct fake_stats stats;

    for (int i = 0; i < 20; i++)
        assert_true(sign(f->be, &res));
    fake_device_stats(f->dev, &stats);
    assert_int_equal(stats.connections, 1);
}

struct thread_arg {
    struct cca_backend *be;
    int failures;
};

static void *sign_many(void *p)
{
    struct thread_arg *arg = p;
    struct cca_result res;

    for (int i = 0; i < 50; i++) {
        if (!sign(arg->be, &res))
            arg->failures++;
    }
    return NULL;
}

static void threads_share_backend(void **state)
{
    struct fixture *f = *state;
    struct thread_arg args[8];
    pthread_t threads[8];
    struct fake_stats stats;

    for (int i = 0; i < 8; i++) {
        args[i].be = f->be;
        args[i].failures = 0;
        assert_int_equal(pthread_create(&threads[i], NULL, sign_many,
                                        &args[i]), 0);
    }
    for (int i = 0; i < 8; i++) {
        pthread_join(threads[i], NULL);
        assert_int_equal(args[i].failures, 0);
    }
    fake_device_stats(f->dev, &stats);
    assert_int_equal(stats.sign_requests, 400);
    assert_true(stats.connections <= 16);
}

/* The child of a fork must open its own connection and leave the
 * parent's alone. */
static void fork_child_reconnects(void **state)
{
    struct fixture *f = *state;
    struct cca_result res;
    struct fake_stats stats;
    int status = 0;
    pid_t pid;

    assert_true(sign(f->be, &res));
    fake_device_stats(f->dev, &stats);
    assert_int_equal(stats.connections, 1);

    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        struct cca_result child_res;

        _exit(sign(f->be, &child_res) ? 0 : 1);
    }
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);

    fake_device_stats(f->dev, &stats);
    assert_int_equal(stats.connections, 2);
    assert_int_equal(stats.sign_requests, 2);

    assert_true(sign(f->be, &res));
    fake_device_stats(f->dev, &stats);
    assert_int_equal(stats.connections, 2);
}

static void failover_to_reachable_device(void **state)
{
    struct fixture *f = *state;
    char devices[512];
    struct cca_backend *be;
    struct cca_result res;

    snprintf(devices, sizeof(devices), "/nonexistent-dir/crp.sock,%s",
             fake_device_path(f->dev));
    be = backend_for(devices, 1000);
    assert_non_null(be);
    for (int i = 0; i < 4; i++) {
        assert_true(sign(be, &res));
        assert_string_equal(res.device_name, "CRP02");
    }
    cca_backend_free(be);
}

static void requests_spread_over_devices(void **state)
{
    struct fixture *f = *state;
    struct fake_device *second = fake_device_start();
    struct fake_stats first_stats, second_stats;
    char devices[512];
    struct cca_backend *be;
    struct cca_result res;

    assert_non_null(second);
    snprintf(devices, sizeof(devices), "%s,%s", fake_device_path(f->dev),
             fake_device_path(second));
    be = backend_for(devices, 1000);
    assert_non_null(be);
    for (int i = 0; i < 10; i++)
        assert_true(sign(be, &res));
    fake_device_stats(f->dev, &first_stats);
    fake_device_stats(second, &second_stats);
    assert_int_equal(first_stats.sign_requests + second_stats.sign_requests,
                     10);
    assert_true(first_stats.sign_requests > 0);
    assert_true(second_stats.sign_requests > 0);
    cca_backend_free(be);
    fake_device_stop(second);
}

static void pinned_adapter_used(void **state)
{
    struct fixture *f = *state;
    struct fake_device *second = fake_device_start();
    struct fake_stats first_stats, second_stats;
    char devices[512];
    struct cca_backend *be;
    struct cca_result res;

    assert_non_null(second);
    snprintf(devices, sizeof(devices), "%s,%s", fake_device_path(f->dev),
             fake_device_path(second));
    setenv("CSU_DEFAULT_ADAPTER", "CRP02", 1);
    be = backend_for(devices, 1000);
    unsetenv("CSU_DEFAULT_ADAPTER");
    assert_non_null(be);
    for (int i = 0; i < 6; i++) {
        assert_true(sign(be, &res));
        assert_string_equal(res.device_name, "CRP02");
    }
    fake_device_stats(f->dev, &first_stats);
    fake_device_stats(second, &second_stats);
    assert_int_equal(first_stats.sign_requests, 0);
    assert_int_equal(second_stats.sign_requests, 6);
    cca_backend_free(be);
    fake_device_stop(second);
}

/* While one device runs a long self-test, requests go to the other one
 * without waiting. */
static void self_test_device_passed_over(void **state)
{
    struct fixture *f = *state;
    struct fake_device *second = fake_device_start();
    struct fake_script s = ready_script();
    struct fake_stats first_stats;
    char devices[512];
    struct cca_backend *be;
    struct cca_result res;
    long long started;

    assert_non_null(second);
    s.self_test_polls = 100000;
    script(f, &s);
    snprintf(devices, sizeof(devices), "%s,%s", fake_device_path(f->dev),
             fake_device_path(second));
    be = backend_for(devices, 60000);
    assert_non_null(be);
    started = now_ms();
    for (int i = 0; i < 6; i++) {
        assert_true(sign(be, &res));
        assert_string_equal(res.device_name, "CRP02");
    }
    assert_true(now_ms() - started < 2000);
    fake_device_stats(f->dev, &first_stats);
    assert_int_equal(first_stats.verb_requests, 0);
    cca_backend_free(be);
    fake_device_stop(second);
}

/* When every device is in self-test, the request waits for one. */
static void all_devices_in_self_test_wait(void **state)
{
    struct fixture *f = *state;
    struct fake_device *second = fake_device_start();
    struct fake_script s = ready_script();
    char devices[512];
    struct cca_backend *be;
    struct cca_result res;

    assert_non_null(second);
    s.self_test_polls = 3;
    script(f, &s);
    fake_device_set(second, &s);
    snprintf(devices, sizeof(devices), "%s,%s", fake_device_path(f->dev),
             fake_device_path(second));
    be = backend_for(devices, 5000);
    assert_non_null(be);
    assert_true(sign(be, &res));
    assert_int_equal(res.rc, 0);
    cca_backend_free(be);
    fake_device_stop(second);
}

/* A zeroized device is passed over while another one serves. */
static void zeroized_device_skipped(void **state)
{
    struct fixture *f = *state;
    struct fake_device *second = fake_device_start();
    struct fake_script s = ready_script();
    struct fake_stats first_stats;
    char devices[512];
    struct cca_backend *be;
    struct cca_result res;

    assert_non_null(second);
    s.state = CCA_STATE_ZEROIZED;
    s.status_driver_code = CCA_DRV_VOLTAGE;
    script(f, &s);
    snprintf(devices, sizeof(devices), "%s,%s", fake_device_path(f->dev),
             fake_device_path(second));
    be = backend_for(devices, 1000);
    assert_non_null(be);
    for (int i = 0; i < 6; i++) {
        assert_true(sign(be, &res));
        assert_string_equal(res.device_name, "CRP02");
    }
    fake_device_stats(f->dev, &first_stats);
    assert_int_equal(first_stats.verb_requests, 0);
    assert_true(first_stats.status_requests <= 1);
    cca_backend_free(be);
    fake_device_stop(second);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(pool_reuses_connection),
        T(threads_share_backend),
        T(fork_child_reconnects),
        T(failover_to_reachable_device),
        T(requests_spread_over_devices),
        T(pinned_adapter_used),
        T(self_test_device_passed_over),
        T(all_devices_in_self_test_wait),
        T(zeroized_device_skipped),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
