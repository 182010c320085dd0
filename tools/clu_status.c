/*
 * The status command: query the coprocessor, wait through a running
 * power-on self-test with the backend's readiness wait, then print the
 * report.  The card rejects every verb until its self-test has finished,
 * which can take minutes, so the wait is shown on stderr.
 */
#include <config.h>

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <ibm4767/cca.h>
#include <ibm4767/codes.h>

#include "clu.h"

static double elapsed_seconds(const struct timespec *start)
{
    struct timespec now;

    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - start->tv_sec)
           + (double)(now.tv_nsec - start->tv_nsec) / 1e9;
}

/*
 * Progress line of the readiness wait.  On a terminal a thread rewrites the
 * line once a second with the time waited so far.  Elsewhere the line is
 * written once and completed with the total when the wait ends, so a log
 * contains exactly one line per wait.
 */
struct wait_progress {
    char prefix[512];
    struct timespec start;
    int is_tty;
    int done;                    /* set under lock to stop the thread */
    pthread_mutex_t lock;
    pthread_cond_t cond;
    pthread_t thread;
    int thread_started;
};

static void *progress_thread(void *arg)
{
    struct wait_progress *wp = arg;
    struct timespec deadline;

    pthread_mutex_lock(&wp->lock);
    while (!wp->done) {
        clock_gettime(CLOCK_MONOTONIC, &deadline);
        deadline.tv_sec += 1;
        pthread_cond_timedwait(&wp->cond, &wp->lock, &deadline);
        if (wp->done)
            break;
        fprintf(stderr, "\r\033[K%s waited %.0f s", wp->prefix,
                elapsed_seconds(&wp->start));
    }
    pthread_mutex_unlock(&wp->lock);
    return NULL;
}

static void progress_start(struct wait_progress *wp)
{
    pthread_condattr_t attr;

    fputs(wp->prefix, stderr);
    if (!wp->is_tty)
        return;

    /* The thread's deadlines are on the monotonic clock, like the wait. */
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&wp->cond, &attr);
    pthread_condattr_destroy(&attr);
    pthread_mutex_init(&wp->lock, NULL);

    /* Without the thread the line only misses its updates. */
    wp->thread_started = pthread_create(&wp->thread, NULL, progress_thread,
                                        wp) == 0;
}

static void progress_finish(struct wait_progress *wp, int ready)
{
    if (wp->is_tty) {
        pthread_mutex_lock(&wp->lock);
        wp->done = 1;
        pthread_cond_signal(&wp->cond);
        pthread_mutex_unlock(&wp->lock);
        if (wp->thread_started)
            pthread_join(wp->thread, NULL);
        pthread_cond_destroy(&wp->cond);
        pthread_mutex_destroy(&wp->lock);
        fprintf(stderr, "\r\033[K%s", wp->prefix);
    }
    fprintf(stderr, " %s after %.1f s\n", ready ? "ready" : "stopped waiting",
            elapsed_seconds(&wp->start));
}

/*
 * Wait with the backend's readiness wait (bounded by the ready timeout)
 * while the device runs its self-test.  st contains the status that showed
 * the self-test and receives the status after the wait.  Returns what
 * cca_facility_query() returns.
 */
static int wait_for_self_test(struct cca_backend *be,
                              const struct clu_options *opts,
                              const char *device_name,
                              struct cca_status *st, struct cca_result *res)
{
    struct wait_progress wp;
    int ok;

    memset(&wp, 0, sizeof(wp));
    wp.is_tty = isatty(STDERR_FILENO);
    clock_gettime(CLOCK_MONOTONIC, &wp.start);
    snprintf(wp.prefix, sizeof(wp.prefix),
             CLU_PROGRAM ": %s is running its power-on self-test (about "
             "%.1f s left); waiting up to %ld s:", device_name,
             st->self_test_remaining_ms / 1000.0,
             opts->config.ready_timeout_ms / 1000L);

