/*
 * AES ciphers of the provider (ECB, CBC, CTR and GCM), run by the
 * coprocessor's symmetric engine.  Shared by cipher_aes_common.c (context,
 * keys, device calls), cipher_aes.c (ECB, CBC, CTR) and cipher_aes_gcm.c.
 *
 * A key is a clear key from EVP_CipherInit_ex2, sent to the device with
 * every request (CCA's KEY-CLR), or a secure key (CCA's KEYIDENT).  A
 * secure key is an AES key token, given as the "ibm4767-key-token"
 * parameter or read from key storage by the label in "ibm4767-key-label".
 */
#ifndef IBM4767_CIPHER_AES_H
#define IBM4767_CIPHER_AES_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/core.h>

#include "prov.h"

/* Cipher context parameters of this provider. */
#define IBM4767_CIPHER_PARAM_KEY_TOKEN "ibm4767-key-token"
#define IBM4767_CIPHER_PARAM_KEY_LABEL "ibm4767-key-label"

#define AES_BLOCK 16u

struct ibm4767_aes_gcm {
    uint8_t *iv;                 /* ivlen bytes once set */
    size_t ivlen;                /* 12 unless the caller sets another */
    int iv_set;
    uint8_t *aad;                /* AAD waiting for the next request */
    size_t aad_len;
    size_t aad_cap;
    int data_started;            /* data sent: no more AAD */
    uint8_t tag[16];
    size_t taglen;               /* decrypt: length set; encrypt: 16 */
    int tag_set;                 /* decrypt: tag given */
    int tag_ready;               /* encrypt: final computed the tag */
    int finished;                /* final ran; a new IV starts again */
};

struct ibm4767_aes_ctx {
    struct ibm4767_provctx *provctx;
    const char *name;            /* "AES-256-GCM", for messages */
    uint32_t mode;               /* CCA_SYM_MODE_* */
    size_t keylen;               /* bytes: 16, 24 or 32 */
    int enc;                     /* 1 encrypt, 0 decrypt */
    int initialized;             /* an init call ran */

    /* The key: none, a clear key or a token (key_form 0 when none). */
    uint32_t key_form;           /* CCA_SYM_KEY_CLEAR or CCA_SYM_KEY_TOKEN */
    uint8_t *key;
    size_t key_len;

    /* ECB, CBC, CTR. */
    int pad;                     /* PKCS#7 padding on (ECB, CBC) */
    uint8_t oiv[AES_BLOCK];      /* IV given at init */
    uint8_t iv[AES_BLOCK];       /* CBC: next IV; CTR: counter reported */
    int iv_set;
    unsigned int num;            /* CTR: keystream bytes used of a block */
    uint8_t buf[AES_BLOCK];      /* ECB, CBC: input short of a block */
    size_t buf_len;

    /* The device chain of the current message. */
    struct cca_sym_chain chain;
    int chain_started;
    int broken;                  /* a request of this message failed */
    int warned_old_mk;           /* 0/10001 logged for this context */

    struct ibm4767_aes_gcm gcm;
};

/* Context life cycle (cipher_aes_common.c).  newctx raises on failure. */
struct ibm4767_aes_ctx *ibm4767_aes_newctx(void *provctx, const char *name,
                                           uint32_t mode, size_t keylen);
void ibm4767_aes_freectx(void *vctx);
void *ibm4767_aes_dupctx(void *vctx);

/* Start an operation: reset the message state and store a clear key
 * (checking that params do not also name a secure key).  The mode code
 * then applies params and sets the IV.  Raises and returns 0 on failure. */
int ibm4767_aes_init_key(struct ibm4767_aes_ctx *ctx, const unsigned char *key,
                         size_t keylen, const OSSL_PARAM params[], int enc);
/* Forget the chain and buffered data of the current message. */
void ibm4767_aes_reset_message(struct ibm4767_aes_ctx *ctx);
/* Check that an operation can run: initialized, with a key.  Raises. */
int ibm4767_aes_ready(const struct ibm4767_aes_ctx *ctx);

/* Set the key parameters common to every mode (key length, token,
 * label); others are left for the caller.  Raises and returns 0. */
int ibm4767_aes_set_key_params(struct ibm4767_aes_ctx *ctx,
                               const OSSL_PARAM params[]);
/* Raise for a parameter this provider rejects on purpose (the TLS 1.2
 * record-layer parameters).  Returns 0 when one is present. */
int ibm4767_aes_reject_tls_params(const struct ibm4767_aes_ctx *ctx,
                                  const OSSL_PARAM params[]);

/*
 * One encipher or decipher call on the device for the current message,
 * with the chaining step chosen from ctx->chain_started and last.  last
 * ends the chain (ONLY or FINAL); the IV goes on the first request.  For
 * GCM, aad is sent before data and tag is written (encrypt) or checked
 * (decrypt) when last is set.  Raises naming the cipher and returns 0 on
 * failure.
 */
int ibm4767_aes_device_call(struct ibm4767_aes_ctx *ctx, const uint8_t *iv,
                            size_t ivlen, const uint8_t *aad, size_t aad_len,
                            const uint8_t *in, size_t len, uint8_t *out,
                            int last, uint8_t *tag, size_t taglen);

/* Class parameters of a cipher (OSSL_FUNC_cipher_get_params). */
int ibm4767_aes_get_params(OSSL_PARAM params[], unsigned int evp_mode,
                           size_t keylen, size_t ivlen, size_t blocksize,
                           int aead);
const OSSL_PARAM *ibm4767_aes_gettable_params(void *provctx);

/* Parameters every mode reports (key length and the IV length given). */
int ibm4767_aes_get_common_ctx_params(const struct ibm4767_aes_ctx *ctx,
                                      OSSL_PARAM params[], size_t ivlen);

#endif
