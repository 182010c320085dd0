/*
 * Facility query over the CCA host library: the card's state from
 * CSUACFQ STATCCA, the AES and APKA master key registers from STATAES and
 * STATAPKA, and the CCA level.  The emulator's counters, code segments,
 * serial number, verification patterns and timing profile come from the
 * emulator library's own status call, which IBM's library does not have.
 *
 * NOTE: the codes a card in self-test or without firmware returns to
 * STATCCA are unconfirmed.  The emulator library uses 12/4767 and 12/338,
 * and 12/4768 for a zeroized card.
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include <ibm4767/log.h>

#include "backend_int.h"
#include "ccaverbs.h"

/* Rule array elements CSUACFQ may write, which the buffer must fit. */
#define FACILITY_RULE_MAX 32
#define POLL_FIRST_MS     50
#define POLL_MAX_MS       1000

/* Run CSUACFQ with keyword on dev; the output elements go to out. */
static int facility(struct cca_backend *be, struct cca_device *dev,
                    const char *keyword,
                    unsigned char out[FACILITY_RULE_MAX * CCA_KEYWORD_LEN],
                    long *count, struct cca_result *res)
{
    long rc = 0, reason = 0, exit_len = 0, verb_data_len = 0;
    char verb[32];

    memset(out, ' ', FACILITY_RULE_MAX * CCA_KEYWORD_LEN);
    memcpy(out, keyword, strlen(keyword));
    *count = 1;
    be->cca->CSUACFQ(&rc, &reason, &exit_len, NULL, count, out,
                     &verb_data_len, NULL);
    snprintf(verb, sizeof(verb), "CSUACFQ %s", keyword);
    return cca_lib_result(be, dev, res, verb, rc, reason);
}

/* Element i (from 1) of a CSUACFQ output as a number; 0 when absent. */
static uint32_t element_number(const unsigned char *out, long count, int i)
{
    char field[CCA_KEYWORD_LEN + 1];

    if (i < 1 || i > count || i > FACILITY_RULE_MAX)
        return 0;
    memcpy(field, out + (i - 1) * CCA_KEYWORD_LEN, CCA_KEYWORD_LEN);
    field[CCA_KEYWORD_LEN] = '\0';
    return (uint32_t)strtoul(field, NULL, 10);
}

/*
 * Read the new, current and old register states of STATAES or STATAPKA.
 * NOTE: that the old register's state is element 3 is unconfirmed;
 * elements 1 and 2 (new, current) are documented.
 */
static int mk_registers(struct cca_backend *be, struct cca_device *dev,
                        const char *keyword, struct cca_mk_register regs[3],
                        struct cca_result *res)
{
    unsigned char out[FACILITY_RULE_MAX * CCA_KEYWORD_LEN];
    long count = 0;

    if (!facility(be, dev, keyword, out, &count, res))
        return 0;
    regs[CCA_MK_NEW].state = element_number(out, count, 1);
    regs[CCA_MK_CURRENT].state = element_number(out, count, 2);
    regs[CCA_MK_OLD].state = element_number(out, count, 3);
    return 1;
}

/* Map STATCCA's outcome to a device state; 0 for any other failure. */
static uint32_t state_of(const struct cca_result *res)
{
    if (res->rc == CCA_RC_OK || res->rc == CCA_RC_WARNING)
        return CCA_STATE_READY;
    if (res->rc != CCA_RC_SETUP)
        return 0;
    switch (res->reason) {
    case CCA_RS_SELF_TEST_RUNNING:
        return CCA_STATE_SELF_TEST;
    case CCA_RS_FIRMWARE_NOT_LOADED:
        return CCA_STATE_NO_FIRMWARE;
    case CCA_RS_ZEROIZED:
        return CCA_STATE_ZEROIZED;
    default:
        return 0;
    }
}

