/*
 * The timing profile (--profile 4767): modelled service times, so that
 * queueing and saturation behave like the card on any host.
 *
 * Each engine (PKA, symmetric, random, CPU) has a number of units.  A
 * request spends a fixed latency outside the engine (the host driver,
 * PCIe transfer and the card's CPU, which overlap with other requests),
 * then occupies one unit of its engine for its service time; while every
 * unit is busy, requests wait in arrival order.  The real computation runs
 * at once, and the worker then sleeps until the modelled end: the
 * modelled time includes the real computation, and when the host computes
 * more slowly than the model, the host's time is what the request takes
 * (a benchmark then sees that the modelled capacity is not reached).
 *
 * doc/benchmarks.md gives the figures and where they come from.  In short:
 * IBM published RSA-2048 signature rates for the 4764 (308/s on one
 * thread, 465/s on ten); no 4767 rates were available, so the 4767
 * profile takes the 4764's RSA-2048 figures and derives the rest from
 * them with stated assumptions.  The profile is off by default.
 */
#include <config.h>

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>

#include <openssl/obj_mac.h>

#include <ibm4767/log.h>

#include "emud.h"

/* Maximum worker threads the profile gives one engine. */
#define PROFILE_WORKERS_MAX 64u
/* Maximum units of one engine. */
#define PROFILE_UNITS_MAX 16u

enum profile_op_id {
    OP_RSA2048_PRIVATE = 0,
    OP_RSA3072_PRIVATE,
    OP_RSA4096_PRIVATE,
    OP_RSA_PUBLIC,
    OP_RSA_GENERATE,
    OP_EC_P256_PRIVATE,
    OP_EC_P384_PRIVATE,
    OP_EC_P521_PRIVATE,
    OP_EC_PUBLIC,
    OP_EC_GENERATE,
    OP_KEY_IMPORT,
    OP_AES_CIPHER,
    OP_AES_KEY,
    OP_RANDOM,
    OP_STATUS,
    OP_COUNT,
};

/* One operation class of a model.  Times in microseconds. */
struct profile_op {
    const char *name;
    enum emu_engine_id engine;
    uint32_t service_us;         /* unit held per request */
    uint32_t per_kib_us;         /* unit held per KiB of data */
    uint32_t latency_us;         /* before the unit, overlapping others */
};

struct emu_profile {
    const char *name;
    unsigned units[EMU_ENGINE_COUNT];
    struct profile_op ops[OP_COUNT];
};

/*
 * The 4767 model.  RSA-2048: 308/s on one thread is 3247 us a request,
 * 465/s from one engine is 2150 us of engine time, and the 1100 us
 * difference is the latency outside the engine.  Every other figure is
 * an assumption, listed with its reason in doc/benchmarks.md.
 */
static const struct emu_profile profile_4767 = {
    .name = "4767",
    .units = {
        [EMU_ENGINE_PKA] = 1,
        [EMU_ENGINE_RNG] = 1,
        [EMU_ENGINE_CPU] = 1,
        [EMU_ENGINE_SYM] = 1,
    },
    .ops = {
        [OP_RSA2048_PRIVATE] = { "rsa-2048-private", EMU_ENGINE_PKA, 2150, 0,
                                 1100 },
        [OP_RSA3072_PRIVATE] = { "rsa-3072-private", EMU_ENGINE_PKA, 7260, 0,
                                 1100 },
        [OP_RSA4096_PRIVATE] = { "rsa-4096-private", EMU_ENGINE_PKA, 17200,
                                 0, 1100 },
        [OP_RSA_PUBLIC] = { "rsa-public", EMU_ENGINE_PKA, 150, 0, 1100 },
        [OP_RSA_GENERATE] = { "rsa-generate", EMU_ENGINE_PKA, 250000, 0,
                              1100 },
        [OP_EC_P256_PRIVATE] = { "ec-p256-private", EMU_ENGINE_PKA, 540, 0,
                                 1100 },
        [OP_EC_P384_PRIVATE] = { "ec-p384-private", EMU_ENGINE_PKA, 1080, 0,
                                 1100 },
        [OP_EC_P521_PRIVATE] = { "ec-p521-private", EMU_ENGINE_PKA, 2150, 0,
                                 1100 },
        [OP_EC_PUBLIC] = { "ec-public", EMU_ENGINE_PKA, 1080, 0, 1100 },
        [OP_EC_GENERATE] = { "ec-generate", EMU_ENGINE_PKA, 540, 0, 1100 },
        [OP_KEY_IMPORT] = { "key-import", EMU_ENGINE_PKA, 2000, 0, 1100 },
        [OP_AES_CIPHER] = { "aes-cipher", EMU_ENGINE_SYM, 50, 5, 1100 },
        [OP_AES_KEY] = { "aes-key", EMU_ENGINE_SYM, 50, 0, 1100 },
        [OP_RANDOM] = { "random", EMU_ENGINE_RNG, 20, 20, 1100 },
        [OP_STATUS] = { "status", EMU_ENGINE_CPU, 50, 0, 0 },
    },
};

