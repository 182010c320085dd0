/*
 * Random number generate (CSNBRNGL).  The device hands out at most
 * IBM4767_RANDOM_MAX bytes per request, so longer requests are split.
 */
#include <config.h>

#include <openssl/crypto.h>

#include "backend_int.h"
#include "ccaverbs.h"

static int random_piece(struct cca_backend *be, uint8_t *out, size_t len,
                        struct cca_result *res)
{
    struct ibm4767_wbuf wb;
    size_t got = len;
    int ret = 0;

    ibm4767_wbuf_init(&wb);

    ibm4767_put_u32(&wb, (uint32_t)len);
    if (!cca_call_copy_bytes(be, IBM4767_VERB_RANDOM_NUMBER_GENERATE, 1, &wb,
                             out, &got, "random number", res))
        goto err;
    if (got != len) {
        cca_result_set(res, CCA_RC_INTERNAL, CCA_RS_HOST_BAD_REPLY,
                       "device returned %zu random bytes, %zu were "
                       "requested", got, len);
        goto err;
    }
    ret = 1;

err:
    ibm4767_wbuf_free(&wb);
    return ret;
}

int cca_random_number_generate(struct cca_backend *be, uint8_t *out,
                               size_t len, struct cca_result *res)
{
    struct cca_result local;
    size_t done = 0;

    if (res == NULL)
        res = &local;
    cca_result_init(res);
    if (be != NULL && be->cca != NULL)
        return cca_lib_random_number_generate(be, out, len, res);

    if (out == NULL && len > 0) {
        cca_result_set(res, CCA_RC_ERROR, CCA_RS_HOST_INVALID_ARGUMENT,
                       "random number generate got a NULL output buffer "
                       "for %zu bytes", len);
        return 0;
    }

    while (done < len) {
        size_t piece = len - done;

        if (piece > IBM4767_RANDOM_MAX)
            piece = IBM4767_RANDOM_MAX;
        if (!random_piece(be, out + done, piece, res)) {
            /* Leave no partial random output behind on failure. */
            OPENSSL_cleanse(out, len);
            return 0;
        }
        done += piece;
    }
    return 1;
}
