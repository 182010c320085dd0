/*
 * Frame seeds: one file per verb with a valid request (and the device's
 * keys where it needs one), pipelined requests, and the malformed frames
 * the daemon must reject.
 */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include <openssl/obj_mac.h>

#include <ibm4767/cca.h>

#include "fuzz.h"
#include "seeds.h"

static uint32_t next_id = 1;

static void write_frames(const char *name, const struct fuzz_buf *frames)
{
    seed_write("frame", name, frames->data, frames->len);
}

/* A seed of one request frame. */
static void write_request(const char *name, uint16_t verb,
                          const struct ibm4767_wbuf *req)
{
    struct fuzz_buf frame = { NULL, 0, 0 };

    fuzz_frame_append(&frame, verb, next_id++, req != NULL ? req->data : NULL,
                      req != NULL ? req->len : 0);
    write_frames(name, &frame);
    fuzz_buf_free(&frame);
}

static void put_buf(struct ibm4767_wbuf *req, const struct fuzz_buf *b)
{
    ibm4767_put_bytes(req, b->data, b->len);
}

static void sign_request(struct ibm4767_wbuf *req, uint32_t scheme,
                         int hash_nid, uint32_t salt,
                         const struct fuzz_buf *token, size_t hash_len)
{
    uint8_t hash[64];

    memset(hash, 0x42, sizeof(hash));
    ibm4767_wbuf_init(req);
    ibm4767_put_u32(req, scheme);
    ibm4767_put_u32(req, (uint32_t)hash_nid);
    ibm4767_put_u32(req, (uint32_t)hash_nid);
    ibm4767_put_u32(req, salt);
    put_buf(req, token);
    ibm4767_put_bytes(req, hash, hash_len);
}

static void seed_signatures(const struct seed_keys *k)
{
    struct fuzz_buf sig = { NULL, 0, 0 };
    struct ibm4767_wbuf req;

    sign_request(&req, CCA_SIG_PKCS1, NID_sha256, 0, &k->rsa, 32);
    write_request("sign-rsa-pkcs1", IBM4767_VERB_DIGITAL_SIGNATURE_GENERATE,
                  &req);
    seed_call(IBM4767_VERB_DIGITAL_SIGNATURE_GENERATE, &req, &sig);
    ibm4767_wbuf_free(&req);
    sign_request(&req, CCA_SIG_PKCS1, NID_sha256, 0, &k->rsa_public, 32);
    put_buf(&req, &sig);
    write_request("verify-rsa-pkcs1", IBM4767_VERB_DIGITAL_SIGNATURE_VERIFY,
                  &req);
    ibm4767_wbuf_free(&req);

    sign_request(&req, CCA_SIG_PSS, NID_sha384, 48, &k->rsa, 48);
    write_request("sign-rsa-pss", IBM4767_VERB_DIGITAL_SIGNATURE_GENERATE,
                  &req);
    ibm4767_wbuf_free(&req);
    sign_request(&req, CCA_SIG_PKCS1_RAW, 0, 0, &k->rsa, 36);
    write_request("sign-rsa-raw", IBM4767_VERB_DIGITAL_SIGNATURE_GENERATE,
                  &req);
    ibm4767_wbuf_free(&req);

    sign_request(&req, CCA_SIG_ECDSA, NID_sha256, 0, &k->ec, 32);
    write_request("sign-ecdsa", IBM4767_VERB_DIGITAL_SIGNATURE_GENERATE,
                  &req);
    seed_call(IBM4767_VERB_DIGITAL_SIGNATURE_GENERATE, &req, &sig);
    ibm4767_wbuf_free(&req);
    sig.data[0] ^= 0x01;
    sign_request(&req, CCA_SIG_ECDSA, NID_sha256, 0, &k->ec_public, 32);
    put_buf(&req, &sig);
    write_request("verify-ecdsa-bad", IBM4767_VERB_DIGITAL_SIGNATURE_VERIFY,
                  &req);
    ibm4767_wbuf_free(&req);
    fuzz_buf_free(&sig);
}

