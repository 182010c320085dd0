/*
 * Bad input sent straight to the device: malformed frames, damaged and
 * misused key tokens, and requests larger than the device allows.  Each
 * case names the exact CCA return/reason code of doc/error-codes.md.
 */
#include <config.h>

#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/obj_mac.h>

#include <ibm4767/cca.h>
#include <ibm4767/codes.h>
#include <ibm4767/token.h>

#include "badinput.h"

/* The daemon's expected response to the bytes of a case. */
enum expect {
    REPLY,              /* an error reply; the connection stays usable */
    REPLY_THEN_CLOSE,   /* an error reply, then the daemon closes */
    CLOSE,              /* the daemon closes without a reply */
};

struct raw_case {
    const char *name;
    void (*build)(const struct bi_env *env, struct bi_buf *out);
    enum expect expect;
    uint32_t rc;
    uint32_t reason;
};

/* ---------------------------------------------------------------------- */
/* Keys                                                                    */

static int generate(const char *path, uint32_t alg, uint32_t size,
                    uint32_t usage, struct bi_buf *token)
{
    struct bi_buf req = { NULL, 0, 0 };
    struct bi_reply r;
    int ok;

    bi_u32(&req, alg);
    bi_u32(&req, size);
    bi_bytes(&req, NULL, 0);
    bi_u32(&req, usage);
    ok = bi_call(path, IBM4767_VERB_PKA_KEY_GENERATE, &req, &r) && r.rc == 0
         && bi_first_bytes(&r, token);
    bi_reply_free(&r);
    bi_free(&req);
    return ok;
}

static int extract_public(const char *path, const struct bi_buf *token,
                          struct bi_buf *pub)
{
    struct bi_buf req = { NULL, 0, 0 };
    struct bi_reply r;
    int ok;

    bi_bytes(&req, token->data, token->len);
    ok = bi_call(path, IBM4767_VERB_PKA_PUBLIC_EXTRACT, &req, &r)
         && r.rc == 0 && bi_first_bytes(&r, pub);
    bi_reply_free(&r);
    bi_free(&req);
    return ok;
}

static int generate_aes(const char *path, struct bi_buf *token)
{
    struct bi_buf req = { NULL, 0, 0 };
    struct bi_reply r;
    int ok;

    bi_u32(&req, CCA_SYM_ALG_AES);
    bi_u32(&req, 256);
    bi_u32(&req, CCA_SYM_USAGE_ENCRYPT | CCA_SYM_USAGE_DECRYPT);
    bi_u32(&req, 0);
    ok = bi_call(path, IBM4767_VERB_SYM_KEY_GENERATE, &req, &r) && r.rc == 0
         && bi_first_bytes(&r, token);
    bi_reply_free(&r);
    bi_free(&req);
    return ok;
}

int bi_make_keys(struct bi_env *env)
{
    struct bi_keys *k = &env->keys;
    const char *m = env->main_socket;
    uint32_t both = CCA_USAGE_SIGNATURE | CCA_USAGE_KEY_MGMT;

    memset(k, 0, sizeof(*k));
    return generate(m, CCA_ALG_RSA, 2048, both, &k->rsa)
           && generate(m, CCA_ALG_RSA, 2048, CCA_USAGE_SIGNATURE,
                       &k->rsa_sign_only)
           && generate(m, CCA_ALG_RSA, 2048, CCA_USAGE_KEY_MGMT,
                       &k->rsa_keymgmt_only)
           && extract_public(m, &k->rsa, &k->rsa_public)
           && generate(m, CCA_ALG_EC, NID_X9_62_prime256v1,
                       CCA_USAGE_SIGNATURE | CCA_USAGE_KEY_AGREEMENT, &k->ec)
           && extract_public(m, &k->ec, &k->ec_public)
           && generate_aes(m, &k->aes)
           && generate(env->other_socket, CCA_ALG_RSA, 2048, both,
                       &k->other_rsa);
}

