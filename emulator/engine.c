/*
 * Worker pools, one per engine of the card (PKA, random number generator,
 * CPU).  Each pool has a bounded ring of jobs.  A full ring never drops a
 * job.  When emu_engine_try_submit() returns 0, the I/O thread stops
 * reading from that connection, and the worker that takes a job out of a
 * full ring calls on_room so that the I/O thread submits it again.
 *
 * Handing a job to a sleeping worker costs a thread wake-up, and on a
 * loaded host that costs more than a P-256 signature.  So the I/O thread
 * runs a job itself, with no hand-off, when all of these are true:
 *  - the engine has an inline limit (emu_engine_set_inline_max);
 *  - the connection set run_inline_ok (the job is its only complete frame,
 *    in an event round with one ready descriptor);
 *  - a worker is idle and nothing is queued;
 *  - earlier jobs with the same verb and payload length ran within the
 *    limit.
 * The job takes the idle worker's place, so at most as many jobs run at
 * once as the pool has workers.
 */
#include <config.h>

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>

#include <ibm4767/log.h>

#include "emud.h"

/* Slots of the run-time table, indexed by a hash of verb and payload
 * length.  A job whose key collides overwrites the slot. */
#define COST_SLOTS 64u
_Static_assert(COST_SLOTS == 64u, "cost_slot() takes 6 bits of the hash");

/* Measured run time of the jobs with one verb and payload length. */
struct job_cost {
    uint64_t key;            /* from job_cost_key(), 0: unused */
    uint32_t us;             /* smoothed run time in microseconds */
};

struct emu_engine {
    char name[16];
    pthread_mutex_t lock;
    pthread_cond_t not_empty;
    struct emu_job **ring;
    size_t cap;
    size_t head;
    size_t count;
    int stopping;
    pthread_t *threads;
    unsigned nthreads;
    unsigned started;
    unsigned idle;           /* workers waiting for a job */
    uint32_t inline_max_us;  /* 0: the I/O thread never runs a job */
    struct job_cost costs[COST_SLOTS];
    emu_job_fn *run;
    void *run_arg;
    emu_room_fn *on_room;
    void *room_arg;
};

struct emu_engine *emu_engine_new(const char *name, unsigned threads,
                                  size_t queue_cap, emu_job_fn *run,
                                  void *run_arg, emu_room_fn *on_room,
                                  void *room_arg)
{
    struct emu_engine *eng = OPENSSL_zalloc(sizeof(*eng));

    if (eng == NULL)
        return NULL;
    eng->ring = OPENSSL_zalloc(queue_cap * sizeof(*eng->ring));
    eng->threads = OPENSSL_zalloc(threads * sizeof(*eng->threads));
    if (eng->ring == NULL || eng->threads == NULL) {
        OPENSSL_free(eng->ring);
        OPENSSL_free(eng->threads);
        OPENSSL_free(eng);
        return NULL;
    }
    snprintf(eng->name, sizeof(eng->name), "%s", name);
    pthread_mutex_init(&eng->lock, NULL);
    pthread_cond_init(&eng->not_empty, NULL);
    eng->cap = queue_cap;
    eng->nthreads = threads;
    eng->run = run;
    eng->run_arg = run_arg;
    eng->on_room = on_room;
    eng->room_arg = room_arg;
    return eng;
}

