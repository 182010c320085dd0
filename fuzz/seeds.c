/*
 * fuzz-seeds DIR: write the seed corpora of the fuzz targets into DIR
 * (fuzz/corpus of the source tree; `make fuzz-seeds` runs it).  Every
 * seed is named seed-*, so the inputs added for fixed bugs (crash-*)
 * stay.  The seeds hold keys made by the emulator at the time, so two
 * runs write different bytes: rerun it only when a format changes.
 */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>

#include <ibm4767/cca.h>
#include <ibm4767/keystore.h>

#include "emu_client.h"
#include "fuzz.h"
#include "params.h"
#include "seeds.h"

static const char *corpus_dir;

void seed_write(const char *target, const char *name, const void *data,
                size_t len)
{
    char path[4096];
    FILE *f;

    snprintf(path, sizeof(path), "%s/%s", corpus_dir, target);
    if (mkdir(path, 0755) != 0 && errno != EEXIST) {
        fprintf(stderr, "fuzz-seeds: cannot create %s: %s\n", path,
                strerror(errno));
        exit(1);
    }
    snprintf(path, sizeof(path), "%s/%s/seed-%s", corpus_dir, target, name);
    f = fopen(path, "wb");
    if (f == NULL || fwrite(data, 1, len, f) != len || fclose(f) != 0) {
        fprintf(stderr, "fuzz-seeds: cannot write %s: %s\n", path,
                strerror(errno));
        exit(1);
    }
}

static void write_buf(const char *target, const char *name,
                      const struct fuzz_buf *b)
{
    seed_write(target, name, b->data, b->len);
}

void seed_call(uint16_t verb, const struct ibm4767_wbuf *req,
               struct fuzz_buf *out)
{
    uint8_t *fields = NULL;
    size_t len = 0, n;
    uint32_t rc, reason;

    fuzz_emu_call(verb, req, &rc, &reason, &fields, &len);
    if (rc != CCA_RC_OK && rc != CCA_RC_WARNING) {
        fprintf(stderr, "fuzz-seeds: %s failed with %u/%u\n",
                ibm4767_verb_name(verb), rc, reason);
        exit(1);
    }
    if (out != NULL) {
        FUZZ_CHECK(len >= 4);
        n = (size_t)fields[0] << 24 | (size_t)fields[1] << 16
            | (size_t)fields[2] << 8 | fields[3];
        FUZZ_CHECK(n <= len - 4);
        out->len = 0;
        fuzz_buf_append(out, fields + 4, n);
    }
    free(fields);
}

/* ---------------------------------------------------------------------- */
/* Keys                                                                    */

static void generate_pka(uint32_t alg, uint32_t size, uint32_t usage,
                         struct fuzz_buf *token)
{
    struct ibm4767_wbuf req;

    ibm4767_wbuf_init(&req);
    ibm4767_put_u32(&req, alg);
    ibm4767_put_u32(&req, size);
    ibm4767_put_bytes(&req, NULL, 0);
    ibm4767_put_u32(&req, usage);
    seed_call(IBM4767_VERB_PKA_KEY_GENERATE, &req, token);
    ibm4767_wbuf_free(&req);
}

static void extract_public(const struct fuzz_buf *token, struct fuzz_buf *pub)
{
    struct ibm4767_wbuf req;

    ibm4767_wbuf_init(&req);
    ibm4767_put_bytes(&req, token->data, token->len);
    seed_call(IBM4767_VERB_PKA_PUBLIC_EXTRACT, &req, pub);
    ibm4767_wbuf_free(&req);
}

static void generate_aes(uint32_t bits, struct fuzz_buf *token)
{
    struct ibm4767_wbuf req;

    ibm4767_wbuf_init(&req);
    ibm4767_put_u32(&req, CCA_SYM_ALG_AES);
    ibm4767_put_u32(&req, bits);
    ibm4767_put_u32(&req, CCA_SYM_USAGE_ENCRYPT | CCA_SYM_USAGE_DECRYPT);
    ibm4767_put_u32(&req, 0);
    seed_call(IBM4767_VERB_SYM_KEY_GENERATE, &req, token);
    ibm4767_wbuf_free(&req);
}