static void cipher_request(struct ibm4767_wbuf *req, uint32_t padding,
                           int oaep_nid, const struct fuzz_buf *token,
                           const uint8_t *in, size_t in_len)
{
    ibm4767_wbuf_init(req);
    ibm4767_put_u32(req, padding);
    ibm4767_put_u32(req, (uint32_t)oaep_nid);
    ibm4767_put_u32(req, (uint32_t)oaep_nid);
    ibm4767_put_bytes(req, oaep_nid != 0 ? "label" : NULL,
                      oaep_nid != 0 ? 5 : 0);
    ibm4767_put_u32(req, padding == CCA_PAD_TLS ? 0x0303 : 0);
    ibm4767_put_u32(req, padding == CCA_PAD_TLS ? 0x0303 : 0);
    put_buf(req, token);
    ibm4767_put_bytes(req, in, in_len);
}

static void seed_pka_ciphers(const struct seed_keys *k)
{
    static const uint8_t secret[48] = { 0x03, 0x03, 0x11, 0x22 };
    struct fuzz_buf ct = { NULL, 0, 0 };
    struct ibm4767_wbuf req;
    uint32_t pads[3] = { CCA_PAD_PKCS1, CCA_PAD_OAEP, CCA_PAD_TLS };
    const char *names[3][2] = {
        { "encrypt-rsa-pkcs1", "decrypt-rsa-pkcs1" },
        { "encrypt-rsa-oaep", "decrypt-rsa-oaep" },
        { "encrypt-rsa-pkcs1-for-tls", "decrypt-rsa-tls" },
    };

    /* TLS padding is for decryption only: its ciphertext is PKCS#1. */
    for (int i = 0; i < 3; i++) {
        int nid = pads[i] == CCA_PAD_OAEP ? NID_sha256 : 0;
        uint32_t enc_pad = pads[i] == CCA_PAD_TLS ? CCA_PAD_PKCS1 : pads[i];

        cipher_request(&req, enc_pad, nid, &k->rsa_public, secret,
                       sizeof(secret));
        write_request(names[i][0], IBM4767_VERB_PKA_ENCRYPT, &req);
        seed_call(IBM4767_VERB_PKA_ENCRYPT, &req, &ct);
        ibm4767_wbuf_free(&req);
        cipher_request(&req, pads[i], nid, &k->rsa, ct.data, ct.len);
        write_request(names[i][1], IBM4767_VERB_PKA_DECRYPT, &req);
        ibm4767_wbuf_free(&req);
    }
    fuzz_buf_free(&ct);
}

static void seed_pka_keys(const struct seed_keys *k)
{
    struct ibm4767_wbuf req;
    const uint8_t *q;

    ibm4767_wbuf_init(&req);
    ibm4767_put_u32(&req, CCA_ALG_EC);
    ibm4767_put_u32(&req, NID_secp384r1);
    ibm4767_put_bytes(&req, NULL, 0);
    ibm4767_put_u32(&req, CCA_USAGE_SIGNATURE);
    write_request("generate-ec-p384", IBM4767_VERB_PKA_KEY_GENERATE, &req);
    ibm4767_wbuf_free(&req);

    ibm4767_wbuf_init(&req);
    ibm4767_put_u32(&req, CCA_ALG_RSA);
    ibm4767_put_u32(&req, CCA_USAGE_KEY_MGMT);
    put_buf(&req, &k->rsa_kvs);
    write_request("import-rsa", IBM4767_VERB_PKA_KEY_IMPORT, &req);
    ibm4767_wbuf_free(&req);

    ibm4767_wbuf_init(&req);
    ibm4767_put_u32(&req, CCA_ALG_EC);
    ibm4767_put_u32(&req, CCA_USAGE_KEY_AGREEMENT);
    put_buf(&req, &k->ec_kvs);
    write_request("import-ec", IBM4767_VERB_PKA_KEY_IMPORT, &req);
    ibm4767_wbuf_free(&req);

    ibm4767_wbuf_init(&req);
    put_buf(&req, &k->ec521);
    write_request("public-extract-ec-p521", IBM4767_VERB_PKA_PUBLIC_EXTRACT,
                  &req);
    ibm4767_wbuf_free(&req);

    /* ECDH with the key's own public point as the peer: the point is the
     * last 65 bytes of the external P-256 token. */
    q = k->ec_public.data + k->ec_public.len - 65;
    ibm4767_wbuf_init(&req);
    put_buf(&req, &k->ec);
    ibm4767_put_bytes(&req, q, 65);
    write_request("ecdh-p256", IBM4767_VERB_EC_DIFFIE_HELLMAN, &req);
    ibm4767_wbuf_free(&req);

    ibm4767_wbuf_init(&req);
    put_buf(&req, &k->rsa);
    write_request("key-token-change-rsa", IBM4767_VERB_KEY_TOKEN_CHANGE,
                  &req);
    ibm4767_wbuf_free(&req);
}

