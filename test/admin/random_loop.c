/*
 * random_loop STOP-FILE
 *
 * Request 32 random bytes through the backend's verb API, one request
 * after the other, until STOP-FILE exists, while the test script injects
 * faults.  Prints "requests=N failures=N" and the first failures' text.
 * The device list, readiness timeout and logging come from
 * IBM4767_DEVICES, IBM4767_READY_TIMEOUT and IBM4767_DEBUG.
 *
 * Exit status: 0 when every request succeeded, 1 when one failed, 99
 * when the test could not run.
 */
#include <stdio.h>
#include <unistd.h>

#include <ibm4767/cca.h>
#include <ibm4767/log.h>

#define REQUEST_BYTES 32
#define MAX_REPORTED  5

int main(int argc, char **argv)
{
    struct cca_config cfg;
    struct cca_backend *be = NULL;
    struct cca_result res;
    unsigned char out[REQUEST_BYTES];
    char err[256] = "";
    char text[1024];
    long requests = 0, failures = 0;

    if (argc != 2) {
        fprintf(stderr, "usage: random_loop STOP-FILE\n");
        return 99;
    }
    cca_config_defaults(&cfg);
    if (!cca_config_apply_env(&cfg, err, sizeof(err))) {
        fprintf(stderr, "invalid environment: %s\n", err);
        return 99;
    }
    if (cfg.log_level > IBM4767_LOG_OFF)
        ibm4767_log_open("random_loop", cfg.log_level, cfg.log_file);
    be = cca_backend_new(&cfg);
    if (be == NULL) {
        fprintf(stderr, "cannot create a backend for '%s'\n", cfg.devices);
        return 99;
    }

    while (access(argv[1], F_OK) != 0) {
        requests++;
        if (cca_random_number_generate(be, out, sizeof(out), &res))
            continue;
        if (++failures <= MAX_REPORTED)
            fprintf(stderr, "request %ld failed: %s\n", requests,
                    cca_result_text(&res, text, sizeof(text)));
    }
    printf("requests=%ld failures=%ld\n", requests, failures);
    cca_backend_free(be);
    ibm4767_log_close();
    return failures == 0 && requests > 0 ? 0 : 1;
}