static const struct emu_profile *const profiles[] = { &profile_4767 };

/*
 * The units of one engine.  Each unit is a timeline: free_at is when its
 * last reservation ends.  A request reserves the unit that frees first,
 * from the later of its own arrival plus latency and that unit's free_at,
 * for its service time.  This is a counting semaphore whose waits are
 * computed instead of queued: a worker that wakes late on a busy host does
 * not leave the unit idle, and the modelled capacity stays at the
 * figures' value.
 */
struct unit_pool {
    pthread_mutex_t lock;
    unsigned units;
    struct timespec free_at[PROFILE_UNITS_MAX];
};

static struct unit_pool pools[EMU_ENGINE_COUNT];

const struct emu_profile *emu_profile_find(const char *name)
{
    for (size_t i = 0; i < sizeof(profiles) / sizeof(profiles[0]); i++) {
        if (strcmp(profiles[i]->name, name) == 0)
            return profiles[i];
    }
    return NULL;
}

const char *emu_profile_name(const struct emu_profile *p)
{
    return p != NULL ? p->name : "";
}

void emu_profile_start(const struct emu_profile *p)
{
    if (p == NULL)
        return;
    for (int i = 0; i < EMU_ENGINE_COUNT; i++) {
        pthread_mutex_init(&pools[i].lock, NULL);
        pools[i].units = p->units[i] < PROFILE_UNITS_MAX ? p->units[i]
                                                         : PROFILE_UNITS_MAX;
        memset(pools[i].free_at, 0, sizeof(pools[i].free_at));
    }
    IBM4767_INFO("timing profile %s: PKA %u, symmetric %u, random %u, CPU %u "
                 "units", p->name, p->units[EMU_ENGINE_PKA],
                 p->units[EMU_ENGINE_SYM], p->units[EMU_ENGINE_RNG],
                 p->units[EMU_ENGINE_CPU]);
}

/*
 * Enough workers that the units never wait for a thread: while one
 * request occupies a unit for the shortest service time, others sit in
 * their latency stage, and each of those occupies a worker.
 */
unsigned emu_profile_workers(const struct emu_profile *p,
                             enum emu_engine_id id, unsigned configured)
{
    uint32_t shortest = 0, longest_latency = 0;
    unsigned need;

    if (p == NULL)
        return configured;
    for (int i = 0; i < OP_COUNT; i++) {
        const struct profile_op *op = &p->ops[i];

        if (op->engine != id)
            continue;
        if (shortest == 0 || op->service_us < shortest)
            shortest = op->service_us;
        if (op->latency_us > longest_latency)
            longest_latency = op->latency_us;
    }
    if (shortest == 0)
        return configured;
    need = p->units[id] * ((longest_latency + shortest + shortest - 1) /
                           shortest) + 1;
    if (need > PROFILE_WORKERS_MAX)
        need = PROFILE_WORKERS_MAX;
    return need > configured ? need : configured;
}

/* ---------------------------------------------------------------------- */
/* Which operation class a request is                                      */

static int rsa_private_op(uint32_t bits)
{
    if (bits <= 2048)
        return OP_RSA2048_PRIVATE;
    if (bits <= 3072)
        return OP_RSA3072_PRIVATE;
    return OP_RSA4096_PRIVATE;
}

static int ec_private_op(int curve_nid)
{
    if (curve_nid == NID_secp384r1)
        return OP_EC_P384_PRIVATE;
    if (curve_nid == NID_secp521r1)
        return OP_EC_P521_PRIVATE;
    return OP_EC_P256_PRIVATE;
}

/* The class of an operation with the key token tok. */
static int token_op(const uint8_t *token, size_t len, int private_op)
{
    struct cca_pka_token tok;
    uint32_t reason;

    /* A request with an invalid token fails fast on the card too; it is
     * charged as the cheapest PKA operation. */
    if (!cca_token_parse(token, len, &tok, &reason, NULL, 0))
        return OP_RSA_PUBLIC;
    if (tok.alg == CCA_ALG_EC)
        return private_op ? ec_private_op(tok.curve_nid) : OP_EC_PUBLIC;
    return private_op ? rsa_private_op(tok.bits) : OP_RSA_PUBLIC;
}