    progress_start(&wp);
    ok = cca_facility_query(be, CLU_DEVICE_INDEX, 1, st, res);
    progress_finish(&wp, ok && st->state == CCA_STATE_READY);
    return ok;
}

/* Map a device state other than READY to the CCA return/reason code that
 * requests get in that state. */
static void not_ready_code(uint32_t state, uint32_t *rc, uint32_t *reason)
{
    *rc = CCA_RC_SETUP;
    switch (state) {
    case CCA_STATE_NO_FIRMWARE:
        *reason = CCA_RS_FIRMWARE_NOT_LOADED;
        break;
    case CCA_STATE_ZEROIZED:
        *reason = CCA_RS_ZEROIZED;
        break;
    default:
        *reason = CCA_RS_SELF_TEST_RUNNING;
        break;
    }
}

static void report_not_ready(const char *device_name, const char *path,
                             const struct cca_status *st)
{
    char text[512];
    uint32_t rc;
    uint32_t reason;

    not_ready_code(st->state, &rc, &reason);
    fprintf(stderr, CLU_PROGRAM ": %s (%s) is not ready (%s): %s\n",
            device_name, path, cca_device_state_name(st->state),
            cca_code_format(rc, reason, st->driver_code, text, sizeof(text)));
}

static void report_failure(const char *device_name, const char *path,
                           const struct cca_result *res)
{
    char text[1024];

    cca_result_text(res, text, sizeof(text));
    /* The backend's text names the device and socket when it has them. */
    if (strstr(text, path) != NULL)
        fprintf(stderr, CLU_PROGRAM ": status failed: %s\n", text);
    else
        fprintf(stderr, CLU_PROGRAM ": status of %s (%s) failed: %s\n",
                device_name, path, text);
}

int clu_status(const struct clu_options *opts)
{
    int ret = CLU_EXIT_FAILED;
    struct cca_backend *be = NULL;
    struct cca_status st;
    struct cca_result res;
    const char *path;
    const char *device_name = CLU_DEVICE_NAME;
    int emulator_fields;

    memset(&st, 0, sizeof(st));
    memset(&res, 0, sizeof(res));

    be = clu_open_backend(opts);
    if (be == NULL)
        goto err;
    path = cca_backend_device_path(be, CLU_DEVICE_INDEX);
    if (path == NULL)
        path = opts->config.devices;

    /* A first query without waiting shows whether a self-test runs. */
    if (!cca_facility_query(be, CLU_DEVICE_INDEX, 0, &st, &res)) {
        report_failure(device_name, path, &res);
        goto err;
    }
    if (st.state == CCA_STATE_SELF_TEST
            && !wait_for_self_test(be, opts, device_name, &st, &res)) {
        report_failure(device_name, path, &res);
        goto err;
    }

    emulator_fields = cca_backend_supports(be, CCA_CAP_EMULATOR_STATUS);
    if (opts->counters_only && !emulator_fields) {
        fprintf(stderr, CLU_PROGRAM ": status --counters: the counters are "
                "not available over the CCA host library %s, which has no "
                "status extension; use transport socket or "
                "libcsulcca-emu.so\n", opts->config.cca_library);
        goto err;
    }
    if (opts->counters_only && st.state == CCA_STATE_READY)
        clu_print_counters(stdout, &st);
    else if (!opts->counters_only)
        clu_print_status(stdout, opts, device_name, path, &st,
                         emulator_fields);
    /* Only a device with its firmware running has access control. */
    if (!opts->counters_only && st.state == CCA_STATE_READY)
        clu_print_acps(stdout, be);

    if (st.state != CCA_STATE_READY) {
        report_not_ready(device_name, path, &st);
        goto err;
    }
    ret = CLU_EXIT_OK;

err:
    if (fflush(stdout) != 0 && ret == CLU_EXIT_OK) {
        perror(CLU_PROGRAM ": cannot write the report");
        ret = CLU_EXIT_FAILED;
    }
    cca_backend_free(be);
    return ret;
}