static void sym_request(struct ibm4767_wbuf *req, uint32_t mode,
                        uint32_t chain, uint32_t key_form,
                        const uint8_t *key, size_t key_len, size_t iv_len,
                        const uint8_t *tag, uint32_t tag_len, size_t data_len)
{
    uint8_t iv[16], data[64];

    memset(iv, 0x1F, sizeof(iv));
    memset(data, 0x2E, sizeof(data));
    ibm4767_wbuf_init(req);
    ibm4767_put_u32(req, mode);
    ibm4767_put_u32(req, chain);
    ibm4767_put_u32(req, key_form);
    ibm4767_put_bytes(req, key, key_len);
    ibm4767_put_bytes(req, iv, iv_len);
    ibm4767_put_bytes(req, NULL, 0);
    ibm4767_put_bytes(req, mode == CCA_SYM_MODE_GCM ? "aad" : NULL,
                      mode == CCA_SYM_MODE_GCM ? 3 : 0);
    ibm4767_put_u32(req, tag_len);
    ibm4767_put_bytes(req, tag, tag != NULL ? tag_len : 0);
    ibm4767_put_bytes(req, data, data_len);
}

static void seed_symmetric(const struct seed_keys *k)
{
    static const uint8_t clear_key[32] = { 0x60, 0x3D, 0xEB, 0x10 };
    struct ibm4767_wbuf req;
    const struct fuzz_buf *t = &k->aes128;

    ibm4767_wbuf_init(&req);
    ibm4767_put_u32(&req, CCA_SYM_ALG_AES);
    ibm4767_put_u32(&req, 192);
    ibm4767_put_u32(&req, CCA_SYM_USAGE_ENCRYPT);
    ibm4767_put_u32(&req, CCA_SYM_MODE_CBC);
    write_request("sym-generate-aes192-cbc", IBM4767_VERB_SYM_KEY_GENERATE,
                  &req);
    ibm4767_wbuf_free(&req);

    ibm4767_wbuf_init(&req);
    ibm4767_put_u32(&req, CCA_SYM_ALG_AES);
    ibm4767_put_u32(&req, CCA_SYM_USAGE_ENCRYPT | CCA_SYM_USAGE_DECRYPT);
    ibm4767_put_u32(&req, 0);
    ibm4767_put_bytes(&req, clear_key, 16);
    write_request("sym-import", IBM4767_VERB_SYM_KEY_IMPORT, &req);
    ibm4767_wbuf_free(&req);

    sym_request(&req, CCA_SYM_MODE_ECB, CCA_SYM_CHAIN_ONLY,
                CCA_SYM_KEY_CLEAR, clear_key, 32, 0, NULL, 0, 32);
    write_request("encipher-ecb-clear", IBM4767_VERB_SYM_ENCIPHER, &req);
    ibm4767_wbuf_free(&req);

    sym_request(&req, CCA_SYM_MODE_CBC, CCA_SYM_CHAIN_INITIAL,
                CCA_SYM_KEY_TOKEN, t->data, t->len, 16, NULL, 0, 48);
    write_request("encipher-cbc-token-initial", IBM4767_VERB_SYM_ENCIPHER,
                  &req);
    ibm4767_wbuf_free(&req);

    sym_request(&req, CCA_SYM_MODE_CTR, CCA_SYM_CHAIN_ONLY,
                CCA_SYM_KEY_TOKEN, k->aes256.data, k->aes256.len, 16, NULL,
                0, 21);
    write_request("decipher-ctr-token", IBM4767_VERB_SYM_DECIPHER, &req);
    ibm4767_wbuf_free(&req);

    sym_request(&req, CCA_SYM_MODE_GCM, CCA_SYM_CHAIN_ONLY,
                CCA_SYM_KEY_TOKEN, t->data, t->len, 12, NULL, 16, 40);
    write_request("encipher-gcm-token", IBM4767_VERB_SYM_ENCIPHER, &req);
    ibm4767_wbuf_free(&req);

    sym_request(&req, CCA_SYM_MODE_GCM, CCA_SYM_CHAIN_ONLY,
                CCA_SYM_KEY_CLEAR, clear_key, 24, 12, clear_key, 12, 40);
    write_request("decipher-gcm-clear-bad-tag", IBM4767_VERB_SYM_DECIPHER,
                  &req);
    ibm4767_wbuf_free(&req);
}