/* Skip n u32 fields; then read a byte string.  0 when the payload is
 * malformed (the handler rejects it anyway). */
static int skip_then_bytes(struct ibm4767_rbuf *rb, int n,
                           const uint8_t **p, size_t *len)
{
    uint32_t v;

    for (int i = 0; i < n; i++) {
        if (!ibm4767_get_u32(rb, &v))
            return 0;
    }
    return ibm4767_get_bytes(rb, p, len);
}

static int signature_op(struct ibm4767_rbuf *rb, int private_op)
{
    const uint8_t *token;
    size_t len;

    if (!skip_then_bytes(rb, 4, &token, &len))
        return OP_RSA_PUBLIC;
    return token_op(token, len, private_op);
}

/* PKA decrypt and encrypt: u32 padding, OAEP and MGF1 NIDs, bytes
 * label, u32 TLS versions, then bytes token. */
static int pka_cipher_op(struct ibm4767_rbuf *rb, int private_op)
{
    const uint8_t *p;
    size_t len;

    if (!skip_then_bytes(rb, 3, &p, &len) ||
        !skip_then_bytes(rb, 2, &p, &len))
        return OP_RSA_PUBLIC;
    return token_op(p, len, private_op);
}

static int generate_op(struct ibm4767_rbuf *rb)
{
    uint32_t alg;

    if (ibm4767_get_u32(rb, &alg) && alg == CCA_ALG_EC)
        return OP_EC_GENERATE;
    return OP_RSA_GENERATE;
}

/* Symmetric cipher requests: the data is the last byte string, after
 * three u32, four byte strings, a u32 and one more byte string. */
static size_t symmetric_data_len(struct ibm4767_rbuf *rb)
{
    const uint8_t *p;
    size_t len;

    if (!skip_then_bytes(rb, 3, &p, &len) ||
        !skip_then_bytes(rb, 0, &p, &len) ||
        !skip_then_bytes(rb, 0, &p, &len) ||
        !skip_then_bytes(rb, 0, &p, &len) ||
        !skip_then_bytes(rb, 1, &p, &len) ||
        !skip_then_bytes(rb, 0, &p, &len))
        return 0;
    return len;
}

static int classify(uint16_t verb, const uint8_t *payload, size_t len,
                    size_t *data_len)
{
    struct ibm4767_rbuf rb;
    const uint8_t *token;
    size_t token_len;
    uint32_t n;

    ibm4767_rbuf_init(&rb, payload, len);
    *data_len = 0;
    switch (verb) {
    case IBM4767_VERB_DIGITAL_SIGNATURE_GENERATE:
        return signature_op(&rb, 1);
    case IBM4767_VERB_DIGITAL_SIGNATURE_VERIFY:
        return signature_op(&rb, 0);
    case IBM4767_VERB_PKA_DECRYPT:
        return pka_cipher_op(&rb, 1);
    case IBM4767_VERB_PKA_ENCRYPT:
        return pka_cipher_op(&rb, 0);
    case IBM4767_VERB_EC_DIFFIE_HELLMAN:
        if (!ibm4767_get_bytes(&rb, &token, &token_len))
            return OP_RSA_PUBLIC;
        return token_op(token, token_len, 1);
    case IBM4767_VERB_PKA_KEY_GENERATE:
        return generate_op(&rb);
    case IBM4767_VERB_PKA_KEY_GENERATE_RETAINED:
        /* A label, then the fields of a key generate request. */
        if (!ibm4767_get_bytes(&rb, &token, &token_len))
            return OP_STATUS;
        return generate_op(&rb);
    case IBM4767_VERB_PKA_KEY_IMPORT:
        return OP_KEY_IMPORT;
    case IBM4767_VERB_PKA_PUBLIC_EXTRACT:
        return OP_RSA_PUBLIC;
    case IBM4767_VERB_SYM_ENCIPHER:
    case IBM4767_VERB_SYM_DECIPHER:
        *data_len = symmetric_data_len(&rb);
        return OP_AES_CIPHER;
    case IBM4767_VERB_SYM_KEY_GENERATE:
    case IBM4767_VERB_SYM_KEY_IMPORT:
        return OP_AES_KEY;
    case IBM4767_VERB_RANDOM_NUMBER_GENERATE:
        if (ibm4767_get_u32(&rb, &n))
            *data_len = n;
        return OP_RANDOM;
    default:
        return OP_STATUS;
    }
}