static void put16(struct fuzz_buf *b, size_t v)
{
    uint8_t be[2] = { (uint8_t)(v >> 8), (uint8_t)v };

    fuzz_buf_append(b, be, 2);
}

/* The RSA key value structure of a software RSA-2048 key: modulus bits,
 * the lengths of n, e, d, p, q, dp, dq and u, then the values. */
static void make_rsa_kvs(struct fuzz_buf *kvs)
{
    static const char *const names[8] = {
        OSSL_PKEY_PARAM_RSA_N, OSSL_PKEY_PARAM_RSA_E, OSSL_PKEY_PARAM_RSA_D,
        OSSL_PKEY_PARAM_RSA_FACTOR1, OSSL_PKEY_PARAM_RSA_FACTOR2,
        OSSL_PKEY_PARAM_RSA_EXPONENT1, OSSL_PKEY_PARAM_RSA_EXPONENT2,
        OSSL_PKEY_PARAM_RSA_COEFFICIENT1,
    };
    EVP_PKEY *pkey = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
    uint8_t values[8][512];
    int lens[8];

    FUZZ_CHECK(pkey != NULL);
    for (int i = 0; i < 8; i++) {
        BIGNUM *bn = NULL;

        FUZZ_CHECK(EVP_PKEY_get_bn_param(pkey, names[i], &bn));
        lens[i] = BN_bn2bin(bn, values[i]);
        BN_clear_free(bn);
    }
    EVP_PKEY_free(pkey);
    put16(kvs, 2048);
    for (int i = 0; i < 8; i++)
        put16(kvs, (size_t)lens[i]);
    for (int i = 0; i < 8; i++)
        fuzz_buf_append(kvs, values[i], (size_t)lens[i]);
}

/* The EC key value structure of a software P-256 key: curve type, a
 * reserved byte, field bits, the lengths of d and Q, then d and Q. */
static void make_ec_kvs(struct fuzz_buf *kvs)
{
    EVP_PKEY *pkey = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    uint8_t d[32], q[65], head[2] = { 0x00, 0x00 };
    BIGNUM *bn = NULL;
    size_t q_len = 0;

    FUZZ_CHECK(pkey != NULL);
    FUZZ_CHECK(EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_PRIV_KEY, &bn));
    FUZZ_CHECK(BN_bn2binpad(bn, d, sizeof(d)) == sizeof(d));
    BN_clear_free(bn);
    FUZZ_CHECK(EVP_PKEY_get_octet_string_param(pkey, OSSL_PKEY_PARAM_PUB_KEY,
                                               q, sizeof(q), &q_len));
    EVP_PKEY_free(pkey);
    fuzz_buf_append(kvs, head, 2);
    put16(kvs, 256);
    put16(kvs, sizeof(d));
    put16(kvs, q_len);
    fuzz_buf_append(kvs, d, sizeof(d));
    fuzz_buf_append(kvs, q, q_len);
}

static void make_keys(struct seed_keys *k)
{
    uint32_t both = CCA_USAGE_SIGNATURE | CCA_USAGE_KEY_MGMT;
    uint32_t ec_both = CCA_USAGE_SIGNATURE | CCA_USAGE_KEY_AGREEMENT;

    memset(k, 0, sizeof(*k));
    generate_pka(CCA_ALG_RSA, 2048, both, &k->rsa);
    extract_public(&k->rsa, &k->rsa_public);
    generate_pka(CCA_ALG_EC, NID_X9_62_prime256v1, ec_both, &k->ec);
    extract_public(&k->ec, &k->ec_public);
    generate_pka(CCA_ALG_EC, NID_secp384r1, ec_both, &k->ec384);
    generate_pka(CCA_ALG_EC, NID_secp521r1, ec_both, &k->ec521);
    generate_aes(128, &k->aes128);
    generate_aes(256, &k->aes256);
    make_rsa_kvs(&k->rsa_kvs);
    make_ec_kvs(&k->ec_kvs);
}

