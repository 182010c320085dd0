/*
 * Worker pools, one per engine of the card (PKA, random number generator,
 * CPU).  Each pool has a bounded ring of jobs.  A full ring never drops a
 * job.  When emu_engine_try_submit() returns 0, the I/O thread stops
 * reading from that connection, and the worker that takes a job out of a
 * full ring calls on_room so that the I/O thread submits it again.
 */
#include <config.h>

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

#include <ibm4767/log.h>

#include "emud.h"

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

/* Take the next job, or NULL once the engine stops and the ring is empty. */
static struct emu_job *engine_take(struct emu_engine *eng, int *was_full)
{
    struct emu_job *job = NULL;

    pthread_mutex_lock(&eng->lock);
    while (eng->count == 0 && !eng->stopping)
        pthread_cond_wait(&eng->not_empty, &eng->lock);
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
    int was_full = 0;

    while ((job = engine_take(eng, &was_full)) != NULL) {
        if (was_full && eng->on_room != NULL)
            eng->on_room(eng->room_arg);
        eng->run(job, eng->run_arg);
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

int emu_engine_try_submit(struct emu_engine *eng, struct emu_job *job)
{
    int queued = 0;

    pthread_mutex_lock(&eng->lock);
    if (!eng->stopping && eng->count < eng->cap) {
        eng->ring[(eng->head + eng->count) % eng->cap] = job;
        eng->count++;
        queued = 1;
        pthread_cond_signal(&eng->not_empty);
    }
    pthread_mutex_unlock(&eng->lock);
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
