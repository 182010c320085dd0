/*
 * The AES test programs over transport cca (see aes_test_cca.h).
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/err.h>
#include <openssl/evp.h>

#include <ibm4767/cca.h>

#include "aes_test_cca.h"

int aes_test_over_cca(void)
{
    const char *transport = getenv("IBM4767_TRANSPORT");

    return transport != NULL && strcmp(transport, "cca") == 0;
}

/* The mode AES_CCA_MODE names, in upper case. */
static const char *cca_mode(const struct aes_test *t)
{
    static const char *const modes[] = { "CBC", "ECB", "GCM" };
    const char *value = getenv(AES_CCA_MODE_ENV);

    if (value == NULL || value[0] == '\0')
        return AES_CCA_MODE_DEFAULT;
    for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
        if (strcasecmp(value, modes[i]) == 0)
            return modes[i];
    }
    fprintf(stderr, "%s: %s=%s is invalid: use cbc, ecb or gcm\n",
            t->program, AES_CCA_MODE_ENV, value);
    exit(AES_TEST_EXIT_ERROR);
}

static void check_not_offered(struct aes_test *t, const char *name)
{
    EVP_CIPHER *cipher = EVP_CIPHER_fetch(t->libctx, name,
                                          "provider=ibm4767");

    aes_check(t, cipher == NULL, "%s is not offered over transport cca",
              name);
    EVP_CIPHER_free(cipher);
    /* The failed fetch leaves an error that no later check wants. */
    ERR_clear_error();
}

/* The backend's encipher verb with a clear key in CTR mode. */
static void check_verb_rejects_ctr(struct aes_test *t)
{
    static const uint8_t key[16], iv[16], in[16];
    struct cca_config cfg;
    struct cca_backend *be = NULL;
    struct cca_sym_params p;
    struct cca_result res;
    uint8_t out[16];
    char err[512] = "", expected[128], text[1024];
    int ok;

    cca_config_defaults(&cfg);
    if (cca_config_apply_env(&cfg, err, sizeof(err)))
        be = cca_backend_open(&cfg, err, sizeof(err));
    if (be == NULL) {
        fprintf(stderr, "%s: cannot set up the backend: %s\n", t->program,
                err);
        exit(AES_TEST_EXIT_ERROR);
    }

    memset(&p, 0, sizeof(p));
    p.mode = CCA_SYM_MODE_CTR;
    p.chain = CCA_SYM_CHAIN_ONLY;
    p.key_form = CCA_SYM_KEY_CLEAR;
    p.key = key;
    p.key_len = sizeof(key);
    p.iv = iv;
    p.iv_len = sizeof(iv);
    ok = cca_symmetric_encipher(be, &p, NULL, in, sizeof(in), out, NULL, 0,
                                &res);
    snprintf(expected, sizeof(expected),
             "not supported by this card's CCA level %s",
             cca_backend_cca_level(be));

    aes_check(t, !ok, "AES-CTR through the backend's encipher verb fails "
              "over transport cca");
    aes_check(t, res.rc == CCA_RC_ERROR
                     && res.reason == CCA_RS_ALGORITHM_UNSUPPORTED,
              "the encipher verb returns 8/4773 for CTR (got %u/%u)", res.rc,
              res.reason);
    aes_check(t, strstr(res.detail, expected) != NULL,
              "the reason says \"%s\": %s", expected,
              cca_result_text(&res, text, sizeof(text)));
    cca_backend_free(be);
}

const char *aes_test_ctr_cipher(struct aes_test *t, const char *ctr_name,
                                char *buf, size_t cap)
{
    static int verb_checked;
    const char *suffix = strstr(ctr_name, "-CTR");

    if (!aes_test_over_cca() || suffix == NULL) {
        snprintf(buf, cap, "%s", ctr_name);
        return buf;
    }
    check_not_offered(t, ctr_name);
    if (!verb_checked) {
        check_verb_rejects_ctr(t);
        verb_checked = 1;
    }
    snprintf(buf, cap, "%.*s-%s", (int)(suffix - ctr_name), ctr_name,
             cca_mode(t));
    printf("   (%s in place of %s over transport cca)\n", buf, ctr_name);
    return buf;
}