/* ---------------------------------------------------------------------- */
/* Tokens and decoders                                                     */

static void seed_tokens(const struct seed_keys *k)
{
    struct fuzz_buf altered = { NULL, 0, 0 };

    write_buf("token", "rsa-internal", &k->rsa);
    write_buf("token", "rsa-external", &k->rsa_public);
    write_buf("token", "ec-p256-internal", &k->ec);
    write_buf("token", "ec-p256-external", &k->ec_public);
    write_buf("token", "ec-p384-internal", &k->ec384);
    write_buf("token", "ec-p521-internal", &k->ec521);
    write_buf("token", "aes-128", &k->aes128);
    write_buf("token", "aes-256", &k->aes256);
    fuzz_buf_append(&altered, k->rsa.data, k->rsa.len - 1);
    write_buf("token", "rsa-truncated", &altered);
    fuzz_buf_free(&altered);
}

/* A decoder seed: the choice byte of fuzz/decoder.c, then the data. */
static void write_choice(const char *target, const char *name,
                         uint8_t choice, const void *data, size_t len)
{
    struct fuzz_buf b = { NULL, 0, 0 };

    fuzz_buf_append(&b, &choice, 1);
    fuzz_buf_append(&b, data, len);
    seed_write(target, name, b.data, b.len);
    fuzz_buf_free(&b);
}

static void pem_append(struct fuzz_buf *pem, const char *label,
                       const uint8_t *data, size_t len)
{
    char line[128];
    size_t n;

    n = (size_t)snprintf(line, sizeof(line), "-----BEGIN %s-----\n", label);
    fuzz_buf_append(pem, line, n);
    for (size_t off = 0; off < len; off += 48) {
        size_t chunk = len - off < 48 ? len - off : 48;
        int out = EVP_EncodeBlock((unsigned char *)line, data + off,
                                  (int)chunk);

        fuzz_buf_append(pem, line, (size_t)out);
        fuzz_buf_append(pem, "\n", 1);
    }
    n = (size_t)snprintf(line, sizeof(line), "-----END %s-----\n", label);
    fuzz_buf_append(pem, line, n);
}

static void write_pem(const char *name, uint8_t choice, const char *label,
                      const void *data, size_t len)
{
    struct fuzz_buf pem = { NULL, 0, 0 };

    pem_append(&pem, label, data, len);
    write_choice("decoder-pem", name, choice, pem.data, pem.len);
    fuzz_buf_free(&pem);
}

static void write_label_pem(const char *name, const char *label)
{
    char field[CCA_LABEL_LEN];

    cca_label_to_field(label, field);
    write_pem(name, 0x00, "CCA KEY LABEL", field, sizeof(field));
}