static uint64_t monotonic_us(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

/* Compute the run-time key of a job: a used-bit, the verb and the payload
 * length (at most 1 MiB once a frame reaches an engine). */
static uint64_t job_cost_key(const struct emu_job *job)
{
    return UINT64_C(1) << 63 | (uint64_t)job->hdr.verb << 32
           | (uint64_t)(job->payload_len & 0xffffffffu);
}

static struct job_cost *cost_slot(struct emu_engine *eng, uint64_t key)
{
    /* Fibonacci hashing: the top 6 bits of the product pick the slot. */
    return &eng->costs[(key * UINT64_C(11400714819323198485)) >> 58];
}

/* Record a run time (caller holds the lock).  A slower run counts at once
 * and a faster one only by a quarter, so one quick run does not make an
 * expensive kind of job look cheap. */
static void cost_record_locked(struct emu_engine *eng, uint64_t key,
                               uint64_t us)
{
    struct job_cost *slot = cost_slot(eng, key);
    uint32_t sample = us > UINT32_MAX ? UINT32_MAX : (uint32_t)us;

    if (key == 0)
        return;
    if (slot->key != key || sample >= slot->us) {
        slot->key = key;
        slot->us = sample;
        return;
    }
    slot->us -= (slot->us - sample) / 4;
}

/* Check whether the submitting thread may run job now (caller holds the
 * lock). */
static int may_run_inline_locked(struct emu_engine *eng,
                                 const struct emu_job *job)
{
    uint64_t key = job_cost_key(job);
    const struct job_cost *slot;

    if (!job->run_inline_ok || eng->inline_max_us == 0)
        return 0;
    if (eng->idle == 0 || eng->count > 0)
        return 0;
    slot = cost_slot(eng, key);
    return slot->key == key && slot->us <= eng->inline_max_us;
}

/* Record the previous job's run time, then take the next job, or NULL
 * once the engine stops and the ring is empty. */
static struct emu_job *engine_take(struct emu_engine *eng, uint64_t done_key,
                                   uint64_t done_us, int *was_full)
{
    struct emu_job *job = NULL;

    pthread_mutex_lock(&eng->lock);
    cost_record_locked(eng, done_key, done_us);
    eng->idle++;
    while (eng->count == 0 && !eng->stopping)
        pthread_cond_wait(&eng->not_empty, &eng->lock);
    eng->idle--;
    if (eng->count > 0) {
        job = eng->ring[eng->head];
        *was_full = eng->count == eng->cap;
        eng->head = (eng->head + 1) % eng->cap;
        eng->count--;
    }
    pthread_mutex_unlock(&eng->lock);
    return job;
}

static void *engine_worker(void *arg)
{
    struct emu_engine *eng = arg;
    struct emu_job *job;
    uint64_t key = 0;
    uint64_t us = 0;
    int was_full = 0;

    while ((job = engine_take(eng, key, us, &was_full)) != NULL) {
        uint64_t start = monotonic_us();

        if (was_full && eng->on_room != NULL)
            eng->on_room(eng->room_arg);
        /* The job is freed by run, so its key is taken first. */
        key = job_cost_key(job);
        eng->run(job, eng->run_arg);
        us = monotonic_us() - start;
    }
    return NULL;
}

int emu_engine_start(struct emu_engine *eng, char *err, size_t err_len)
{
    char thread_name[16];

    for (unsigned i = 0; i < eng->nthreads; i++) {
        int rc = pthread_create(&eng->threads[i], NULL, engine_worker, eng);

        if (rc != 0) {
            snprintf(err, err_len, "cannot start worker %u of the %s engine: "
                     "%s", i, eng->name, strerror(rc));
            return 0;
        }
        eng->started++;
        snprintf(thread_name, sizeof(thread_name), "emud-%.3s-%u", eng->name,
                 i % 1000u);
        pthread_setname_np(eng->threads[i], thread_name);
    }
    IBM4767_DEBUG("%s engine: %u workers, queue of %zu jobs", eng->name,
                  eng->nthreads, eng->cap);
    return 1;
}

void emu_engine_set_inline_max(struct emu_engine *eng, unsigned max_us)
{
    pthread_mutex_lock(&eng->lock);
    eng->inline_max_us = max_us;
    pthread_mutex_unlock(&eng->lock);
}

/* Run job on the calling thread and record its run time. */
static void run_inline(struct emu_engine *eng, struct emu_job *job)
{
    uint64_t key = job_cost_key(job);
    uint64_t start = monotonic_us();
    uint64_t us;

    eng->run(job, eng->run_arg);
    us = monotonic_us() - start;
    pthread_mutex_lock(&eng->lock);
    cost_record_locked(eng, key, us);
    pthread_mutex_unlock(&eng->lock);
}

int emu_engine_try_submit(struct emu_engine *eng, struct emu_job *job)
{
    int queued = 0;
    int run_here = 0;

    pthread_mutex_lock(&eng->lock);
    if (!eng->stopping && may_run_inline_locked(eng, job)) {
        run_here = 1;
    } else if (!eng->stopping && eng->count < eng->cap) {
        eng->ring[(eng->head + eng->count) % eng->cap] = job;
        eng->count++;
        queued = 1;
        pthread_cond_signal(&eng->not_empty);
    }
    pthread_mutex_unlock(&eng->lock);

    if (run_here) {
        run_inline(eng, job);
        return 1;
    }
    return queued;
}

void emu_engine_stop(struct emu_engine *eng)
{
    if (eng == NULL)
        return;
    pthread_mutex_lock(&eng->lock);
    eng->stopping = 1;
    pthread_cond_broadcast(&eng->not_empty);
    pthread_mutex_unlock(&eng->lock);

    for (unsigned i = 0; i < eng->started; i++)
        pthread_join(eng->threads[i], NULL);
    eng->started = 0;
}

void emu_engine_free(struct emu_engine *eng)
{
    if (eng == NULL)
        return;
    emu_engine_stop(eng);
    pthread_cond_destroy(&eng->not_empty);
    pthread_mutex_destroy(&eng->lock);
    OPENSSL_free(eng->ring);
    OPENSSL_free(eng->threads);
    OPENSSL_free(eng);
}
