/*
 * The retained key store (retained.h describes what it keeps and how it
 * locks).  A key file of the state directory contains name=value lines:
 *
 *   label=WEB.RSA           the canonical label, also in the file name
 *   created=1700000000      seconds since the Unix epoch
 *   token=1f00...           the retained-key token the host got, hex
 *   private=3082...         the private key as a wrapped token carries
 *                           it (RSA: DER RSAPrivateKey, EC: the scalar), hex
 *
 * A damaged file stops the daemon at start-up, naming the file, as a
 * damaged master key file does: dropping the key silently would lose it.
 */
#include <config.h>

#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <ibm4767/codes.h>
#include <ibm4767/log.h>

#include "admin.h"
#include "retained.h"

/* File name: the prefix and a label of at most CCA_LABEL_TEXT_MAX. */
#define RETAINED_NAME_MAX (sizeof(EMU_STATE_RETAINED_PREFIX) \
                           + CCA_LABEL_TEXT_MAX)

struct retained_key {
    char label[CCA_LABEL_TEXT_MAX + 1];
    uint8_t *token;              /* the retained-key token */
    size_t token_len;
    EVP_PKEY *pkey;
    int64_t created;
};

struct emu_retained {
    pthread_rwlock_t lock;       /* count and keys */
    pthread_mutex_t change_lock; /* one create or delete, file included */
    size_t count;
    struct retained_key *keys[IBM4767_RETAINED_MAX]; /* sorted by label */
};

static void key_free(struct retained_key *k)
{
    if (k == NULL)
        return;
    EVP_PKEY_free(k->pkey);
    OPENSSL_free(k->token);
    OPENSSL_free(k);
}

static void file_name(const char *label, char name[RETAINED_NAME_MAX])
{
    snprintf(name, RETAINED_NAME_MAX, "%s%s", EMU_STATE_RETAINED_PREFIX,
             label);
}

/* Binary search: 1 with *pos at the key, or 0 with *pos where it would
 * go.  Call with the lock or the change lock held. */