/* The emulator library's extra status fields; CCA's own fields win. */
static int merge_emulator_status(struct cca_backend *be,
                                 struct cca_device *dev,
                                 struct cca_status *st,
                                 struct cca_result *res)
{
    struct cca_status *emu = OPENSSL_zalloc(sizeof(*emu));
    struct cca_result emu_res;
    int adapter = atoi(dev->path + 3) - 1;
    int ret = 0;

    if (emu == NULL) {
        cca_result_set(res, CCA_RC_INTERNAL, CCA_RS_HOST_NO_MEMORY,
                       "out of memory for the emulator status");
        goto err;
    }
    cca_result_init(&emu_res);
    if (!be->cca->emu_status(adapter, emu, &emu_res)) {
        *res = emu_res;
        goto err;
    }

    for (int i = 0; i < 3; i++) {
        emu->aes[i].state = st->aes[i].state;
        emu->apka[i].state = st->apka[i].state;
    }
    emu->state = st->state;
    snprintf(emu->firmware_version, sizeof(emu->firmware_version), "%s",
             st->firmware_version);
    *st = *emu;
    ret = 1;

err:
    OPENSSL_free(emu);
    return ret;
}

/* One query of dev.  Returns 1 with st filled (in any device state), 0
 * with res set when the card cannot be asked. */
static int query_once(struct cca_backend *be, struct cca_device *dev,
                      struct cca_status *st, struct cca_result *res)
{
    unsigned char out[FACILITY_RULE_MAX * CCA_KEYWORD_LEN];
    long count = 0;

    memset(st, 0, sizeof(*st));
    snprintf(st->firmware_version, sizeof(st->firmware_version), "CCA %s",
             be->cca->level);
    snprintf(st->description, sizeof(st->description),
             "CCA coprocessor %.5s through %.60s", dev->name,
             be->cca->path);

    facility(be, dev, "STATCCA", out, &count, res);
    st->state = state_of(res);
    if (st->state == 0)
        return 0;
    if (st->state == CCA_STATE_READY
        && (!mk_registers(be, dev, "STATAES", st->aes, res)
            || !mk_registers(be, dev, "STATAPKA", st->apka, res)))
        return 0;

    if (be->cca->emu_status != NULL
        && !merge_emulator_status(be, dev, st, res))
        return 0;
    cca_lib_result(be, dev, res, "CSUACFQ", 0, 0);
    return 1;
}

int cca_lib_facility_query(struct cca_backend *be, int device, int wait_ready,
                           struct cca_status *st, struct cca_result *res)
{
    long long deadline = cca_monotonic_ms() + be->ready_timeout_ms;
    long backoff = POLL_FIRST_MS;
    int want = device >= 0 ? device : (be->pinned >= 0 ? be->pinned : 0);

    for (;;) {
        struct cca_device *dev = cca_lib_begin(be, want, res);
        int ok;

        if (dev == NULL)
            return 0;
        ok = query_once(be, dev, st, res);
        cca_lib_end(be, dev);
        if (!ok)
            return 0;
        if (!wait_ready || st->state == CCA_STATE_READY)
            return 1;
        if (st->state != CCA_STATE_SELF_TEST) {
            cca_result_set(res, CCA_RC_SETUP,
                           st->state == CCA_STATE_ZEROIZED
                               ? CCA_RS_ZEROIZED : CCA_RS_FIRMWARE_NOT_LOADED,
                           "CSUACFQ STATCCA reports state %s",
                           cca_device_state_name(st->state));
            return 0;
        }
        if (cca_monotonic_ms() >= deadline) {
            cca_result_set(res, CCA_RC_SETUP, CCA_RS_HOST_READY_TIMEOUT,
                           "self-test still running when the ready timeout "
                           "of %ld s ran out", be->ready_timeout_ms / 1000);
            return 0;
        }
        cca_sleep_ms(backoff);
        backoff = backoff * 2 > POLL_MAX_MS ? POLL_MAX_MS : backoff * 2;
    }
}