void bi_free_keys(struct bi_keys *k)
{
    bi_free(&k->rsa);
    bi_free(&k->rsa_sign_only);
    bi_free(&k->rsa_keymgmt_only);
    bi_free(&k->rsa_public);
    bi_free(&k->ec);
    bi_free(&k->ec_public);
    bi_free(&k->aes);
    bi_free(&k->other_rsa);
}

/* ---------------------------------------------------------------------- */
/* Request builders                                                        */

static void random_request(struct bi_buf *req, uint32_t len)
{
    bi_u32(req, len);
}

static void frame_of(struct bi_buf *out, uint16_t verb,
                     const struct bi_buf *req)
{
    bi_frame(out, verb, req);
}

static void sign_request(struct bi_buf *req, uint32_t scheme, int hash_nid,
                         const uint8_t *token, size_t token_len,
                         size_t hash_len)
{
    uint8_t hash[80];

    memset(hash, 0x37, sizeof(hash));
    bi_u32(req, scheme);
    bi_u32(req, (uint32_t)hash_nid);
    bi_u32(req, (uint32_t)hash_nid);
    bi_u32(req, 0);
    bi_bytes(req, token, token_len);
    bi_bytes(req, hash, hash_len);
}

static void sign_frame(struct bi_buf *out, uint32_t scheme, int hash_nid,
                       const uint8_t *token, size_t token_len,
                       size_t hash_len)
{
    struct bi_buf req = { NULL, 0, 0 };

    sign_request(&req, scheme, hash_nid, token, token_len, hash_len);
    frame_of(out, IBM4767_VERB_DIGITAL_SIGNATURE_GENERATE, &req);
    bi_free(&req);
}

static void decrypt_frame(struct bi_buf *out, const struct bi_buf *token,
                          size_t in_len)
{
    struct bi_buf req = { NULL, 0, 0 };
    uint8_t in[600];

    memset(in, 0x01, sizeof(in));
    bi_u32(&req, CCA_PAD_PKCS1);
    bi_u32(&req, 0);
    bi_u32(&req, 0);
    bi_bytes(&req, NULL, 0);
    bi_u32(&req, 0);
    bi_u32(&req, 0);
    bi_bytes(&req, token->data, token->len);
    bi_bytes(&req, in, in_len);
    frame_of(out, IBM4767_VERB_PKA_DECRYPT, &req);
    bi_free(&req);
}

/* ---------------------------------------------------------------------- */
/* Frames                                                                  */

static void good_random_frame(struct bi_buf *out)
{
    struct bi_buf req = { NULL, 0, 0 };

    random_request(&req, 16);
    frame_of(out, IBM4767_VERB_RANDOM_NUMBER_GENERATE, &req);
    bi_free(&req);
}

static void build_short_frame(const struct bi_env *env, struct bi_buf *out)
{
    good_random_frame(out);
    out->len = 10;
}

static void build_bad_magic(const struct bi_env *env, struct bi_buf *out)
{
    good_random_frame(out);
    out->data[1] = 0x68;
}

static void build_oversized(const struct bi_env *env, struct bi_buf *out)
{
    bi_header(out, IBM4767_VERB_RANDOM_NUMBER_GENERATE, 7,
              IBM4767_FRAME_MAX + 1);
}

static void build_max_length_field(const struct bi_env *env,
                                   struct bi_buf *out)
{
    bi_header(out, IBM4767_VERB_STATUS, 8, 0xFFFFFFFFu);
}

static void build_wrong_version(const struct bi_env *env, struct bi_buf *out)
{
    good_random_frame(out);
    out->data[2] = 2;
}

static void build_wrong_version_huge(const struct bi_env *env,
                                     struct bi_buf *out)
{
    bi_header(out, IBM4767_VERB_RANDOM_NUMBER_GENERATE, 9, 0x72010010u);
    out->data[2] = 2;
}