static void seed_decoders(const struct seed_keys *k)
{
    static const char damaged[] =
        "-----BEGIN CCA KEY TOKEN-----\nHdr: value\nAAAA*AAA\n";

    /* Choice: selection in bits 0-1 (key pair, public, private, all),
     * key type in bits 2-3 (any, RSA, EC, RSA-PSS). */
    write_choice("decoder-der", "rsa-keypair", 0x00, k->rsa.data, k->rsa.len);
    write_choice("decoder-der", "rsa-public-of-private", 0x05, k->rsa.data,
                 k->rsa.len);
    write_choice("decoder-der", "rsa-external", 0x01, k->rsa_public.data,
                 k->rsa_public.len);
    write_choice("decoder-der", "ec-keypair", 0x08, k->ec.data, k->ec.len);
    write_choice("decoder-der", "ec-private-of-public", 0x0A,
                 k->ec_public.data, k->ec_public.len);
    write_choice("decoder-der", "ec-p521-all", 0x03, k->ec521.data,
                 k->ec521.len);
    write_choice("decoder-der", "rsa-as-pss", 0x0C, k->rsa.data, k->rsa.len);

    write_pem("rsa-token", 0x00, "CCA KEY TOKEN", k->rsa.data, k->rsa.len);
    write_pem("rsa-public-token", 0x05, "CCA KEY TOKEN", k->rsa_public.data,
              k->rsa_public.len);
    write_pem("ec-token", 0x08, "CCA KEY TOKEN", k->ec.data, k->ec.len);
    write_pem("ec-p384-token", 0x03, "CCA KEY TOKEN", k->ec384.data,
              k->ec384.len);
    write_pem("aes-token-wrong-kind", 0x00, "CCA KEY TOKEN", k->aes128.data,
              k->aes128.len);
    write_pem("other-label", 0x00, "PRIVATE KEY", k->rsa.data, k->rsa.len);
    write_label_pem("label-rsa", "FUZZ.RSA");
    write_label_pem("label-ec", "FUZZ.EC");
    write_label_pem("label-null-record", "FUZZ.NULL");
    write_label_pem("label-aes-record", "FUZZ.AES");
    write_label_pem("label-missing", "NO.SUCH.KEY");
    write_pem("label-text-only", 0x00, "CCA KEY LABEL", "fuzz.rsa", 8);
    write_pem("label-invalid", 0x00, "CCA KEY LABEL", "1BAD..LABEL", 11);
    write_choice("decoder-pem", "damaged-body", 0x00, damaged,
                 sizeof(damaged) - 1);
}

/* ---------------------------------------------------------------------- */
/* Parameters                                                              */

static void p_head(struct fuzz_buf *b, const char *name, uint8_t type)
{
    uint8_t head[2] = { fuzz_params_name_index(name), type };

    fuzz_buf_append(b, head, 2);
}

static void p_string(struct fuzz_buf *b, const char *name, const char *value)
{
    uint8_t index = fuzz_params_value_index(value);

    p_head(b, name, FUZZ_PARAM_UTF8 | FUZZ_PARAM_FROM_TABLE);
    fuzz_buf_append(b, &index, 1);
}

static void p_int(struct fuzz_buf *b, const char *name, int value)
{
    uint8_t size = sizeof(value);

    p_head(b, name, FUZZ_PARAM_INT);
    fuzz_buf_append(b, &size, 1);
    fuzz_buf_append(b, &value, sizeof(value));
}

static void p_uint(struct fuzz_buf *b, const char *name, unsigned value)
{
    p_head(b, name, FUZZ_PARAM_UINT);
    fuzz_buf_append(b, &value, sizeof(value));
}

static void p_size(struct fuzz_buf *b, const char *name, size_t value)
{
    p_head(b, name, FUZZ_PARAM_SIZE_T);
    fuzz_buf_append(b, &value, sizeof(value));
}

static void p_octets(struct fuzz_buf *b, const char *name, const void *data,
                     uint8_t len)
{
    p_head(b, name, FUZZ_PARAM_OCTETS);
    fuzz_buf_append(b, &len, 1);
    fuzz_buf_append(b, data, len);
}

/* Start a seed: the given header bytes, then the parameter count. */
static void seed_start(struct fuzz_buf *b, const uint8_t *head, size_t n,
                       uint8_t count)
{
    b->len = 0;
    fuzz_buf_append(b, head, n);
    fuzz_buf_append(b, &count, 1);
}

/* Close a seed: the length of the message the operation runs on, then
 * buffer sizes for the parameters read back. */
static void seed_finish(struct fuzz_buf *b, const char *target,
                        const char *name, uint8_t message_len)
{
    uint8_t tail[FUZZ_PARAMS_MAX + 1];

    memset(tail, 128, sizeof(tail));
    tail[0] = message_len;
    fuzz_buf_append(b, tail, sizeof(tail));
    write_buf(target, name, b);
}

