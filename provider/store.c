/*
 * OSSL_STORE loader for "ibm4767:" URIs: a key from key storage, by label.
 *
 *   ibm4767:label=WEB.TLS.RSA
 *   ibm4767:label=WEB.TLS.RSA;type=public
 *
 * Attributes are separated by ';' and their values may be percent-encoded
 * (%40 for '@').  type=private returns the key only when the record
 * contains a private key.  type=public returns only its public key, and so
 * does a caller that expects a public key (OSSL_STORE_expect with
 * OSSL_STORE_INFO_PUBKEY).  A URI names one key, so the loader returns at
 * most one object.
 *
 * The key reaches the key management by reference (see
 * ibm4767_key_from_reference), so the token never leaves the provider.
 */
#include <string.h>

#include <openssl/core_dispatch.h>
#include <openssl/core_names.h>
#include <openssl/core_object.h>
#include <openssl/crypto.h>
#include <openssl/store.h>

#include <ibm4767/keystore.h>

#include "prov.h"

#define STORE_SCHEME     "ibm4767:"
/* Maximum length of a percent-encoded attribute value: every character
 * of a label field as %XX. */
#define STORE_VALUE_MAX  (3 * CCA_LABEL_LEN)

enum store_want {
    STORE_WANT_ANY = 0,
    STORE_WANT_PRIVATE,
    STORE_WANT_PUBLIC,
};

/*
 * Loader state.  load() moves READY to DONE, or to FAILED on an error.
 * eof() reports FAILED once as "not at the end", because OSSL_STORE_load()
 * records the error only then.  After that it reports the end, so that a
 * caller that loops until eof stops.
 */
enum store_state {
    STORE_READY = 0,
    STORE_FAILED,
    STORE_DONE,
};

struct store_ctx {
    struct ibm4767_provctx *provctx;
    char label[CCA_LABEL_TEXT_MAX + 1];
    enum store_want want;        /* from the URI's type attribute */
    int expect;                  /* OSSL_STORE_INFO_*, 0 for any */
    enum store_state state;
};

static int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Percent-decode len bytes of in into out (capacity cap).  Returns 1, or
 * 0 on a malformed escape, an encoded NUL or a value that does not fit. */
static int percent_decode(const char *in, size_t len, char *out, size_t cap)
{
    size_t o = 0;

    for (size_t i = 0; i < len; i++) {
        int c = (unsigned char)in[i];

        if (c == '%') {
            int hi, lo;

            if (i + 2 >= len)
                return 0;
            hi = hex_value(in[i + 1]);
            lo = hex_value(in[i + 2]);
            if (hi < 0 || lo < 0 || (hi == 0 && lo == 0))
                return 0;
            c = hi << 4 | lo;
            i += 2;
        }
        if (o + 1 >= cap)
            return 0;
        out[o++] = (char)c;
    }
    out[o] = '\0';
    return 1;
}

/* Apply one name=value attribute of the URI. */
static int store_attribute(struct store_ctx *ctx, const char *uri,
                           const char *attr, size_t len, int *have_label)
{
    const char *eq = memchr(attr, '=', len);
    char value[STORE_VALUE_MAX + 1];
    char detail[512];
    size_t name_len = eq != NULL ? (size_t)(eq - attr) : len;

    if (eq == NULL ||
        !percent_decode(eq + 1, len - name_len - 1, value, sizeof(value))) {
        IBM4767_RAISE(ctx->provctx, IBM4767_R_INVALID_PARAMETER,
                      "URI %s: attribute \"%.*s\" is not name=value with a "
                      "valid percent-encoded value", uri, (int)len, attr);
        return 0;
    }

    if (name_len == 5 && strncmp(attr, "label", 5) == 0 && !*have_label) {
        if (!cca_label_parse(value, ctx->label, detail, sizeof(detail))) {
            IBM4767_RAISE(ctx->provctx, IBM4767_R_INVALID_PARAMETER,
                          "URI %s: %u/%u: %s", uri, CCA_RC_ERROR,
                          CCA_RS_LABEL_INVALID, detail);
            return 0;
        }
        *have_label = 1;
        return 1;
    }
    if (name_len == 4 && strncmp(attr, "type", 4) == 0 &&
        ctx->want == STORE_WANT_ANY) {
        if (strcmp(value, "private") == 0)
            ctx->want = STORE_WANT_PRIVATE;
        else if (strcmp(value, "public") == 0)
            ctx->want = STORE_WANT_PUBLIC;
        else {
            IBM4767_RAISE(ctx->provctx, IBM4767_R_INVALID_PARAMETER,
                          "URI %s: type \"%s\" is neither private nor "
                          "public", uri, value);
            return 0;
        }
        return 1;
    }
    IBM4767_RAISE(ctx->provctx, IBM4767_R_INVALID_PARAMETER,
                  "URI %s: attribute \"%.*s\" is unknown or repeated; use "
                  "label=NAME and optionally type=private or type=public",
                  uri, (int)name_len, attr);
    return 0;
}