static void build_reserved_set(const struct bi_env *env, struct bi_buf *out)
{
    good_random_frame(out);
    out->data[7] = 1;
}

static void build_reserved_huge(const struct bi_env *env, struct bi_buf *out)
{
    bi_header(out, IBM4767_VERB_ADMIN_BATTERY_REPLACED, 10, 0x72010010u);
    out->data[7] = 1;
}

static void build_unknown_verb(const struct bi_env *env, struct bi_buf *out)
{
    good_random_frame(out);
    out->data[4] = 0x7E;
    out->data[5] = 0x03;
}

static void build_field_missing(const struct bi_env *env, struct bi_buf *out)
{
    uint8_t half[2] = { 0, 16 };
    struct bi_buf req = { NULL, 0, 0 };

    bi_append(&req, half, sizeof(half));
    frame_of(out, IBM4767_VERB_RANDOM_NUMBER_GENERATE, &req);
    bi_free(&req);
}

static void build_trailing_byte(const struct bi_env *env, struct bi_buf *out)
{
    struct bi_buf req = { NULL, 0, 0 };

    random_request(&req, 16);
    bi_append(&req, "!", 1);
    frame_of(out, IBM4767_VERB_RANDOM_NUMBER_GENERATE, &req);
    bi_free(&req);
}

/* A byte string whose length field runs far past the payload, close to
 * the largest u32, so that offset + length overflows a 32-bit sum. */
static void build_length_overflow(const struct bi_env *env,
                                  struct bi_buf *out)
{
    struct bi_buf req = { NULL, 0, 0 };

    bi_u32(&req, 0xFFFFFFF0u);
    bi_append(&req, "\x1F\x00", 2);
    frame_of(out, IBM4767_VERB_PKA_PUBLIC_EXTRACT, &req);
    bi_free(&req);
}

static void build_empty_payload(const struct bi_env *env, struct bi_buf *out)
{
    frame_of(out, IBM4767_VERB_DIGITAL_SIGNATURE_GENERATE, NULL);
}

static const struct raw_case frame_cases[] = {
    { "frame shorter than its header", build_short_frame, CLOSE, 0, 0 },
    { "frame with a wrong magic", build_bad_magic, CLOSE, 0, 0 },
    { "frame over the 1 MiB limit", build_oversized, REPLY_THEN_CLOSE,
      CCA_RC_ERROR, CCA_RS_FRAME_TOO_LONG },
    { "frame length field 0xFFFFFFFF", build_max_length_field,
      REPLY_THEN_CLOSE, CCA_RC_ERROR, CCA_RS_FRAME_TOO_LONG },
    { "frame of protocol version 2", build_wrong_version, REPLY,
      CCA_RC_ERROR, CCA_RS_VERSION_UNSUPPORTED },
    { "version 2 frame with a 1.9 GB length", build_wrong_version_huge,
      REPLY_THEN_CLOSE, CCA_RC_ERROR, CCA_RS_FRAME_TOO_LONG },
    { "frame with the reserved field set", build_reserved_set, REPLY,
      CCA_RC_ERROR, CCA_RS_FRAME_INVALID },
    { "reserved field set and a 1.9 GB length", build_reserved_huge,
      REPLY_THEN_CLOSE, CCA_RC_ERROR, CCA_RS_FRAME_TOO_LONG },
    { "frame of an unknown verb", build_unknown_verb, REPLY, CCA_RC_ERROR,
      CCA_RS_VERB_UNKNOWN },
    { "request with a field cut short", build_field_missing, REPLY,
      CCA_RC_ERROR, CCA_RS_FRAME_INVALID },
    { "request with a byte after its last field", build_trailing_byte,
      REPLY, CCA_RC_ERROR, CCA_RS_FRAME_INVALID },
    { "byte string length that overflows", build_length_overflow, REPLY,
      CCA_RC_ERROR, CCA_RS_FRAME_INVALID },
    { "signature request without fields", build_empty_payload, REPLY,
      CCA_RC_ERROR, CCA_RS_FRAME_INVALID },
};

