/*
 * Keys for the Wycheproof runners.  The default provider decodes the keys
 * the vectors carry (SubjectPublicKeyInfo, PKCS#8, PEM); EVP_PKEY_todata()
 * and EVP_PKEY_fromdata() then move them into the provider under test,
 * which for ibm4767 builds a public key token or has the device wrap the
 * private key.
 */
#include <stdio.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/params.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "wycheproof.h"

#define DEFAULT_PROPQ "provider=default"

struct wp_key_cache_entry {
    const char *id;
    EVP_PKEY *pkey;              /* NULL when the import was rejected */
    char *rejection;             /* why the import was rejected */
};

struct wp_key_cache {
    struct wp_key_cache_entry *entries;
    size_t count;
    size_t capacity;
};

EVP_PKEY *wp_decode_spki(const struct wp_runner *r, const struct wp_bytes *der,
                         char *what, size_t what_len)
{
    const unsigned char *p = der->data;
    EVP_PKEY *pkey;

    ERR_clear_error();
    pkey = d2i_PUBKEY_ex(NULL, &p, (long)der->len, r->libctx, DEFAULT_PROPQ);
    if (pkey == NULL) {
        wp_take_errors(what, what_len, "decoding the SubjectPublicKeyInfo "
                       "with the default provider failed");
        return NULL;
    }
    if ((size_t)(p - der->data) != der->len) {
        snprintf(what, what_len,
                 "SubjectPublicKeyInfo has %zu bytes after its end",
                 der->len - (size_t)(p - der->data));
        EVP_PKEY_free(pkey);
        return NULL;
    }
    return pkey;
}

EVP_PKEY *wp_decode_pkcs8(const struct wp_runner *r,
                          const struct wp_bytes *der, char *what,
                          size_t what_len)
{
    const unsigned char *p = der->data;
    EVP_PKEY *pkey;

    ERR_clear_error();
    pkey = d2i_AutoPrivateKey_ex(NULL, &p, (long)der->len, r->libctx,
                                 DEFAULT_PROPQ);
    if (pkey == NULL) {
        wp_take_errors(what, what_len, "decoding the PKCS#8 private key "
                       "with the default provider failed");
        return NULL;
    }
    return pkey;
}

EVP_PKEY *wp_decode_pem_public(const struct wp_runner *r, const char *pem,
                               char *what, size_t what_len)
{
    BIO *bio = NULL;
    EVP_PKEY *pkey = NULL;

    ERR_clear_error();
    bio = BIO_new_mem_buf(pem, -1);
    if (bio == NULL) {
        wp_take_errors(what, what_len, "creating a memory BIO failed");
        goto err;
    }
    pkey = PEM_read_bio_PUBKEY_ex(bio, NULL, NULL, NULL, r->libctx,
                                  DEFAULT_PROPQ);
    if (pkey == NULL)
        wp_take_errors(what, what_len, "decoding the PEM public key with "
                       "the default provider failed");

err:
    BIO_free(bio);
    return pkey;
}

EVP_PKEY *wp_decode_pem_private(const struct wp_runner *r, const char *pem,
                                char *what, size_t what_len)
{
    BIO *bio = NULL;
    EVP_PKEY *pkey = NULL;

    ERR_clear_error();
    bio = BIO_new_mem_buf(pem, -1);
    if (bio == NULL) {
        wp_take_errors(what, what_len, "creating a memory BIO failed");
        goto err;
    }
    pkey = PEM_read_bio_PrivateKey_ex(bio, NULL, NULL, NULL, r->libctx,
                                      DEFAULT_PROPQ);
    if (pkey == NULL)
        wp_take_errors(what, what_len, "decoding the PEM private key with "
                       "the default provider failed");

err:
    BIO_free(bio);
    return pkey;
}

/* Checks that the key object belongs to the provider under test, so that
 * no operation on it can fall back to another provider. */
static int key_in_target(const struct wp_runner *r, const EVP_PKEY *pkey,
                         char *what, size_t what_len)
{
    const OSSL_PROVIDER *prov = EVP_PKEY_get0_provider(pkey);
    const char *name = prov != NULL ? OSSL_PROVIDER_get0_name(prov) : NULL;

    if (name == NULL || strcmp(name, r->provider_name) != 0) {
        snprintf(what, what_len,
                 "imported key belongs to provider %s, expected %s",
                 name != NULL ? name : "(none)", r->provider_name);
        return 0;
    }
    return 1;
}

EVP_PKEY *wp_key_import(const struct wp_runner *r, const char *key_type,
                        int selection, const OSSL_PARAM *params, char *what,
                        size_t what_len)
{
    EVP_PKEY_CTX *ctx = NULL;
    EVP_PKEY *pkey = NULL;
    EVP_PKEY *ret = NULL;

    ERR_clear_error();
    ctx = EVP_PKEY_CTX_new_from_name(r->libctx, key_type, r->propq);
    if (ctx == NULL) {
        wp_take_errors(what, what_len, "no key management for the key type");
        goto err;
    }
    if (EVP_PKEY_fromdata_init(ctx) <= 0) {
        wp_take_errors(what, what_len, "EVP_PKEY_fromdata_init failed");
        goto err;
    }
    /* EVP_PKEY_fromdata() takes a non-const array in OpenSSL 3.0. */
    if (EVP_PKEY_fromdata(ctx, &pkey, selection, (OSSL_PARAM *)params) <= 0) {
        wp_take_errors(what, what_len, "key import rejected");
        goto err;
    }
    if (!key_in_target(r, pkey, what, what_len))
        goto err;

    ret = pkey;
    pkey = NULL;

err:
    EVP_PKEY_free(pkey);
    EVP_PKEY_CTX_free(ctx);
    return ret;
}