/* pkey-params: operation, flags (1 run, 2 init parameters, 4 read back)
 * and digest index of fuzz/pkey_params.c. */
static void seed_pkey_params(void)
{
    struct fuzz_buf b = { NULL, 0, 0 };
    uint8_t label[8] = "label";

    seed_start(&b, (const uint8_t[]){ 0, 5, 0 }, 3, 4);
    p_string(&b, "pad-mode", "pss");
    p_string(&b, "saltlen", "max");
    p_string(&b, "digest", "SHA256");
    p_string(&b, "mgf1-digest", "SHA1");
    seed_finish(&b, "pkey-params", "rsa-sign-pss", 32);

    seed_start(&b, (const uint8_t[]){ 0, 5, 0 }, 2, 2);
    p_string(&b, "digest", "SHA384");
    p_string(&b, "pad-mode", "pkcs1");
    seed_finish(&b, "pkey-params", "rsa-sign-pkcs1", 48);

    seed_start(&b, (const uint8_t[]){ 0, 1, 0 }, 2, 3);
    p_string(&b, "pad-mode", "pss");
    p_string(&b, "digest", "SHA256");
    p_int(&b, "saltlen", 223);
    seed_finish(&b, "pkey-params", "rsa-sign-salt-too-long", 32);

    seed_start(&b, (const uint8_t[]){ 1, 6, 0 }, 3, 3);
    p_string(&b, "pad-mode", "pss");
    p_string(&b, "saltlen", "auto");
    p_string(&b, "digest", "SHA512");
    seed_finish(&b, "pkey-params", "rsa-verify-pss-init", 64);

    seed_start(&b, (const uint8_t[]){ 2, 5, 0 }, 3, 2);
    p_string(&b, "pad-mode", "pss");
    p_int(&b, "saltlen", -3);
    seed_finish(&b, "pkey-params", "rsa-digest-sign", 20);

    seed_start(&b, (const uint8_t[]){ 3, 5, 0 }, 3, 1);
    p_string(&b, "digest", "SHA256");
    seed_finish(&b, "pkey-params", "ecdsa-sign", 32);

    seed_start(&b, (const uint8_t[]){ 5, 5, 5 }, 3, 1);
    p_string(&b, "digest", "MD5");
    seed_finish(&b, "pkey-params", "ecdsa-digest-sign-md5", 16);

    seed_start(&b, (const uint8_t[]){ 6, 5, 0 }, 3, 4);
    p_string(&b, "pad-mode", "oaep");
    p_string(&b, "digest", "SHA256");
    p_string(&b, "mgf1-digest", "SHA1");
    p_octets(&b, "oaep-label", label, 5);
    seed_finish(&b, "pkey-params", "rsa-decrypt-oaep", 0);

    seed_start(&b, (const uint8_t[]){ 6, 5, 0 }, 3, 3);
    p_string(&b, "pad-mode", "pkcs1");
    p_uint(&b, "tls-client-version", 0x0303);
    p_uint(&b, "tls-negotiated-version", 0x0301);
    seed_finish(&b, "pkey-params", "rsa-decrypt-tls", 0);

    seed_start(&b, (const uint8_t[]){ 7, 5, 0 }, 3, 1);
    p_string(&b, "pad-mode", "none");
    seed_finish(&b, "pkey-params", "rsa-encrypt-raw", 64);

    seed_start(&b, (const uint8_t[]){ 8, 5, 0 }, 3, 3);
    p_int(&b, "pad", 1);
    p_int(&b, "ecdh-cofactor-mode", 1);
    p_string(&b, "kdf-type", "X963KDF");
    seed_finish(&b, "pkey-params", "ecdh-derive-kdf", 0);

    fuzz_buf_free(&b);
}

/* cipher-params: cipher index and flags of fuzz/cipher_params.c (1
 * decrypt, 2 clear key, 4 IV, 8 init parameters, 0x10 read back, 0x20
 * run, 0x40 the AES token). */