/* ---------------------------------------------------------------------- */
/* Tokens                                                                  */

static void build_token_truncated(const struct bi_env *env,
                                  struct bi_buf *out)
{
    const struct bi_buf *t = &env->keys.rsa;

    sign_frame(out, CCA_SIG_PKCS1, NID_sha256, t->data, t->len - 1, 32);
}

/* The last byte of an internal token belongs to its wrapped key. */
static void build_token_altered(const struct bi_env *env, struct bi_buf *out)
{
    struct bi_buf t = { NULL, 0, 0 };

    bi_append(&t, env->keys.rsa.data, env->keys.rsa.len);
    t.data[t.len - 1] ^= 0x01;
    sign_frame(out, CCA_SIG_PKCS1, NID_sha256, t.data, t.len, 32);
    bi_free(&t);
}

static void build_token_mkvp_altered(const struct bi_env *env,
                                     struct bi_buf *out)
{
    struct bi_buf t = { NULL, 0, 0 };

    bi_append(&t, env->keys.ec.data, env->keys.ec.len);
    t.data[CCA_TOKEN_HEADER_LEN + CCA_EC_PRIV_MKVP_OFF] ^= 0x80;
    sign_frame(out, CCA_SIG_ECDSA, NID_sha256, t.data, t.len, 32);
    bi_free(&t);
}

static void build_token_other_device(const struct bi_env *env,
                                     struct bi_buf *out)
{
    const struct bi_buf *t = &env->keys.other_rsa;

    sign_frame(out, CCA_SIG_PKCS1, NID_sha256, t->data, t->len, 32);
}

static void build_token_aes_as_pka(const struct bi_env *env,
                                   struct bi_buf *out)
{
    const struct bi_buf *t = &env->keys.aes;

    sign_frame(out, CCA_SIG_PKCS1, NID_sha256, t->data, t->len, 32);
}

static void build_token_public_signs(const struct bi_env *env,
                                     struct bi_buf *out)
{
    const struct bi_buf *t = &env->keys.rsa_public;

    sign_frame(out, CCA_SIG_PKCS1, NID_sha256, t->data, t->len, 32);
}

static void build_token_sign_only_decrypts(const struct bi_env *env,
                                           struct bi_buf *out)
{
    decrypt_frame(out, &env->keys.rsa_sign_only, 256);
}

static void build_token_keymgmt_signs(const struct bi_env *env,
                                      struct bi_buf *out)
{
    const struct bi_buf *t = &env->keys.rsa_keymgmt_only;

    sign_frame(out, CCA_SIG_PKCS1, NID_sha256, t->data, t->len, 32);
}

static void build_token_ec_decrypts(const struct bi_env *env,
                                    struct bi_buf *out)
{
    decrypt_frame(out, &env->keys.ec, 64);
}

static void build_token_rsa_ecdsa(const struct bi_env *env,
                                  struct bi_buf *out)
{
    const struct bi_buf *t = &env->keys.rsa;

    sign_frame(out, CCA_SIG_ECDSA, NID_sha256, t->data, t->len, 32);
}

static void build_token_pka_as_aes(const struct bi_env *env,
                                   struct bi_buf *out)
{
    struct bi_buf req = { NULL, 0, 0 };
    uint8_t iv[16] = { 0 }, data[16] = { 0 };

    bi_u32(&req, CCA_SYM_MODE_CBC);
    bi_u32(&req, CCA_SYM_CHAIN_ONLY);
    bi_u32(&req, CCA_SYM_KEY_TOKEN);
    bi_bytes(&req, env->keys.ec.data, env->keys.ec.len);
    bi_bytes(&req, iv, sizeof(iv));
    bi_bytes(&req, NULL, 0);
    bi_bytes(&req, NULL, 0);
    bi_u32(&req, 0);
    bi_bytes(&req, NULL, 0);
    bi_bytes(&req, data, sizeof(data));
    frame_of(out, IBM4767_VERB_SYM_ENCIPHER, &req);
    bi_free(&req);
}

