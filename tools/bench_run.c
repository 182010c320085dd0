/*
 * Running one measurement: N threads repeat an operation, each timing
 * every call.  Each thread sets up its context and runs the operation
 * once untimed (connections, key cache and lazy initialisation), then all
 * start together.  The window closes after the requested time.  It stays
 * open longer while too few operations have finished for a percentile to
 * mean anything.  Only operations finished inside the window count.
 */
#include <config.h>

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include <openssl/err.h>

#include "bench.h"

/* The window stays open until every thread has finished this many
 * operations, at most MAX_STRETCH times the requested time plus
 * MAX_EXTRA_SECONDS. */
#define MIN_OPS_PER_THREAD 2
#define MAX_STRETCH        10.0
#define MAX_EXTRA_SECONDS  30.0

double bench_now_seconds(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int bench_samples_add(struct bench_samples *s, double us)
{
    if (s->count == s->cap) {
        size_t cap = s->cap != 0 ? s->cap * 2 : 1024;
        double *p = realloc(s->us, cap * sizeof(*p));

        if (p == NULL)
            return 0;
        s->us = p;
        s->cap = cap;
    }
    s->us[s->count++] = us;
    return 1;
}

void bench_samples_free(struct bench_samples *s)
{
    free(s->us);
    memset(s, 0, sizeof(*s));
}

static int compare_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return (x > y) - (x < y);
}

/* Nearest-rank percentile of sorted samples. */
static double percentile(const struct bench_samples *s, double p)
{
    size_t rank;

    if (s->count == 0)
        return 0.0;
    rank = (size_t)(p / 100.0 * (double)s->count + 0.999999);
    if (rank < 1)
        rank = 1;
    if (rank > s->count)
        rank = s->count;
    return s->us[rank - 1];
}

void bench_samples_summarize(struct bench_samples *s,
                             struct bench_result *out)
{
    qsort(s->us, s->count, sizeof(*s->us), compare_double);
    out->p50_ms = percentile(s, 50.0) / 1000.0;
    out->p99_ms = percentile(s, 99.0) / 1000.0;
}

/* Shared by the threads of one measurement. */
struct run {
    const struct bench_op *op;
    enum bench_side side;
    struct bench_keys *keys;
    /* Start line: threads count themselves ready and wait for go. */
    pthread_mutex_t lock;
    pthread_cond_t changed;
    unsigned ready;
    int go;
    atomic_int stop;
    atomic_int failed;
    atomic_uint slow_threads;     /* below MIN_OPS_PER_THREAD so far */
    double window_start;
    double window_end;            /* set before stop */
    double cpu_start;             /* process CPU seconds at window_start */
    double cpu_end;               /* and at window_end */
};

struct thread_state {
    struct run *run;
    pthread_t thread;
    struct bench_samples samples;
    double *finished_at;          /* parallel to samples */
    size_t finished_cap;
};

static int record(struct thread_state *ts, double started, double ended)
{
    if (ts->samples.count == ts->finished_cap) {
        size_t cap = ts->finished_cap != 0 ? ts->finished_cap * 2 : 1024;
        double *p = realloc(ts->finished_at, cap * sizeof(*p));

        if (p == NULL)
            return 0;
        ts->finished_at = p;
        ts->finished_cap = cap;
    }
    ts->finished_at[ts->samples.count] = ended;
    return bench_samples_add(&ts->samples, (ended - started) * 1e6);
}

static void *thread_main(void *arg)
{
    struct thread_state *ts = arg;
    struct run *run = ts->run;
    struct bench_worker *w;
    int counted_slow = 1;

    w = bench_worker_new(run->op, run->side, run->keys);
    if (w == NULL || !bench_worker_run(w)) {
        bench_print_errors(w == NULL ? "setting up a thread's operation "
                                       "failed"
                                     : "the first operation failed");
        atomic_store(&run->failed, 1);
    }
    pthread_mutex_lock(&run->lock);
    run->ready++;
    pthread_cond_broadcast(&run->changed);
    while (!run->go)
        pthread_cond_wait(&run->changed, &run->lock);
    pthread_mutex_unlock(&run->lock);

    while (!atomic_load(&run->stop) && !atomic_load(&run->failed)) {
        double t0 = bench_now_seconds();

        if (!bench_worker_run(w)) {
            bench_print_errors("an operation failed during the "
                               "measurement");
            atomic_store(&run->failed, 1);
            break;
        }
        if (!record(ts, t0, bench_now_seconds())) {
            fprintf(stderr, BENCH_PROGRAM ": out of memory for latency "
                    "samples\n");
            atomic_store(&run->failed, 1);
            break;
        }
        if (counted_slow && ts->samples.count >= MIN_OPS_PER_THREAD) {
            atomic_fetch_sub(&run->slow_threads, 1);
            counted_slow = 0;
        }
    }
    bench_worker_free(w);
    ERR_clear_error();
    return NULL;
}

