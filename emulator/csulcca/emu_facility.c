/*
 * Facility verbs of libcsulcca-emu.so: CSUACFQ (STATCCA, STATAES,
 * STATAPKA, STATCRD2), CSUACFV, CSUACRA and CSUACRD.  The project's status
 * extension is in emu_status.c.
 *
 * CSUACFQ writes its output into the rule array, one 8-byte element per
 * value, with numbers as left-justified ASCII digits.  It sets the rule
 * array count to the number of elements, so the caller's array must have
 * room for them.
 */
#include <config.h>

#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

#include "emu.h"

/* Output elements of each CSUACFQ keyword. */
#define STATCCA_ELEMENTS  6
#define STATMK_ELEMENTS   3
#define STATCRD2_ELEMENTS 15
#define SERIAL_ELEMENT    15   /* the serial number at offset 112 */

static const struct emu_keyword facility_keywords[] = {
    { "STATCCA", 0, 0, 0 },
    { "STATAES", 0, 0, 0 },
    { "STATAPKA", 0, 0, 0 },
    { "STATCRD2", 0, 0, 0 },
    { "STATCCAE", 0, 0, 1 },
    { "STATCARD", 0, 0, 1 },
    { "STATDIAG", 0, 0, 1 },
    { "STATEID", 0, 0, 1 },
    { "STATEXPT", 0, 0, 1 },
    { "STATMOFN", 0, 0, 1 },
    { "TIMEDATE", 0, 0, 1 },
    { NULL, 0, 0, 0 },
};

static const struct emu_keyword adapter_keywords[] = {
    { "ADAPTER1", 0, 0, 0 },
    { NULL, 0, 0, 0 },
};

enum { FQ_STATCCA, FQ_STATAES, FQ_STATAPKA, FQ_STATCRD2 };

static void put_element(unsigned char *rule, int i, const char *text)
{
    size_t len = strnlen(text, EMU_KEYWORD_LEN);

    memset(rule + (size_t)i * EMU_KEYWORD_LEN, ' ', EMU_KEYWORD_LEN);
    memcpy(rule + (size_t)i * EMU_KEYWORD_LEN, text, len);
}

static void put_number(unsigned char *rule, int i, unsigned long n)
{
    char text[EMU_KEYWORD_LEN + 1];

    snprintf(text, sizeof(text), "%lu", n % 100000000UL);
    put_element(rule, i, text);
}

/* Query the adapter's emulator without waiting for its self-test. */
static int adapter_status(struct cca_status *st, struct emu_status_code *sc)
{
    struct cca_result res;

    if (!cca_facility_query(emu_backend(), -1, 0, st, &res)) {
        emu_from_result(sc, &res);
        return 0;
    }
    return 1;
}

/* STATCCA: the DES master key registers (empty, because the emulator has
 * none), the CCA level, a build date and the role.  A card that is not
 * ready returns 12 with the project's reason for its state. */
static int statcca(unsigned char *rule, long *count,
                   struct emu_status_code *sc)
{
    struct cca_status *st = OPENSSL_zalloc(sizeof(*st));
    unsigned int version, release;
    char level[EMU_KEYWORD_LEN + 1];
    int ret = 0;

    if (st == NULL) {
        emu_set(sc, CCA_RC_INTERNAL, CCA_RS_HOST_NO_MEMORY);
        goto err;
    }
    if (!adapter_status(st, sc))
        goto err;
    switch (st->state) {
    case CCA_STATE_READY:
        break;
    case CCA_STATE_SELF_TEST:
        emu_set(sc, CCA_RC_SETUP, CCA_RS_SELF_TEST_RUNNING);
        goto err;
    case CCA_STATE_NO_FIRMWARE:
        emu_set(sc, CCA_RC_SETUP, CCA_RS_FIRMWARE_NOT_LOADED);
        goto err;
    default:
        emu_set(sc, CCA_RC_SETUP, CCA_RS_ZEROIZED);
        goto err;
    }

    emu_level(&version, &release);
    snprintf(level, sizeof(level), "%u.%u.0", version, release);
    for (int i = 0; i < 3; i++)
        put_number(rule, i, CCA_MK_EMPTY);
    put_element(rule, 3, level);
    put_element(rule, 4, "20240101");
    put_element(rule, 5, "DEFAULT");
    *count = STATCCA_ELEMENTS;
    ret = 1;

err:
    OPENSSL_free(st);
    return ret;
}

/* STATAES or STATAPKA: new, current and old register states. */
static int statmk(int apka, unsigned char *rule, long *count,
                  struct emu_status_code *sc)
{
    struct cca_status *st = OPENSSL_zalloc(sizeof(*st));
    int ret = 0;

    if (st == NULL) {
        emu_set(sc, CCA_RC_INTERNAL, CCA_RS_HOST_NO_MEMORY);
        goto err;
    }
    if (!adapter_status(st, sc))
        goto err;
    for (int i = 0; i < STATMK_ELEMENTS; i++)
        put_number(rule, i, apka ? st->apka[i].state : st->aes[i].state);
    *count = STATMK_ELEMENTS;
    ret = 1;

err:
    OPENSSL_free(st);
    return ret;
}