static void build_hash_wrong_size(const struct bi_env *env,
                                  struct bi_buf *out)
{
    const struct bi_buf *t = &env->keys.rsa;

    sign_frame(out, CCA_SIG_PKCS1, NID_sha256, t->data, t->len, 31);
}

static void build_rsa_size_unsupported(const struct bi_env *env,
                                       struct bi_buf *out)
{
    struct bi_buf req = { NULL, 0, 0 };

    bi_u32(&req, CCA_ALG_RSA);
    bi_u32(&req, 1000);
    bi_bytes(&req, NULL, 0);
    bi_u32(&req, CCA_USAGE_SIGNATURE);
    frame_of(out, IBM4767_VERB_PKA_KEY_GENERATE, &req);
    bi_free(&req);
}

static void build_aes_key_wrong_size(const struct bi_env *env,
                                     struct bi_buf *out)
{
    struct bi_buf req = { NULL, 0, 0 };
    uint8_t key[17] = { 0x2B };

    bi_u32(&req, CCA_SYM_ALG_AES);
    bi_u32(&req, CCA_SYM_USAGE_ENCRYPT);
    bi_u32(&req, 0);
    bi_bytes(&req, key, sizeof(key));
    frame_of(out, IBM4767_VERB_SYM_KEY_IMPORT, &req);
    bi_free(&req);
}

static void build_ec_scalar_wrong_size(const struct bi_env *env,
                                       struct bi_buf *out)
{
    struct bi_buf req = { NULL, 0, 0 }, kvs = { NULL, 0, 0 };
    uint8_t head[8] = { 0x00, 0x00, 0x01, 0x00, 0x00, 0x21, 0x00, 0x00 };
    uint8_t d[33];

    memset(d, 0x11, sizeof(d));
    bi_append(&kvs, head, sizeof(head));
    bi_append(&kvs, d, sizeof(d));
    bi_u32(&req, CCA_ALG_EC);
    bi_u32(&req, CCA_USAGE_SIGNATURE);
    bi_bytes(&req, kvs.data, kvs.len);
    frame_of(out, IBM4767_VERB_PKA_KEY_IMPORT, &req);
    bi_free(&kvs);
    bi_free(&req);
}

static const struct raw_case token_cases[] = {
    { "RSA token one byte short", build_token_truncated, REPLY,
      CCA_RC_ERROR, CCA_RS_PKA_TOKEN_INVALID },
    { "RSA token with its wrapped key altered", build_token_altered, REPLY,
      CCA_RC_ERROR, CCA_RS_TOKEN_TVV_INVALID },
    { "EC token with its MKVP altered", build_token_mkvp_altered, REPLY,
      CCA_RC_ERROR, CCA_RS_MKVP_MISMATCH },
    { "RSA token of another coprocessor", build_token_other_device, REPLY,
      CCA_RC_ERROR, CCA_RS_MKVP_MISMATCH },
    { "AES token where a PKA token belongs", build_token_aes_as_pka, REPLY,
      CCA_RC_ERROR, CCA_RS_PKA_TOKEN_INVALID },
    { "EC token where an AES token belongs", build_token_pka_as_aes, REPLY,
      CCA_RC_ERROR, CCA_RS_PKA_TOKEN_INVALID },
    { "public RSA token signs", build_token_public_signs, REPLY,
      CCA_RC_ERROR, CCA_RS_KEY_USAGE },
    { "signature-only RSA key decrypts", build_token_sign_only_decrypts,
      REPLY, CCA_RC_ERROR, CCA_RS_KEY_USAGE },
    { "key-management-only RSA key signs", build_token_keymgmt_signs, REPLY,
      CCA_RC_ERROR, CCA_RS_KEY_USAGE },
    { "EC token in an RSA decryption", build_token_ec_decrypts, REPLY,
      CCA_RC_ERROR, CCA_RS_ALGORITHM_UNSUPPORTED },
    { "RSA token in an ECDSA signature", build_token_rsa_ecdsa, REPLY,
      CCA_RC_ERROR, CCA_RS_ALGORITHM_UNSUPPORTED },
    { "SHA-256 signature over a 31-byte hash", build_hash_wrong_size, REPLY,
      CCA_RC_ERROR, CCA_RS_LENGTH_INVALID },
    { "RSA key generation of 1000 bits", build_rsa_size_unsupported, REPLY,
      CCA_RC_ERROR, CCA_RS_ALGORITHM_UNSUPPORTED },
    { "AES key import of 17 bytes", build_aes_key_wrong_size, REPLY,
      CCA_RC_ERROR, CCA_RS_LENGTH_INVALID },
    { "EC key import with a 33-byte P-256 scalar",
      build_ec_scalar_wrong_size, REPLY, CCA_RC_ERROR,
      CCA_RS_KEY_VALUE_INVALID },
};