static void seed_device(void)
{
    struct ibm4767_wbuf req;
    uint8_t part[IBM4767_MK_PART_LEN];

    ibm4767_wbuf_init(&req);
    ibm4767_put_u32(&req, 0);
    ibm4767_put_bytes(&req, NULL, 0);
    write_request("status", IBM4767_VERB_STATUS, &req);
    ibm4767_wbuf_free(&req);

    ibm4767_wbuf_init(&req);
    ibm4767_put_u32(&req, IBM4767_STATUS_SIGNED);
    ibm4767_put_bytes(&req, "nonce-16-bytes!!", 16);
    write_request("status-signed", IBM4767_VERB_STATUS, &req);
    ibm4767_wbuf_free(&req);

    ibm4767_wbuf_init(&req);
    ibm4767_put_u32(&req, 48);
    write_request("random-48", IBM4767_VERB_RANDOM_NUMBER_GENERATE, &req);
    ibm4767_wbuf_free(&req);

    write_request("reset", IBM4767_VERB_ADMIN_RESET, NULL);
    write_request("battery-replaced", IBM4767_VERB_ADMIN_BATTERY_REPLACED,
                  NULL);
    write_request("firmware-load", IBM4767_VERB_ADMIN_FIRMWARE_LOAD, NULL);
    write_request("acp-query", IBM4767_VERB_ACP_QUERY, NULL);
    write_request("validation-chain", IBM4767_VERB_VALIDATION_CHAIN, NULL);

    memset(part, 0x5A, sizeof(part));
    ibm4767_wbuf_init(&req);
    ibm4767_put_u32(&req, IBM4767_MK_TYPE_AES);
    ibm4767_put_u32(&req, IBM4767_MK_PART_FIRST);
    ibm4767_put_bytes(&req, part, sizeof(part));
    write_request("mk-load-first", IBM4767_VERB_MK_LOAD_PART, &req);
    ibm4767_wbuf_free(&req);

    ibm4767_wbuf_init(&req);
    ibm4767_put_u32(&req, IBM4767_MK_TYPE_APKA);
    write_request("mk-clear", IBM4767_VERB_MK_CLEAR, &req);
    ibm4767_wbuf_free(&req);
}