/* STATCRD2: the adapter count, and the serial number in element 15. */
static int statcrd2(unsigned char *rule, long *count,
                    struct emu_status_code *sc)
{
    struct cca_status *st = OPENSSL_zalloc(sizeof(*st));
    int ret = 0;

    if (st == NULL) {
        emu_set(sc, CCA_RC_INTERNAL, CCA_RS_HOST_NO_MEMORY);
        goto err;
    }
    if (!adapter_status(st, sc))
        goto err;
    put_number(rule, 0, (unsigned long)emu_adapter_count());
    for (int i = 1; i < SERIAL_ELEMENT - 1; i++)
        put_number(rule, i, 0);
    put_element(rule, SERIAL_ELEMENT - 1, st->serial);
    *count = STATCRD2_ELEMENTS;
    ret = 1;

err:
    OPENSSL_free(st);
    return ret;
}

void CSUACFQ(long *rc, long *reason, long *exit_len, unsigned char *exit_data,
             long *rule_count, unsigned char *rule, long *verb_data_len,
             unsigned char *verb_data)
{
    const struct emu_group groups[] = {
        { facility_keywords, 1 },
        { adapter_keywords, 0 },
    };
    struct emu_status_code sc = { 0, 0 };
    int found[2];

    if (!emu_init(&sc)
        || !emu_parse_rules(rule_count, rule, 1, 2, groups, 2, found, &sc))
        goto err;
    if (verb_data_len != NULL)
        *verb_data_len = 0;

    switch (found[0]) {
    case FQ_STATCCA:
        statcca(rule, rule_count, &sc);
        break;
    case FQ_STATAES:
    case FQ_STATAPKA:
        statmk(found[0] == FQ_STATAPKA, rule, rule_count, &sc);
        break;
    default:
        statcrd2(rule, rule_count, &sc);
        break;
    }

err:
    emu_finish(&sc, rc, reason);
}

/* CSUACFV: the CCA level as "V.R.M". */
void CSUACFV(long *rc, long *reason, long *exit_len, unsigned char *exit_data,
             long *version_len, unsigned char *version)
{
    struct emu_status_code sc = { 0, 0 };
    unsigned int v, r;
    char text[32];

    if (!emu_init(&sc))
        goto err;
    emu_level(&v, &r);
    snprintf(text, sizeof(text), "%u.%u.0", v, r);
    emu_output((const uint8_t *)text, strlen(text), version, version_len,
               &sc);

err:
    emu_finish(&sc, rc, reason);
}

static const struct emu_keyword resource_keywords[] = {
    { "DEVICE", 0, 0, 0 },
    { NULL, 0, 0, 0 },
};

/* The adapter (from 0) that name "CRPnn" selects, or -1.  NOTE: the
 * codes IBM's library returns for an unknown adapter are unconfirmed;
 * this library returns 12/4805 (no such device). */
static int adapter_of(const long *name_len, const unsigned char *name)
{
    char text[EMU_KEYWORD_LEN + 1];
    long len = name_len != NULL ? *name_len : 0;
    int n = 0;

    if (name == NULL || len < 5 || len > EMU_KEYWORD_LEN)
        return -1;
    memcpy(text, name, (size_t)len);
    while (len > 0 && text[len - 1] == ' ')
        len--;
    text[len] = '\0';
    if (len != 5 || strncmp(text, "CRP", 3) != 0
        || sscanf(text + 3, "%2d", &n) != 1)
        return -1;
    return n >= 1 && n <= emu_adapter_count() ? n - 1 : -1;
}

/* CSUACRA DEVICE: the calling thread uses adapter CRPnn from now on. */
void CSUACRA(long *rc, long *reason, long *exit_len, unsigned char *exit_data,
             long *rule_count, unsigned char *rule, long *name_len,
             unsigned char *name)
{
    const struct emu_group groups[] = { { resource_keywords, 1 } };
    struct emu_status_code sc = { 0, 0 };
    int found[1], adapter;

    if (!emu_init(&sc)
        || !emu_parse_rules(rule_count, rule, 1, 1, groups, 1, found, &sc))
        goto err;
    adapter = adapter_of(name_len, name);
    if (adapter < 0) {
        emu_set(&sc, CCA_RC_SETUP, CCA_RS_HOST_NO_DEVICE);
        goto err;
    }
    emu_select_adapter(adapter);

err:
    emu_finish(&sc, rc, reason);
}

/* CSUACRD DEVICE: the calling thread returns to the default adapter. */
void CSUACRD(long *rc, long *reason, long *exit_len, unsigned char *exit_data,
             long *rule_count, unsigned char *rule, long *name_len,
             unsigned char *name)
{
    const struct emu_group groups[] = { { resource_keywords, 1 } };
    struct emu_status_code sc = { 0, 0 };
    int found[1];

    if (!emu_init(&sc)
        || !emu_parse_rules(rule_count, rule, 1, 1, groups, 1, found, &sc))
        goto err;
    if (adapter_of(name_len, name) != emu_adapter()) {
        emu_set(&sc, CCA_RC_SETUP, CCA_RS_HOST_NO_DEVICE);
        goto err;
    }
    emu_select_adapter(-1);

err:
    emu_finish(&sc, rc, reason);
}