/* ---------------------------------------------------------------------- */
/* Requests larger than the device allows                                  */

static void build_random_too_large(const struct bi_env *env,
                                   struct bi_buf *out)
{
    struct bi_buf req = { NULL, 0, 0 };

    random_request(&req, IBM4767_RANDOM_MAX + 1);
    frame_of(out, IBM4767_VERB_RANDOM_NUMBER_GENERATE, &req);
    bi_free(&req);
}

static void build_sym_data_too_large(const struct bi_env *env,
                                     struct bi_buf *out)
{
    struct bi_buf req = { NULL, 0, 0 }, data = { NULL, 0, 0 };
    uint8_t key[16] = { 0 }, iv[16] = { 0 };

    bi_append(&data, NULL, 0);
    for (size_t i = 0; i < IBM4767_SYM_DATA_MAX + 16; i += sizeof(key))
        bi_append(&data, key, sizeof(key));
    bi_u32(&req, CCA_SYM_MODE_CBC);
    bi_u32(&req, CCA_SYM_CHAIN_ONLY);
    bi_u32(&req, CCA_SYM_KEY_CLEAR);
    bi_bytes(&req, key, sizeof(key));
    bi_bytes(&req, iv, sizeof(iv));
    bi_bytes(&req, NULL, 0);
    bi_bytes(&req, NULL, 0);
    bi_u32(&req, 0);
    bi_bytes(&req, NULL, 0);
    bi_bytes(&req, data.data, data.len);
    frame_of(out, IBM4767_VERB_SYM_ENCIPHER, &req);
    bi_free(&data);
    bi_free(&req);
}

static void build_rsa_input_too_large(const struct bi_env *env,
                                      struct bi_buf *out)
{
    decrypt_frame(out, &env->keys.rsa, 257);
}

static void build_gcm_tag_too_short(const struct bi_env *env,
                                    struct bi_buf *out)
{
    struct bi_buf req = { NULL, 0, 0 };
    uint8_t key[16] = { 0 }, iv[12] = { 0 }, data[16] = { 0 };

    bi_u32(&req, CCA_SYM_MODE_GCM);
    bi_u32(&req, CCA_SYM_CHAIN_ONLY);
    bi_u32(&req, CCA_SYM_KEY_CLEAR);
    bi_bytes(&req, key, sizeof(key));
    bi_bytes(&req, iv, sizeof(iv));
    bi_bytes(&req, NULL, 0);
    bi_bytes(&req, NULL, 0);
    bi_u32(&req, CCA_SYM_GCM_TAG_MIN - 1);
    bi_bytes(&req, NULL, 0);
    bi_bytes(&req, data, sizeof(data));
    frame_of(out, IBM4767_VERB_SYM_ENCIPHER, &req);
    bi_free(&req);
}