/* Several requests in one stream, as the backend pipelines them. */
static void seed_pipelined(const struct seed_keys *k)
{
    struct fuzz_buf frames = { NULL, 0, 0 };
    struct ibm4767_wbuf status, random, sign;

    ibm4767_wbuf_init(&status);
    ibm4767_put_u32(&status, 0);
    ibm4767_put_bytes(&status, NULL, 0);
    ibm4767_wbuf_init(&random);
    ibm4767_put_u32(&random, 16);
    sign_request(&sign, CCA_SIG_ECDSA, NID_sha256, 0, &k->ec, 32);
    fuzz_frame_append(&frames, IBM4767_VERB_STATUS, 1, status.data,
                      status.len);
    fuzz_frame_append(&frames, IBM4767_VERB_DIGITAL_SIGNATURE_GENERATE, 2,
                      sign.data, sign.len);
    fuzz_frame_append(&frames, IBM4767_VERB_RANDOM_NUMBER_GENERATE, 3,
                      random.data, random.len);
    fuzz_frame_append(&frames, IBM4767_VERB_DIGITAL_SIGNATURE_GENERATE, 3,
                      sign.data, sign.len);
    write_frames("pipelined", &frames);
    fuzz_buf_free(&frames);
    ibm4767_wbuf_free(&status);
    ibm4767_wbuf_free(&random);
    ibm4767_wbuf_free(&sign);
}

/* Frames the daemon must reject, each followed by a good one. */
static void seed_malformed(void)
{
    struct fuzz_buf f = { NULL, 0, 0 };
    uint8_t random_req[4] = { 0, 0, 0, 16 };

    fuzz_frame_append(&f, IBM4767_VERB_RANDOM_NUMBER_GENERATE, 1, random_req,
                      sizeof(random_req));
    f.data[0] = 0x47;
    f.data[1] = 0x68;
    write_frames("bad-magic", &f);
    f.data[1] = 0x67;
    f.data[2] = 2;
    write_frames("bad-version", &f);
    f.data[2] = 1;
    f.data[7] = 1;
    write_frames("bad-reserved", &f);
    f.data[7] = 0;
    f.data[12] = 0x00;
    f.data[13] = 0x20;
    write_frames("too-long", &f);
    f.data[13] = 0;
    f.data[4] = 0x7E;
    write_frames("unknown-verb", &f);
    f.data[4] = 0x03;
    f.len = 10;
    write_frames("short-header", &f);
    f.len = 0;

    fuzz_frame_append(&f, IBM4767_VERB_RANDOM_NUMBER_GENERATE, 2, random_req,
                      2);
    fuzz_frame_append(&f, IBM4767_VERB_RANDOM_NUMBER_GENERATE, 3, random_req,
                      sizeof(random_req));
    write_frames("short-field-then-good", &f);
    f.len = 0;
    fuzz_frame_append(&f, IBM4767_VERB_RANDOM_NUMBER_GENERATE, 4,
                      (const uint8_t[]){ 0, 0, 0, 16, 0xEE }, 5);
    write_frames("trailing-byte", &f);
    f.len = 0;
    fuzz_frame_append(&f, IBM4767_VERB_RANDOM_NUMBER_GENERATE, 5,
                      (const uint8_t[]){ 0, 0, 0x20, 0x01 }, 4);
    write_frames("random-too-large", &f);
    f.len = 0;
    fuzz_frame_append(&f, IBM4767_VERB_PKA_PUBLIC_EXTRACT, 6,
                      (const uint8_t[]){ 0xFF, 0xFF, 0xFF, 0xF0, 1, 2 }, 6);
    write_frames("bytes-length-overflow", &f);
    fuzz_buf_free(&f);
}

void seed_frames(const struct seed_keys *keys)
{
    seed_device();
    seed_pka_keys(keys);
    seed_signatures(keys);
    seed_pka_ciphers(keys);
    seed_symmetric(keys);
    seed_pipelined(keys);
    seed_malformed();
}