static void seed_cipher_params(const struct seed_keys *k)
{
    struct fuzz_buf b = { NULL, 0, 0 };
    uint8_t tag[17];

    memset(tag, 0xC3, sizeof(tag));
    seed_start(&b, (const uint8_t[]){ 9, 0x36 }, 2, 1);
    p_size(&b, "ivlen", 12);
    seed_finish(&b, "cipher-params", "gcm-encrypt", 40);

    seed_start(&b, (const uint8_t[]){ 9, 0x37 }, 2, 1);
    p_octets(&b, "tag", tag, 16);
    seed_finish(&b, "cipher-params", "gcm-decrypt-tag", 40);

    seed_start(&b, (const uint8_t[]){ 11, 0x37 }, 2, 1);
    p_octets(&b, "tag", tag, 17);
    seed_finish(&b, "cipher-params", "gcm-tag-too-long", 8);

    seed_start(&b, (const uint8_t[]){ 10, 0x12 }, 2, 1);
    p_size(&b, "ivlen", 0);
    seed_finish(&b, "cipher-params", "gcm-ivlen-zero", 0);

    seed_start(&b, (const uint8_t[]){ 10, 0x12 }, 2, 1);
    p_size(&b, "ivlen", 2000);
    seed_finish(&b, "cipher-params", "gcm-ivlen-huge", 0);

    seed_start(&b, (const uint8_t[]){ 3, 0x36 }, 2, 2);
    p_uint(&b, "padding", 0);
    p_uint(&b, "num", 5);
    seed_finish(&b, "cipher-params", "cbc-padding-num", 32);

    seed_start(&b, (const uint8_t[]){ 6, 0x36 }, 2, 1);
    p_uint(&b, "num", 0);
    seed_finish(&b, "cipher-params", "ctr-num", 17);

    seed_start(&b, (const uint8_t[]){ 0, 0x1A }, 2, 2);
    p_size(&b, "ivlen", 16);
    p_size(&b, "keylen", 24);
    seed_finish(&b, "cipher-params", "ecb-ivlen-keylen", 16);

    seed_start(&b, (const uint8_t[]){ 3, 0x34 }, 2, 1);
    p_string(&b, "ibm4767-key-label", "FUZZ.AES");
    seed_finish(&b, "cipher-params", "cbc-key-label", 32);

    seed_start(&b, (const uint8_t[]){ 3, 0x34 }, 2, 1);
    p_string(&b, "ibm4767-key-label", "NO.SUCH.LABEL");
    seed_finish(&b, "cipher-params", "cbc-key-label-missing", 32);

    seed_start(&b, (const uint8_t[]){ 11, 0x34 }, 2, 1);
    p_head(&b, "ibm4767-key-token", FUZZ_PARAM_OCTETS);
    fuzz_buf_append(&b, (const uint8_t[]){ (uint8_t)k->aes256.len }, 1);
    fuzz_buf_append(&b, k->aes256.data, k->aes256.len);
    seed_finish(&b, "cipher-params", "gcm-key-token", 32);

    seed_start(&b, (const uint8_t[]){ 9, 0x74 }, 2, 1);
    p_octets(&b, "tlsaad", tag, 13);
    seed_finish(&b, "cipher-params", "gcm-tls-aad", 0);

    fuzz_buf_free(&b);
}

int main(int argc, char **argv)
{
    struct seed_keys keys;

    if (argc != 2 || argv[1][0] == '-') {
        fprintf(stderr, "usage: %s DIRECTORY\nWrite the seed corpora of "
                "the fuzz targets into DIRECTORY/<target>/seed-*.\n",
                argv[0]);
        return 2;
    }
    corpus_dir = argv[1];
    fuzz_emu_start();
    make_keys(&keys);
    seed_tokens(&keys);
    seed_decoders(&keys);
    seed_pkey_params();
    seed_cipher_params(&keys);
    seed_frames(&keys);
    printf("fuzz-seeds: wrote the seed corpora into %s\n", corpus_dir);
    return 0;
}