static int store_parse_uri(struct store_ctx *ctx, const char *uri)
{
    const char *p = uri + strlen(STORE_SCHEME);
    int have_label = 0;

    while (*p != '\0') {
        const char *end = strchr(p, ';');
        size_t len = end != NULL ? (size_t)(end - p) : strlen(p);

        if (!store_attribute(ctx, uri, p, len, &have_label))
            return 0;
        p += len;
        if (*p == ';')
            p++;
    }
    if (!have_label) {
        IBM4767_RAISE(ctx->provctx, IBM4767_R_INVALID_PARAMETER,
                      "URI %s names no key: give label=NAME, e.g. "
                      "ibm4767:label=WEB.TLS.RSA", uri);
        return 0;
    }
    return 1;
}

static void *store_open(void *provctx, const char *uri)
{
    struct store_ctx *ctx;

    if (uri == NULL || strncmp(uri, STORE_SCHEME, strlen(STORE_SCHEME)) != 0)
        return NULL;
    ctx = OPENSSL_zalloc(sizeof(*ctx));
    if (ctx == NULL) {
        IBM4767_RAISE(provctx, IBM4767_R_MALLOC_FAILURE,
                      "cannot allocate a store context for %s", uri);
        return NULL;
    }
    ctx->provctx = provctx;
    if (!store_parse_uri(ctx, uri)) {
        OPENSSL_free(ctx);
        return NULL;
    }
    IBM4767_DEBUG("store: opened %s (label %s)", uri, ctx->label);
    return ctx;
}

static const OSSL_PARAM *store_settable_ctx_params(void *provctx)
{
    static const OSSL_PARAM settable[] = {
        OSSL_PARAM_int(OSSL_STORE_PARAM_EXPECT, NULL),
        OSSL_PARAM_END,
    };

    return settable;
}

static int store_set_ctx_params(void *vctx, const OSSL_PARAM params[])
{
    struct store_ctx *ctx = vctx;
    const OSSL_PARAM *p;

    p = OSSL_PARAM_locate_const(params, OSSL_STORE_PARAM_EXPECT);
    if (p != NULL && !OSSL_PARAM_get_int(p, &ctx->expect)) {
        IBM4767_RAISE(ctx->provctx, IBM4767_R_INVALID_PARAMETER,
                      "store parameter %s is not an integer",
                      OSSL_STORE_PARAM_EXPECT);
        return 0;
    }
    return 1;
}

/* Raise a failed key storage verb for label, with its CCA code. */
static void raise_keystore(struct ibm4767_provctx *ctx, const char *label,
                           const struct cca_result *res)
{
    char text[1024];
    int reason = IBM4767_R_CONFIG;

    if (res->reason == CCA_RS_NO_SUCH_LABEL)
        reason = IBM4767_R_NO_KEY;
    else if (res->reason == CCA_RS_LABEL_INVALID)
        reason = IBM4767_R_INVALID_PARAMETER;
    IBM4767_RAISE(ctx, reason, "key storage label %s: %s", label,
                  cca_result_text(res, text, sizeof(text)));
}

int ibm4767_keystore_read_token(struct ibm4767_provctx *ctx,
                                const char *label, uint8_t **token,
                                size_t *token_len)
{
    struct cca_key_record rec;
    struct cca_result res;

    if (ctx->keystore == NULL) {
        IBM4767_RAISE(ctx, IBM4767_R_CONFIG,
                      "key storage is not set up (key-storage path too "
                      "long, or out of memory); cannot load label %s",
                      label);
        return 0;
    }
    if (!cca_key_record_read(ctx->keystore, label, &rec, &res)) {
        raise_keystore(ctx, label, &res);
        return 0;
    }
    if (rec.type != CCA_KEY_TYPE_RSA && rec.type != CCA_KEY_TYPE_EC) {
        IBM4767_RAISE(ctx, IBM4767_R_NO_KEY,
                      "key storage label %s contains %s, not an RSA or EC "
                      "key; use a label of an RSA or EC key", rec.label,
                      rec.type == CCA_KEY_TYPE_NULL ? "no key (a null record)"
                                                    : "an AES key");
        cca_key_record_clear(&rec);
        return 0;
    }
    *token = rec.token;
    *token_len = rec.token_len;
    return 1;
}

/* Replace a private key by a key holding only its public part, built as
 * an external token from the token's public section (and, for an RSA-PSS
 * key, its RSA-PSS section). */
