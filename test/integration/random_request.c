/*
 * random_request: send one random number request through the backend's
 * verb API, as every provider operation does, and print the outcome for a
 * test script to check:
 *
 *   result=ok|failed rc=R reason=S elapsed_ms=N
 *   text=<the backend's one-line rendering of the result>
 *
 * The device list, readiness timeout and logging come from IBM4767_DEVICES,
 * IBM4767_READY_TIMEOUT and IBM4767_DEBUG.  Exit status: 0 when the request
 * succeeded, 1 when it failed, 99 when the test itself could not run.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <ibm4767/cca.h>
#include <ibm4767/log.h>

#define REQUEST_BYTES 32

static long elapsed_ms(const struct timespec *start)
{
    struct timespec now;

    clock_gettime(CLOCK_MONOTONIC, &now);
    return (long)(now.tv_sec - start->tv_sec) * 1000L
           + (long)(now.tv_nsec - start->tv_nsec) / 1000000L;
}

int main(void)
{
    int ret = 99;
    struct cca_config cfg;
    struct cca_backend *be = NULL;
    struct cca_result res;
    struct timespec start;
    unsigned char out[REQUEST_BYTES];
    char err[256] = "";
    char text[1024];
    int ok;

    memset(&res, 0, sizeof(res));
    cca_config_defaults(&cfg);
    if (!cca_config_apply_env(&cfg, err, sizeof(err))) {
        fprintf(stderr, "random_request: invalid environment: %s\n", err);
        goto err;
    }
    if (cfg.log_level > IBM4767_LOG_OFF)
        ibm4767_log_open("random_request", cfg.log_level, cfg.log_file);

    be = cca_backend_new(&cfg);
    if (be == NULL) {
        fprintf(stderr, "random_request: cannot create a backend for "
                "devices '%s'\n", cfg.devices);
        goto err;
    }

    clock_gettime(CLOCK_MONOTONIC, &start);
    ok = cca_random_number_generate(be, out, sizeof(out), &res);
    printf("result=%s rc=%u reason=%u elapsed_ms=%ld\n",
           ok ? "ok" : "failed", (unsigned)res.rc, (unsigned)res.reason,
           elapsed_ms(&start));
    printf("text=%s\n", cca_result_text(&res, text, sizeof(text)));
    ret = ok ? 0 : 1;

err:
    if (be != NULL)
        cca_backend_free(be);
    ibm4767_log_close();
    return ret;
}