/* CPU time of this process (all threads, user and system), seconds. */
static double process_cpu_seconds(void)
{
    struct rusage ru;

    if (getrusage(RUSAGE_SELF, &ru) != 0)
        return 0.0;
    return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
           (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

static void sleep_seconds(double s)
{
    struct timespec ts;

    if (s <= 0)
        return;
    ts.tv_sec = (time_t)s;
    ts.tv_nsec = (long)((s - (double)ts.tv_sec) * 1e9);
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
        continue;
}

/* Wait for the window to close: the requested time, and enough
 * operations from every thread, within the stretch limit. */
static void wait_window(struct run *run, double seconds)
{
    double limit = run->window_start + seconds * MAX_STRETCH +
                   MAX_EXTRA_SECONDS;

    sleep_seconds(seconds);
    while (atomic_load(&run->slow_threads) > 0 &&
           !atomic_load(&run->failed) && bench_now_seconds() < limit)
        sleep_seconds(0.01);
    run->window_end = bench_now_seconds();
    run->cpu_end = process_cpu_seconds();
    atomic_store(&run->stop, 1);
}

/* Merge the samples of operations finished inside the window. */
static int collect(struct run *run, struct thread_state *ts,
                   unsigned threads, struct bench_result *out)
{
    struct bench_samples all = { 0 };
    int ok = 1;

    for (unsigned i = 0; i < threads && ok; i++) {
        for (size_t k = 0; k < ts[i].samples.count && ok; k++) {
            if (ts[i].finished_at[k] <= run->window_end)
                ok = bench_samples_add(&all, ts[i].samples.us[k]);
        }
    }
    out->ops = all.count;
    out->seconds = run->window_end - run->window_start;
    out->ops_per_second = out->seconds > 0 ? (double)all.count /
                                                 out->seconds
                                           : 0.0;
    out->cpu_us_per_op = all.count > 0 ? (run->cpu_end - run->cpu_start) *
                                             1e6 / (double)all.count
                                       : 0.0;
    bench_samples_summarize(&all, out);
    bench_samples_free(&all);
    return ok;
}

int bench_measure(const struct bench_op *op, enum bench_side side,
                  struct bench_keys *keys, unsigned threads, double seconds,
                  struct bench_result *out)
{
    struct thread_state *ts = NULL;
    struct run run;
    unsigned started = 0;
    int ret = 0;

    memset(out, 0, sizeof(*out));
    if (op->kind == BENCH_TLS_ASYNC)
        return bench_tls_async_measure(side, keys, threads, seconds, out);

    memset(&run, 0, sizeof(run));
    run.op = op;
    run.side = side;
    run.keys = keys;
    atomic_init(&run.slow_threads, threads);
    pthread_mutex_init(&run.lock, NULL);
    pthread_cond_init(&run.changed, NULL);
    ts = calloc(threads, sizeof(*ts));
    if (ts == NULL) {
        fprintf(stderr, BENCH_PROGRAM ": out of memory for %u threads\n",
                threads);
        goto err;
    }

    for (; started < threads; started++) {
        ts[started].run = &run;
        if (pthread_create(&ts[started].thread, NULL, thread_main,
                           &ts[started]) != 0)
            break;
    }
    if (started < threads) {
        fprintf(stderr, BENCH_PROGRAM ": cannot start thread %u of %u\n",
                started + 1, threads);
        atomic_store(&run.failed, 1);
    }

    pthread_mutex_lock(&run.lock);
    while (run.ready < started)
        pthread_cond_wait(&run.changed, &run.lock);
    run.go = 1;
    run.window_start = bench_now_seconds();
    run.cpu_start = process_cpu_seconds();
    pthread_cond_broadcast(&run.changed);
    pthread_mutex_unlock(&run.lock);
    if (!atomic_load(&run.failed))
        wait_window(&run, seconds);
    atomic_store(&run.stop, 1);
    for (unsigned i = 0; i < started; i++)
        pthread_join(ts[i].thread, NULL);

    if (!atomic_load(&run.failed) && collect(&run, ts, threads, out))
        ret = 1;

err:
    out->failed = !ret;
    for (unsigned i = 0; ts != NULL && i < threads; i++) {
        bench_samples_free(&ts[i].samples);
        free(ts[i].finished_at);
    }
    pthread_cond_destroy(&run.changed);
    pthread_mutex_destroy(&run.lock);
    free(ts);
    return ret;
}