static struct ibm4767_key *store_public_only(struct store_ctx *ctx,
                                             struct ibm4767_key *key)
{
    if (ibm4767_key_drop_private(key))
        return key;
    IBM4767_RAISE(ctx->provctx, IBM4767_R_MALLOC_FAILURE,
                  "cannot build the public key of label %s", ctx->label);
    ibm4767_key_free(key);
    return NULL;
}

/* Make the key object the URI and the caller's expectation ask for.
 * Returns NULL (raised) on failure. */
static struct ibm4767_key *store_make_key(struct store_ctx *ctx)
{
    struct ibm4767_key *key = NULL;
    uint8_t *token = NULL;
    size_t token_len = 0;
    int want_public = ctx->want == STORE_WANT_PUBLIC ||
                      ctx->expect == OSSL_STORE_INFO_PUBKEY;

    if (!ibm4767_keystore_read_token(ctx->provctx, ctx->label, &token,
                                     &token_len))
        return NULL;
    key = ibm4767_key_new(ctx->provctx, 0);
    if (key == NULL || !ibm4767_key_set_token(key, token, token_len))
        goto err;

    if (!key->tok.has_private &&
        (ctx->want == STORE_WANT_PRIVATE ||
         ctx->expect == OSSL_STORE_INFO_PKEY)) {
        IBM4767_RAISE(ctx->provctx, IBM4767_R_NO_KEY,
                      "key storage label %s contains only a public key; it "
                      "cannot serve as a private key", ctx->label);
        goto err;
    }
    if (want_public && key->tok.has_private)
        key = store_public_only(ctx, key);
    OPENSSL_clear_free(token, token_len);
    return key;

err:
    ibm4767_key_free(key);
    OPENSSL_clear_free(token, token_len);
    return NULL;
}

static int store_load(void *vctx, OSSL_CALLBACK *object_cb,
                      void *object_cbarg, OSSL_PASSPHRASE_CALLBACK *pw_cb,
                      void *pw_cbarg)
{
    static int object_type = OSSL_OBJECT_PKEY;
    struct store_ctx *ctx = vctx;
    struct ibm4767_key *key = NULL;
    OSSL_PARAM params[4];
    int ret = 0;

    if (ctx->state != STORE_READY) {
        ctx->state = STORE_DONE;
        return 1;
    }
    /* Certificates, CRLs and parameters are not kept in key storage. */
    if (ctx->expect != 0 && ctx->expect != OSSL_STORE_INFO_PKEY &&
        ctx->expect != OSSL_STORE_INFO_PUBKEY) {
        ctx->state = STORE_DONE;
        return 1;
    }

    if (ctx->want == STORE_WANT_PUBLIC &&
        ctx->expect == OSSL_STORE_INFO_PKEY) {
        IBM4767_RAISE(ctx->provctx, IBM4767_R_INVALID_PARAMETER,
                      "URI for label %s has type=public, but the caller "
                      "expects a private key; leave out type=public",
                      ctx->label);
        goto err;
    }
    key = store_make_key(ctx);
    if (key == NULL)
        goto err;
    params[0] = OSSL_PARAM_construct_int(OSSL_OBJECT_PARAM_TYPE,
                                         &object_type);
    params[1] = OSSL_PARAM_construct_utf8_string(
        OSSL_OBJECT_PARAM_DATA_TYPE, (char *)ibm4767_key_type_name(key), 0);
    params[2] = OSSL_PARAM_construct_octet_string(OSSL_OBJECT_PARAM_REFERENCE,
                                                  &key, sizeof(key));
    params[3] = OSSL_PARAM_construct_end();
    /* The key management's load takes key over and sets it to NULL. */
    ret = object_cb(params, object_cbarg);
    if (ret)
        IBM4767_DEBUG("store: loaded label %s", ctx->label);

err:
    ibm4767_key_free(key);
    ctx->state = ret ? STORE_DONE : STORE_FAILED;
    return ret;
}

static int store_eof(void *vctx)
{
    struct store_ctx *ctx = vctx;

    if (ctx->state == STORE_FAILED) {
        ctx->state = STORE_DONE;
        return 0;
    }
    return ctx->state == STORE_DONE;
}

static int store_close(void *vctx)
{
    OPENSSL_free(vctx);
    return 1;
}

const OSSL_DISPATCH ibm4767_store_functions[] = {
    { OSSL_FUNC_STORE_OPEN, (void (*)(void))store_open },
    { OSSL_FUNC_STORE_SETTABLE_CTX_PARAMS,
      (void (*)(void))store_settable_ctx_params },
    { OSSL_FUNC_STORE_SET_CTX_PARAMS, (void (*)(void))store_set_ctx_params },
    { OSSL_FUNC_STORE_LOAD, (void (*)(void))store_load },
    { OSSL_FUNC_STORE_EOF, (void (*)(void))store_eof },
    { OSSL_FUNC_STORE_CLOSE, (void (*)(void))store_close },
    { 0, NULL },
};