/* ---------------------------------------------------------------------- */
/* Reserving units                                                         */

static void add_us(struct timespec *t, uint64_t us)
{
    uint64_t ns = (uint64_t)t->tv_nsec + (us % 1000000u) * 1000u;

    t->tv_sec += (time_t)(us / 1000000u + ns / 1000000000u);
    t->tv_nsec = (long)(ns % 1000000000u);
}

static int before(const struct timespec *a, const struct timespec *b)
{
    return a->tv_sec < b->tv_sec ||
           (a->tv_sec == b->tv_sec && a->tv_nsec < b->tv_nsec);
}

/* Reserve a unit of pool for service_us from ready on; returns the end
 * of the reservation in *end. */
static void unit_reserve(struct unit_pool *pool, const struct timespec *ready,
                         uint64_t service_us, struct timespec *end)
{
    struct timespec *unit;

    pthread_mutex_lock(&pool->lock);
    unit = &pool->free_at[0];
    for (unsigned i = 1; i < pool->units; i++) {
        if (before(&pool->free_at[i], unit))
            unit = &pool->free_at[i];
    }
    *end = before(unit, ready) ? *ready : *unit;
    add_us(end, service_us);
    *unit = *end;
    pthread_mutex_unlock(&pool->lock);
}

/* The default timer slack (50 us) would make every modelled wait that
 * much longer; the workers sleep to the microsecond instead. */
static void tighten_timer_slack(void)
{
    static _Thread_local int done;

    if (!done) {
        prctl(PR_SET_TIMERSLACK, 1UL, 0UL, 0UL, 0UL);
        done = 1;
    }
}

void emu_profile_enter(const struct emu_profile *p, uint16_t verb,
                       const uint8_t *payload, size_t len,
                       struct emu_profile_slot *slot)
{
    const struct profile_op *op;
    struct timespec ready;
    size_t data_len;

    memset(slot, 0, sizeof(*slot));
    if (p == NULL)
        return;

    tighten_timer_slack();
    op = &p->ops[classify(verb, payload, len, &data_len)];
    clock_gettime(CLOCK_MONOTONIC, &ready);
    add_us(&ready, op->latency_us);
    unit_reserve(&pools[op->engine], &ready,
                 op->service_us + (uint64_t)op->per_kib_us * data_len / 1024u,
                 &slot->done_at);
    slot->active = 1;
}

/* The real computation ran between enter and leave, inside the modelled
 * time unless the host was slower. */
void emu_profile_leave(struct emu_profile_slot *slot)
{
    if (!slot->active)
        return;
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &slot->done_at,
                           NULL) == EINTR)
        continue;
    slot->active = 0;
}

/* ---------------------------------------------------------------------- */
/* Status fields                                                           */

static const char *engine_name(enum emu_engine_id id)
{
    switch (id) {
    case EMU_ENGINE_PKA:
        return "pka";
    case EMU_ENGINE_RNG:
        return "random";
    case EMU_ENGINE_CPU:
        return "cpu";
    case EMU_ENGINE_SYM:
        return "symmetric";
    default:
        return "unknown";
    }
}

/* Profile name, then per operation class: name, engine, units, service
 * us, per-KiB us, latency us.  Without a profile: an empty name and no
 * classes. */
int emu_profile_put_status(const struct emu_profile *p,
                           struct ibm4767_wbuf *wb)
{
    const char *name = emu_profile_name(p);
    int ok;

    ok = ibm4767_put_bytes(wb, name, strlen(name));
    ok &= ibm4767_put_u32(wb, p != NULL ? OP_COUNT : 0);
    for (int i = 0; p != NULL && i < OP_COUNT; i++) {
        const struct profile_op *op = &p->ops[i];
        const char *engine = engine_name(op->engine);

        ok &= ibm4767_put_bytes(wb, op->name, strlen(op->name));
        ok &= ibm4767_put_bytes(wb, engine, strlen(engine));
        ok &= ibm4767_put_u32(wb, p->units[op->engine]);
        ok &= ibm4767_put_u32(wb, op->service_us);
        ok &= ibm4767_put_u32(wb, op->per_kib_us);
        ok &= ibm4767_put_u32(wb, op->latency_us);
    }
    return ok;
}
