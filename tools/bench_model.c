/*
 * What the devices' timing profile predicts for an operation.  Each
 * device reports its profile in the status reply: per operation class the
 * engine's units, the service time for which a request occupies a unit
 * and the latency outside the engine (struct cca_profile_op).  With n requests in flight
 * on one device and no host time, the device completes
 *     min(n / (latency + service), units / service)
 * requests a second: one request at a time until the engine's units are
 * all busy.  Devices add up, and n is shared among them evenly.
 *
 * One operation can be more than one request (an AES-GCM message is an
 * initial and a final request, a long one a chain of them), so the number
 * of requests per operation is measured on the device's counters before
 * the model is applied.
 */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include <ibm4767/cca.h>
#include <ibm4767/protocol.h>

#include "bench.h"

/* Operations run to count the requests one of them makes. */
#define CALIBRATION_OPS 4

struct bench_model {
    struct cca_backend *backend;
    int device_count;
    struct cca_status status[CCA_MAX_DEVICES];
    /* Requests per operation, by index in bench_ops; 0 until measured. */
    double requests_per_op[64];
};

struct bench_model *bench_model_load(void)
{
    struct bench_model *m = calloc(1, sizeof(*m));
    struct cca_backend *be = NULL;
    struct cca_config cfg;
    struct cca_result res;
    char err[256], text[1024];

    if (m == NULL)
        return NULL;
    cca_config_defaults(&cfg);
    if (!cca_config_apply_env(&cfg, err, sizeof(err))) {
        fprintf(stderr, BENCH_PROGRAM ": %s\n", err);
        goto err;
    }
    be = cca_backend_new(&cfg);
    if (be == NULL) {
        fprintf(stderr, BENCH_PROGRAM ": cannot set up the device list "
                "'%s'\n", cfg.devices);
        goto err;
    }
    m->device_count = cca_backend_device_count(be);
    for (int i = 0; i < m->device_count; i++) {
        if (!cca_facility_query(be, i, 1, &m->status[i], &res)) {
            fprintf(stderr, BENCH_PROGRAM ": reading the timing profile "
                    "failed: %s\n", cca_result_text(&res, text,
                                                    sizeof(text)));
            goto err;
        }
    }
    m->backend = be;
    return m;

err:
    cca_backend_free(be);
    free(m);
    return NULL;
}

void bench_model_free(struct bench_model *m)
{
    if (m == NULL)
        return;
    cca_backend_free(m->backend);
    free(m);
}

/* The sum of every device's "requests" counter; 0 with a message when a
 * device cannot be queried. */
static int count_requests(struct bench_model *m, uint64_t *total)
{
    struct cca_status st;
    struct cca_result res;
    char text[1024];

    *total = 0;
    for (int i = 0; i < m->device_count; i++) {
        if (!cca_facility_query(m->backend, i, 1, &st, &res)) {
            fprintf(stderr, BENCH_PROGRAM ": reading the device counters "
                    "failed: %s\n", cca_result_text(&res, text,
                                                    sizeof(text)));
            return 0;
        }
        *total += cca_status_counter(&st, "requests");
    }
    return 1;
}

int bench_model_calibrate(struct bench_model *m, const struct bench_op *op,
                          struct bench_keys *keys)
{
    size_t index = (size_t)(op - bench_ops);
    struct bench_worker *w = NULL;
    uint64_t before, after;
    double per_op;
    int ret = 0;

    if (op->profile_class == NULL)
        return 1;   /* no device request to model */
    if (m == NULL || index >= sizeof(m->requests_per_op) /
                                  sizeof(m->requests_per_op[0]))
        return 0;
    w = bench_worker_new(op, BENCH_DEVICE, keys);
    /* The first run opens connections and may check readiness. */
    if (w == NULL || !bench_worker_run(w) || !count_requests(m, &before))
        goto err;
    for (int i = 0; i < CALIBRATION_OPS; i++) {
        if (!bench_worker_run(w))
            goto err;
    }
    if (!count_requests(m, &after))
        goto err;

    /* Each status query of count_requests counts once on its device. */
    per_op = ((double)(after - before) - m->device_count) / CALIBRATION_OPS;
    m->requests_per_op[index] = per_op < 1.0 ? 1.0 : per_op;
    ret = 1;

err:
    if (!ret)
        bench_print_errors("counting the device requests of one operation "
                           "failed");
    bench_worker_free(w);
    return ret;
}

const char *bench_model_profile(const struct bench_model *m)
{
    if (m == NULL || m->device_count == 0)
        return "";
    return m->status[0].profile;
}

/*
 * Engine time and outside latency of one operation, in microseconds: each
 * of its requests has its own latency and service time, and the data
 * time counts once.  Without a calibration, a cipher operation is one
 * request per IBM4767_SYM_DATA_MAX bytes (where the backend splits).
 */
static int op_times(const struct bench_model *m,
                    const struct cca_profile_op *p, const struct bench_op *op,
                    double *service_us, double *latency_us)
{
    size_t index = (size_t)(op - bench_ops);
    double requests = 1.0;

    if (index < sizeof(m->requests_per_op) / sizeof(m->requests_per_op[0]) &&
        m->requests_per_op[index] > 0)
        requests = m->requests_per_op[index];
    else if (op->data_len > IBM4767_SYM_DATA_MAX)
        requests = (double)((op->data_len + IBM4767_SYM_DATA_MAX - 1) /
                            IBM4767_SYM_DATA_MAX);
    *service_us = requests * p->service_us +
                  (double)p->per_kib_us * (double)op->data_len / 1024.0;
    *latency_us = requests * p->latency_us;
    return *service_us > 0;
}

double bench_model_rate(const struct bench_model *m,
                        const struct bench_op *op, unsigned n)
{
    double total = 0.0;

    if (m == NULL || m->device_count == 0 || op->profile_class == NULL)
        return 0.0;
    for (int i = 0; i < m->device_count; i++) {
        const struct cca_profile_op *p =
            cca_status_profile_op(&m->status[i], op->profile_class);
        double service, latency, share, one_at_a_time, capacity;

        if (p == NULL || !op_times(m, p, op, &service, &latency))
            return 0.0;
        share = (double)n / m->device_count;
        one_at_a_time = share * 1e6 / (service + latency);
        capacity = p->units * 1e6 / service;
        total += one_at_a_time < capacity ? one_at_a_time : capacity;
    }
    return total;
}

double bench_model_capacity(const struct bench_model *m,
                            const struct bench_op *op)
{
    double total = 0.0;

    if (m == NULL || op->profile_class == NULL)
        return 0.0;
    for (int i = 0; i < m->device_count; i++) {
        const struct cca_profile_op *p =
            cca_status_profile_op(&m->status[i], op->profile_class);
        double service, latency;

        if (p == NULL || !op_times(m, p, op, &service, &latency))
            return 0.0;
        total += p->units * 1e6 / service;
    }
    return total;
}