static const struct raw_case size_cases[] = {
    { "random request of 8193 bytes", build_random_too_large, REPLY,
      CCA_RC_ERROR, CCA_RS_FRAME_INVALID },
    { "AES request of 256 KiB + 16 bytes", build_sym_data_too_large, REPLY,
      CCA_RC_ERROR, CCA_RS_LENGTH_INVALID },
    { "RSA-2048 decryption of 257 bytes", build_rsa_input_too_large, REPLY,
      CCA_RC_ERROR, CCA_RS_DATA_TOO_LARGE },
    { "AES-GCM tag of 3 bytes", build_gcm_tag_too_short, REPLY,
      CCA_RC_ERROR, CCA_RS_LENGTH_INVALID },
};

/* ---------------------------------------------------------------------- */
/* Running a table                                                         */

static int check_reply(const struct raw_case *c, const struct bi_reply *r)
{
    if (r->closed) {
        bi_fail("%s: the daemon closed the connection, expected %u/%u",
                c->name, c->rc, c->reason);
        return 0;
    }
    if (r->rc != c->rc || r->reason != c->reason) {
        bi_fail("%s: got %u/%u, expected %u/%u", c->name, r->rc, r->reason,
                c->rc, c->reason);
        return 0;
    }
    return 1;
}

/* Send the case's bytes and check the response.  The connection is
 * still open on return, and the caller closes it. */
static int check_answer(const struct raw_case *c, int fd,
                        const struct bi_buf *bytes)
{
    struct bi_reply r;
    int ok = 0;

    memset(&r, 0, sizeof(r));
    (void)bi_send(fd, bytes);
    if (c->expect == CLOSE)
        shutdown(fd, SHUT_WR);
    if (!bi_read_reply(fd, &r)) {
        bi_fail("%s: no valid reply and no close within the time limit",
                c->name);
        goto done;
    }
    if (c->expect == CLOSE) {
        ok = r.closed;
        if (!ok)
            bi_fail("%s: got %u/%u, expected the daemon to close the "
                    "connection", c->name, r.rc, r.reason);
        goto done;
    }
    if (!check_reply(c, &r))
        goto done;
    if (c->expect == REPLY_THEN_CLOSE) {
        bi_reply_free(&r);
        ok = bi_read_reply(fd, &r) && r.closed;
        if (!ok)
            bi_fail("%s: the daemon kept the connection open after the "
                    "error reply", c->name);
        goto done;
    }
    ok = bi_daemon_serves(NULL, fd);
    if (!ok)
        bi_fail("%s: the same connection does not serve the next request",
                c->name);

done:
    bi_reply_free(&r);
    return ok;
}

static void run_table(const struct bi_env *env, const struct raw_case *cases,
                      size_t count)
{
    for (size_t i = 0; i < count; i++) {
        const struct raw_case *c = &cases[i];
        struct bi_buf bytes = { NULL, 0, 0 };
        int fd = bi_connect(env->main_socket), ok;

        c->build(env, &bytes);
        ok = check_answer(c, fd, &bytes);
        close(fd);
        bi_free(&bytes);
        if (!bi_daemon_serves(env->main_socket, -1)) {
            bi_fail("%s: the daemon does not serve a new connection after "
                    "it", c->name);
            continue;
        }
        if (ok && c->expect == CLOSE)
            bi_ok("%s: connection closed, daemon serves", c->name);
        else if (ok)
            bi_ok("%s: %u/%u, daemon serves", c->name, c->rc, c->reason);
    }
}

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

void bi_run_frame_cases(const struct bi_env *env)
{
    run_table(env, frame_cases, COUNT(frame_cases));
}

void bi_run_token_cases(const struct bi_env *env)
{
    run_table(env, token_cases, COUNT(token_cases));
}

void bi_run_size_cases(const struct bi_env *env)
{
    run_table(env, size_cases, COUNT(size_cases));
}
