/*
 * Shared by the parts of cca_verbs: the library's verbs, resolved once by
 * cca_verbs.c, and the helpers the tests use to call them.
 */
#ifndef IBM4767_TEST_CCA_VERBS_H
#define IBM4767_TEST_CCA_VERBS_H

#include "ccaverbs.h"

/* The verbs under test, resolved from the library. */
struct cca_verbs_lib {
    void *handle;
    unsigned int version, release;
    cca_fn_CSUACFQ *CSUACFQ;
    cca_fn_CSUACFV *CSUACFV;
    cca_fn_CSUACRA *CSUACRA;
    cca_fn_CSNDPKB *CSNDPKB;
    cca_fn_CSNDPKG *CSNDPKG;
    cca_fn_CSNDPKX *CSNDPKX;
    cca_fn_CSNDDSG *CSNDDSG;
    cca_fn_CSNDDSV *CSNDDSV;
    cca_fn_CSNDPKE *CSNDPKE;
    cca_fn_CSNDPKE *CSNDPKD;
    cca_fn_CSNDEDH *CSNDEDH;
    cca_fn_CSNBKTB2 *CSNBKTB2;
    cca_fn_CSNBKGN2 *CSNBKGN2;
    cca_fn_CSNBKPI2 *CSNBKPI2;
    cca_fn_CSNBSAE *CSNBSAE;
    cca_fn_CSNBSAE *CSNBSAD;
    cca_fn_CSNBRNGL *CSNBRNGL;
    cca_fn_key_record *CSNDKRC;
    cca_fn_key_record *CSNDKRR;
    cca_fn_key_record_delete *CSNDKRD;
    cca_fn_key_record_list *CSNDKRL;
    cca_fn_key_record *CSNBAKRC;
    cca_fn_key_record *CSNBAKRR;
    cca_fn_key_record_list *CSNBAKRL;
};

extern struct cca_verbs_lib lib;

/* A verb's outcome. */
struct codes {
    long rc;
    long reason;
    long exit_len;
};

/* Fill rule with the space-separated keywords; returns their number. */
long rules(unsigned char *rule, const char *words);
/* Fail the test unless c carries rc/reason. */
void expect(const struct codes *c, long rc, long reason);

/* Key value structure of a P-256 key for CSNDPKB. */
#define P256_KVS_LEN 8
extern const uint8_t p256_kvs[P256_KVS_LEN];
/* Build a skeleton with rule words and kvs, and generate a PKA key into
 * token (cca_verbs.c); returns the token's length. */
long generate(const char *words, const uint8_t *kvs, long kvs_len,
              uint8_t *token);
/* Generate an AES-256 key token into token; returns its length. */
long aes_key(uint8_t *token);

/* Tests of the random number and key storage verbs
 * (cca_verbs_storage.c). */
void test_random_rule_codes(void **state);
void test_key_records_codes(void **state);
void test_key_record_list(void **state);

#endif
