/*
 * CSNBRNGL of libcsulcca-emu.so: random numbers from the emulator's
 * DRBG.
 */
#include <config.h>

#include "emu.h"

static const struct emu_keyword random_keywords[] = {
    { "RANDOM", 0, 0, 0 },
    { "ODD", 0, 0, 1 },
    { "EVEN", 0, 0, 1 },
    { NULL, 0, 0, 0 },
};

void CSNBRNGL(long *rc, long *reason, long *exit_len,
              unsigned char *exit_data, long *rule_count,
              unsigned char *rule, long *reserved_len,
              unsigned char *reserved, long *len, unsigned char *out)
{
    const struct emu_group groups[] = { { random_keywords, 1 } };
    struct emu_status_code sc = { 0, 0 };
    struct cca_result res;
    int found[1];

    if (!emu_init(&sc)
        || !emu_parse_rules(rule_count, rule, 1, 1, groups, 1, found, &sc))
        goto err;
    if ((reserved_len != NULL && *reserved_len != 0) || len == NULL
        || *len < 0 || (out == NULL && *len > 0)) {
        emu_set(&sc, CCA_RC_ERROR, CCA_RS_LENGTH_INVALID);
        goto err;
    }

    cca_random_number_generate(emu_backend(), out, (size_t)*len, &res);
    emu_from_result(&sc, &res);

err:
    emu_finish(&sc, rc, reason);
}
