/*
 * Random number generate (CSNBRNGL) over the CCA host library.
 */
#include <config.h>

#include <openssl/crypto.h>

#include "backend_int.h"
#include "ccaverbs.h"

/* Each CSNBRNGL call requests at most IBM4767_RANDOM_MAX bytes, as
 * openCryptoki's CCA token does. */
int cca_lib_random_number_generate(struct cca_backend *be, uint8_t *out,
                                   size_t len, struct cca_result *res)
{
    struct cca_device *dev = NULL;
    struct cca_rule rule;
    size_t done = 0;
    int ret = 0;

    if (out == NULL && len > 0) {
        cca_result_set(res, CCA_RC_ERROR, CCA_RS_HOST_INVALID_ARGUMENT,
                       "random number generate got a NULL output buffer "
                       "for %zu bytes", len);
        goto err;
    }

    dev = cca_lib_begin(be, -1, res);
    if (dev == NULL)
        goto err;
    cca_rule_init(&rule);
    cca_rule_add(&rule, "RANDOM");
    while (done < len) {
        long rc = 0, reason = 0, exit_len = 0, zero = 0;
        long piece = (long)(len - done > IBM4767_RANDOM_MAX
                                ? IBM4767_RANDOM_MAX : len - done);

        be->cca->CSNBRNGL(&rc, &reason, &exit_len, NULL, &rule.count,
                          rule.keywords, &zero, NULL, &piece, out + done);
        if (!cca_lib_result(be, dev, res, "CSNBRNGL", rc, reason))
            goto err;
        if (piece <= 0 || (size_t)piece > len - done) {
            cca_result_set(res, CCA_RC_INTERNAL, CCA_RS_HOST_BAD_REPLY,
                           "CSNBRNGL returned %ld random bytes", piece);
            goto err;
        }
        done += (size_t)piece;
    }
    ret = 1;

err:
    cca_lib_end(be, dev);
    /* Leave no partial random output behind on failure. */
    if (!ret && out != NULL)
        OPENSSL_cleanse(out, len);
    return ret;
}