EVP_PKEY *wp_key_transfer(const struct wp_runner *r, const EVP_PKEY *src,
                          int selection, char *what, size_t what_len)
{
    OSSL_PARAM *params = NULL;
    EVP_PKEY *ret = NULL;

    ERR_clear_error();
    if (EVP_PKEY_todata(src, selection, &params) <= 0) {
        wp_take_errors(what, what_len, "exporting the key parameters from "
                       "the default provider failed");
        goto err;
    }
    ret = wp_key_import(r, EVP_PKEY_get0_type_name(src), selection, params,
                        what, what_len);

err:
    wp_params_free(params);
    return ret;
}

enum wp_setup wp_setup_rsa_key(struct wp_group *g, const char *der_field,
                               int selection, char *what, size_t what_len)
{
    const struct wp_runner *r = g->file->runner;
    struct wp_bytes der = { NULL, 0 };
    EVP_PKEY *decoded = NULL;
    enum wp_setup ret = WP_SETUP_ERROR;
    long bits;

    if (!wp_json_long(g->json, "keySize", &bits)) {
        snprintf(what, what_len, "group has no integer \"keySize\"");
        goto err;
    }
    if (r->device && !wp_rsa_bits_supported(bits)) {
        snprintf(what, what_len,
                 "RSA-%ld key: the device supports 2048, 3072 and 4096-bit keys",
                 bits);
        ret = WP_SETUP_SKIP;
        goto err;
    }
    if (!wp_json_hex(g->json, der_field, &der, what, what_len))
        goto err;

    if (selection == EVP_PKEY_PUBLIC_KEY)
        decoded = wp_decode_spki(r, &der, what, what_len);
    else
        decoded = wp_decode_pkcs8(r, &der, what, what_len);
    if (decoded == NULL)
        goto err;

    g->key = wp_key_transfer(r, decoded, selection, what, what_len);
    ret = g->key != NULL ? WP_SETUP_READY : WP_SETUP_KEY_REJECTED;

err:
    EVP_PKEY_free(decoded);
    wp_bytes_free(&der);
    return ret;
}

int wp_check_operation_provider(const struct wp_runner *r,
                                const EVP_PKEY_CTX *ctx, char *what,
                                size_t what_len)
{
    const OSSL_PROVIDER *prov = EVP_PKEY_CTX_get0_provider(ctx);
    const char *name = prov != NULL ? OSSL_PROVIDER_get0_name(prov) : NULL;

    if (name == NULL || strcmp(name, r->provider_name) != 0) {
        snprintf(what, what_len, "the operation runs in provider %s, "
                 "expected %s", name != NULL ? name : "(none)",
                 r->provider_name);
        return 0;
    }
    return 1;
}

void wp_params_free(OSSL_PARAM *params)
{
    OSSL_PARAM *p;

    if (params == NULL)
        return;
    for (p = params; p->key != NULL; p++) {
        if (p->data != NULL)
            OPENSSL_cleanse(p->data, p->data_size);
    }
    OSSL_PARAM_free(params);
}

int wp_key_cache_find(const struct wp_key_cache *cache, const char *id,
                      EVP_PKEY **pkey, char *what, size_t what_len)
{
    size_t i;

    if (cache == NULL)
        return 0;
    for (i = 0; i < cache->count; i++) {
        const struct wp_key_cache_entry *e = &cache->entries[i];

        if (strcmp(e->id, id) != 0)
            continue;
        *pkey = e->pkey;
        if (e->pkey == NULL)
            snprintf(what, what_len, "%s", e->rejection);
        return 1;
    }
    return 0;
}

int wp_key_cache_add(struct wp_key_cache **cache, const char *id,
                     EVP_PKEY *pkey, const char *what)
{
    struct wp_key_cache *c = *cache;
    struct wp_key_cache_entry *e;
    char *rejection = NULL;

    if (c == NULL) {
        c = OPENSSL_zalloc(sizeof(*c));
        if (c == NULL)
            goto err;
        *cache = c;
    }
    if (c->count == c->capacity) {
        size_t capacity = c->capacity == 0 ? 16 : c->capacity * 2;
        struct wp_key_cache_entry *grown =
            OPENSSL_realloc(c->entries, capacity * sizeof(*grown));

        if (grown == NULL)
            goto err;
        c->entries = grown;
        c->capacity = capacity;
    }
    if (pkey == NULL) {
        rejection = OPENSSL_strdup(what != NULL ? what : "key import rejected");
        if (rejection == NULL)
            goto err;
    }

    e = &c->entries[c->count++];
    e->id = id;
    e->pkey = pkey;
    e->rejection = rejection;
    return 1;

err:
    EVP_PKEY_free(pkey);
    return 0;
}

void wp_key_cache_free(struct wp_key_cache *cache)
{
    size_t i;

    if (cache == NULL)
        return;
    for (i = 0; i < cache->count; i++) {
        EVP_PKEY_free(cache->entries[i].pkey);
        OPENSSL_free(cache->entries[i].rejection);
    }
    OPENSSL_free(cache->entries);
    OPENSSL_free(cache);
}