static int find_key(const struct emu_retained *r, const char *label,
                    size_t *pos)
{
    size_t lo = 0, hi = r->count;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int cmp = strcmp(label, r->keys[mid]->label);

        if (cmp == 0) {
            *pos = mid;
            return 1;
        }
        if (cmp < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    *pos = lo;
    return 0;
}

/* Insert k at pos; the caller checked that there is room. */
static void insert_key(struct emu_retained *r, size_t pos,
                       struct retained_key *k)
{
    memmove(&r->keys[pos + 1], &r->keys[pos],
            (r->count - pos) * sizeof(r->keys[0]));
    r->keys[pos] = k;
    r->count++;
}

/* ---------------------------------------------------------------------- */
/* Hex                                                                     */

/* Write n bytes as hex digits at out, which has room for 2 * n + 1. */
static int hex_append(char *out, const uint8_t *p, size_t n)
{
    return OPENSSL_buf2hexstr_ex(out, 2 * n + 1, NULL, p, n, '\0');
}

/* Decode hex text into a new buffer (free with OPENSSL_clear_free);
 * NULL when it is empty, has an odd length or another character. */
static uint8_t *hex_decode(const char *text, size_t *len)
{
    size_t n = strlen(text);
    uint8_t *out;

    if (n == 0 || n % 2 != 0 || (out = OPENSSL_malloc(n / 2)) == NULL)
        return NULL;
    if (!OPENSSL_hexstr2buf_ex(out, n / 2, len, text, '\0')) {
        OPENSSL_clear_free(out, n / 2);
        return NULL;
    }
    return out;
}

/* ---------------------------------------------------------------------- */
/* Files                                                                   */

static int save_key(struct emu_device *dev, const struct retained_key *k,
                    const uint8_t *secret, size_t secret_len, char *err,
                    size_t err_len)
{
    char name[RETAINED_NAME_MAX];
    size_t cap = 256 + 2 * k->token_len + 2 * secret_len;
    char *text = OPENSSL_malloc(cap);
    size_t len;
    int ret;

    if (text == NULL) {
        snprintf(err, err_len, "out of memory saving retained key %s",
                 k->label);
        return 0;
    }
    len = (size_t)snprintf(text, cap, "# ibm4767-emud retained key.  Do not "
                           "edit or copy this file.\nlabel=%s\ncreated=%lld"
                           "\ntoken=", k->label, (long long)k->created);
    if (!hex_append(text + len, k->token, k->token_len))
        goto hex_err;
    len += 2 * k->token_len;
    memcpy(text + len, "\nprivate=", 9);
    len += 9;
    if (!hex_append(text + len, secret, secret_len))
        goto hex_err;
    len += 2 * secret_len;
    text[len++] = '\n';

    file_name(k->label, name);
    ret = emu_state_write_file(&dev->state, name, text, len, err, err_len);
    OPENSSL_clear_free(text, cap);
    return ret;

hex_err:
    snprintf(err, err_len, "cannot encode retained key %s as hex", k->label);
    OPENSSL_clear_free(text, cap);
    return 0;
}

/* The fields of a key file, pointing into its text. */
struct key_fields {
    const char *label;
    const char *created;
    const char *token;
    const char *secret;
};

static int split_fields(char *text, struct key_fields *f)
{
    char *save = NULL;

    memset(f, 0, sizeof(*f));
    for (char *line = strtok_r(text, "\n", &save); line != NULL;
         line = strtok_r(NULL, "\n", &save)) {
        char *eq = strchr(line, '=');

        if (line[0] == '#')
            continue;
        if (eq == NULL)
            return 0;
        *eq = '\0';
        if (strcmp(line, "label") == 0)
            f->label = eq + 1;
        else if (strcmp(line, "created") == 0)
            f->created = eq + 1;
        else if (strcmp(line, "token") == 0)
            f->token = eq + 1;
        else if (strcmp(line, "private") == 0)
            f->secret = eq + 1;
        else
            return 0;
    }
    return f->label != NULL && f->created != NULL && f->token != NULL
           && f->secret != NULL;
}

/* Whether pkey is the key pair of the token's public key. */
static int key_matches_token(struct emu_device *dev,
                             const struct cca_pka_token *tok, EVP_PKEY *pkey)
{
    EVP_PKEY *pub = tok->alg == CCA_ALG_RSA
                        ? emu_rsa_public_from_token(dev, tok)
                        : emu_ec_public_from_token(dev, tok);
    EVP_PKEY_CTX *ctx = NULL;
    int ok = pub != NULL && EVP_PKEY_eq(pkey, pub) == 1;

    /* An EC key is built from the token's point, so only the pairwise
     * check can tell whether its scalar belongs to that point. */
    if (ok && tok->alg == CCA_ALG_EC) {
        ctx = EVP_PKEY_CTX_new_from_pkey(dev->libctx, pkey, NULL);
        ok = ctx != NULL && EVP_PKEY_pairwise_check(ctx) == 1;
    }
    EVP_PKEY_CTX_free(ctx);
    EVP_PKEY_free(pub);
    return ok;
}

/* Build the key of file name from its fields; returns NULL with the
 * reason in err. */
static struct retained_key *key_from_fields(struct emu_device *dev,
                                            const char *name,
                                            const struct key_fields *f,
                                            char *err, size_t err_len)
{
    struct retained_key *k = OPENSSL_zalloc(sizeof(*k));
    struct cca_pka_token tok;
    uint8_t *secret = NULL;
    size_t secret_len = 0;
    char *end = NULL;
    const char *problem = NULL;

    if (k == NULL) {
        snprintf(err, err_len, "out of memory loading %s", name);
        return NULL;
    }
    if (strlen(f->label) > CCA_LABEL_TEXT_MAX
        || strcmp(name + strlen(EMU_STATE_RETAINED_PREFIX), f->label) != 0)
        problem = "its label= line does not match the file name";
    else if ((k->created = strtoll(f->created, &end, 10)) < 0
             || end == f->created || *end != '\0')
        problem = "its created= line is not a time";
    else if ((k->token = hex_decode(f->token, &k->token_len)) == NULL
             || !cca_token_parse(k->token, k->token_len, &tok, NULL, NULL,
                                 0)
             || !tok.is_retained || strcmp(tok.retained_label, f->label) != 0)
        problem = "its token= line is not a retained-key token for its label";
    else if (strcmp(tok.retained_serial, dev->state.serial) != 0)
        problem = "its token names another device's serial number";
    else if ((secret = hex_decode(f->secret, &secret_len)) == NULL
             || (k->pkey = emu_key_private_from_secret(dev, &tok, secret,
                                                       secret_len)) == NULL
             || !key_matches_token(dev, &tok, k->pkey))
        problem = "its private= line is not the private key of its token";
    OPENSSL_clear_free(secret, secret_len);
    if (problem != NULL) {
        snprintf(err, err_len, "%s/%s: %s; restore the file from a backup, "
                 "or remove it to drop the retained key", dev->state.dir,
                 name, problem);
        key_free(k);
        return NULL;
    }
    snprintf(k->label, sizeof(k->label), "%s", f->label);
    return k;
}

static struct retained_key *load_key(struct emu_device *dev,
                                     const char *name, char *err,
                                     size_t err_len)
{
    struct retained_key *k = NULL;
    struct key_fields f;
    char *text = NULL;
    size_t len = 0;
    int rd = emu_state_read_file(&dev->state, name, &text, &len, err,
                                 err_len);

    if (rd < 0)
        snprintf(err, err_len, "%s/%s disappeared while the daemon started",
                 dev->state.dir, name);
    if (rd <= 0)
        return NULL;
    if (!split_fields(text, &f))
        snprintf(err, err_len, "%s/%s: expected label=, created=, token= "
                 "and private= lines; restore the file from a backup, or "
                 "remove it to drop the retained key", dev->state.dir, name);
    else
        k = key_from_fields(dev, name, &f, err, err_len);
    emu_state_file_free(text);
    return k;
}

static int load_all(struct emu_device *dev, char *err, size_t err_len)
{
    struct emu_retained *r = dev->retained;
    size_t prefix_len = strlen(EMU_STATE_RETAINED_PREFIX);
    DIR *dir = opendir(dev->state.dir);
    struct dirent *de;
    int ret = 0;

    if (dir == NULL) {
        snprintf(err, err_len, "cannot list state directory %s: %s",
                 dev->state.dir, strerror(errno));
        return 0;
    }
    while ((de = readdir(dir)) != NULL) {
        struct retained_key *k;
        size_t pos;

        if (strncmp(de->d_name, EMU_STATE_RETAINED_PREFIX, prefix_len) != 0)
            continue;
        if (r->count == IBM4767_RETAINED_MAX) {
            snprintf(err, err_len, "state directory %s holds more than %u "
                     "retained keys, more than a device keeps",
                     dev->state.dir, IBM4767_RETAINED_MAX);
            goto err;
        }
        k = load_key(dev, de->d_name, err, err_len);
        if (k == NULL)
            goto err;
        find_key(r, k->label, &pos);
        insert_key(r, pos, k);
    }
    ret = 1;

err:
    closedir(dir);
    return ret;
}

/* ---------------------------------------------------------------------- */
/* The store                                                               */

int emu_retained_open(struct emu_device *dev, char *err, size_t err_len)
{
    struct emu_retained *r = OPENSSL_zalloc(sizeof(*r));

    if (r == NULL) {
        snprintf(err, err_len, "out of memory for the retained key store");
        return 0;
    }
    pthread_rwlock_init(&r->lock, NULL);
    pthread_mutex_init(&r->change_lock, NULL);
    dev->retained = r;

    /* A zeroized device's files were erased when its state was opened. */
    if (dev->state.zeroized_code != 0)
        return 1;
    if (!load_all(dev, err, err_len))
        return 0;
    if (r->count > 0)
        IBM4767_INFO("loaded %zu retained keys from %s", r->count,
                     dev->state.dir);
    return 1;
}

void emu_retained_clear(struct emu_device *dev)
{
    struct emu_retained *r = dev->retained;

    if (r == NULL)
        return;
    pthread_rwlock_wrlock(&r->lock);
    for (size_t i = 0; i < r->count; i++)
        key_free(r->keys[i]);
    r->count = 0;
    pthread_rwlock_unlock(&r->lock);
}

void emu_retained_free(struct emu_device *dev)
{
    struct emu_retained *r = dev->retained;

    if (r == NULL)
        return;
    emu_retained_clear(dev);
    pthread_rwlock_destroy(&r->lock);
    pthread_mutex_destroy(&r->change_lock);
    OPENSSL_free(r);
    dev->retained = NULL;
}

int emu_retained_get(struct emu_device *dev, const uint8_t *token,
                     size_t len, const struct cca_pka_token *tok,
                     EVP_PKEY **pkey, struct emu_result *res)
{
    struct emu_retained *r = dev->retained;
    const struct retained_key *k;
    size_t pos;

    if (strcmp(tok->retained_serial, dev->state.serial) != 0)
        return emu_fail(res, CCA_RC_ERROR, CCA_RS_RETAINED_KEY_NOT_FOUND,
                        "retained key %s is held by the device with serial "
                        "%s, not by this device (serial %s)",
                        tok->retained_label, tok->retained_serial,
                        dev->state.serial);

    pthread_rwlock_rdlock(&r->lock);
    if (!find_key(r, tok->retained_label, &pos)) {
        pthread_rwlock_unlock(&r->lock);
        return emu_fail(res, CCA_RC_ERROR, CCA_RS_RETAINED_KEY_NOT_FOUND,
                        "retained key %s not found in this device (serial "
                        "%s)", tok->retained_label, dev->state.serial);
    }
    k = r->keys[pos];
    if (k->token_len != len || memcmp(k->token, token, len) != 0) {
        pthread_rwlock_unlock(&r->lock);
        return emu_fail(res, CCA_RC_ERROR, CCA_RS_RETAINED_KEY_NOT_FOUND,
                        "retained key %s in this device (serial %s) is "
                        "another key than the token's: it was deleted and "
                        "generated again", tok->retained_label,
                        dev->state.serial);
    }
    EVP_PKEY_up_ref(k->pkey);
    *pkey = k->pkey;
    pthread_rwlock_unlock(&r->lock);
    return 1;
}

int emu_retained_exists(struct emu_device *dev, const char *label)
{
    struct emu_retained *r = dev->retained;
    size_t pos;
    int found;

    pthread_rwlock_rdlock(&r->lock);
    found = find_key(r, label, &pos);
    pthread_rwlock_unlock(&r->lock);
    return found;
}

/* The external token of the public key of tok, RSA-PSS section included. */
static uint8_t *public_token(const struct cca_pka_token *tok, size_t *len)
{
    size_t n = tok->alg == CCA_ALG_RSA
                   ? cca_token_build_rsa_public(tok->n, tok->n_len, tok->e,
                                                tok->e_len, NULL, 0)
                   : cca_token_build_ec_public(tok->curve_nid, tok->q,
                                               tok->q_len, NULL, 0);
    size_t cap = tok->is_pss ? cca_token_append_rsa_pss(NULL, n, 0,
                                                        &tok->pss) : n;
    uint8_t *pub = n > 0 && cap > 0 ? OPENSSL_malloc(cap) : NULL;

    if (pub == NULL)
        return NULL;
    if (tok->alg == CCA_ALG_RSA)
        cca_token_build_rsa_public(tok->n, tok->n_len, tok->e, tok->e_len,
                                   pub, n);
    else
        cca_token_build_ec_public(tok->curve_nid, tok->q, tok->q_len, pub,
                                  n);
    if (tok->is_pss && cca_token_append_rsa_pss(pub, n, cap, &tok->pss)
                           != cap) {
        OPENSSL_free(pub);
        return NULL;
    }
    *len = cap;
    return pub;
}

/* Make the store's entry for the key of the internal token: its private
 * key in *secret (the caller cleanses it), and its retained-key token. */
static struct retained_key *key_from_internal(struct emu_device *dev,
                                              const char *label,
                                              const uint8_t *token,
                                              size_t token_len,
                                              uint8_t **secret,
                                              size_t *secret_len,
                                              struct emu_result *res)
{
    struct retained_key *k = OPENSSL_zalloc(sizeof(*k));
    struct cca_pka_token tok;
    uint8_t *pub = NULL;
    size_t pub_len = 0, len;

    if (k == NULL || !cca_token_parse(token, token_len, &tok, NULL, NULL, 0)
        || (*secret = OPENSSL_malloc(tok.wrapped_len)) == NULL) {
        emu_fail(res, CCA_RC_INTERNAL, CCA_RS_DEVICE_BUSY_INTERNAL,
                 "out of memory, or the new key's token does not parse");
        goto err;
    }
    *secret_len = tok.wrapped_len;
    if (!emu_unwrap_token(dev, token, token_len, &tok, CCA_MK_CURRENT,
                          *secret, res))
        goto err;
    k->pkey = emu_key_private_from_secret(dev, &tok, *secret, *secret_len);
    pub = public_token(&tok, &pub_len);
    len = pub == NULL ? 0
                      : cca_token_build_retained(pub, pub_len, tok.usage,
                                                 dev->state.serial, label,
                                                 NULL, 0);
    k->token = len > 0 ? OPENSSL_malloc(len) : NULL;
    if (k->pkey == NULL || k->token == NULL
        || cca_token_build_retained(pub, pub_len, tok.usage,
                                    dev->state.serial, label, k->token, len)
               != len) {
        emu_fail(res, CCA_RC_INTERNAL, CCA_RS_DEVICE_BUSY_INTERNAL,
                 "cannot build the retained-key token for %s", label);
        goto err;
    }
    k->token_len = len;
    k->created = (int64_t)time(NULL);
    snprintf(k->label, sizeof(k->label), "%s", label);
    OPENSSL_free(pub);
    return k;

err:
    OPENSSL_free(pub);
    key_free(k);
    return NULL;
}

int emu_retained_create(struct emu_device *dev, const char *label,
                        const uint8_t *token, size_t token_len,
                        uint8_t **out, size_t *out_len,
                        struct emu_result *res)
{
    struct emu_retained *r = dev->retained;
    struct retained_key *k;
    uint8_t *secret = NULL;
    size_t secret_len = 0, pos;
    char err[256];
    int ret = 0;

    k = key_from_internal(dev, label, token, token_len, &secret, &secret_len,
                          res);
    *out = k != NULL ? OPENSSL_memdup(k->token, k->token_len) : NULL;
    if (k != NULL && *out == NULL)
        emu_fail(res, CCA_RC_INTERNAL, CCA_RS_DEVICE_BUSY_INTERNAL,
                 "out of memory copying the retained-key token");
    if (*out == NULL)
        goto done;

    pthread_mutex_lock(&r->change_lock);
    if (find_key(r, label, &pos))
        emu_fail(res, CCA_RC_ERROR, CCA_RS_LABEL_EXISTS,
                 "the device already holds a retained key %s", label);
    else if (r->count == IBM4767_RETAINED_MAX)
        emu_fail(res, CCA_RC_ERROR, CCA_RS_RETAINED_KEY_LIMIT,
                 "the device holds %u retained keys, the most it keeps",
                 IBM4767_RETAINED_MAX);
    else if (!save_key(dev, k, secret, secret_len, err, sizeof(err)))
        emu_fail(res, CCA_RC_INTERNAL, CCA_RS_DEVICE_BUSY_INTERNAL,
                 "cannot save retained key %s: %s", label, err);
    else
        ret = 1;
    if (ret) {
        pthread_rwlock_wrlock(&r->lock);
        insert_key(r, pos, k);
        pthread_rwlock_unlock(&r->lock);
        *out_len = k->token_len;
        k = NULL;
        IBM4767_INFO("retained key %s generated; %zu retained keys", label,
                     r->count);
    }
    pthread_mutex_unlock(&r->change_lock);

done:
    if (!ret) {
        OPENSSL_free(*out);
        *out = NULL;
    }
    OPENSSL_clear_free(secret, secret_len);
    key_free(k);
    return ret;
}

int emu_retained_delete(struct emu_device *dev, const char *label,
                        struct emu_result *res)
{
    struct emu_retained *r = dev->retained;
    struct retained_key *k = NULL;
    char name[RETAINED_NAME_MAX];
    char err[256];
    size_t pos;
    int ret = 0;

    pthread_mutex_lock(&r->change_lock);
    file_name(label, name);
    if (!find_key(r, label, &pos)) {
        emu_fail(res, CCA_RC_ERROR, CCA_RS_RETAINED_KEY_NOT_FOUND,
                 "retained key %s not found in this device (serial %s)",
                 label, dev->state.serial);
    } else if (!emu_state_erase_file(&dev->state, name, err, sizeof(err))) {
        emu_fail(res, CCA_RC_INTERNAL, CCA_RS_DEVICE_BUSY_INTERNAL,
                 "cannot erase retained key %s: %s", label, err);
    } else {
        pthread_rwlock_wrlock(&r->lock);
        k = r->keys[pos];
        memmove(&r->keys[pos], &r->keys[pos + 1],
                (r->count - pos - 1) * sizeof(r->keys[0]));
        r->count--;
        pthread_rwlock_unlock(&r->lock);
        IBM4767_INFO("retained key %s deleted; %zu retained keys", label,
                     r->count);
        ret = 1;
    }
    pthread_mutex_unlock(&r->change_lock);
    key_free(k);
    return ret;
}

int emu_retained_put_list(struct emu_device *dev, struct ibm4767_wbuf *wb)
{
    struct emu_retained *r = dev->retained;
    int ok;

    pthread_rwlock_rdlock(&r->lock);
    ok = ibm4767_put_u32(wb, (uint32_t)r->count);
    for (size_t i = 0; i < r->count; i++) {
        const struct retained_key *k = r->keys[i];
        uint64_t created = (uint64_t)k->created;

        ok &= ibm4767_put_bytes(wb, k->label, strlen(k->label));
        ok &= ibm4767_put_bytes(wb, k->token, k->token_len);
        ok &= ibm4767_put_u32(wb, (uint32_t)(created >> 32));
        ok &= ibm4767_put_u32(wb, (uint32_t)created);
    }
    pthread_rwlock_unlock(&r->lock);
    return ok;
}
