/*
 * Retained keys on the host side: generating them (CSNDPKG RETAIN),
 * listing and deleting them (CSNDRKL, CSNDRKD), and sending every request
 * with a retained key's token to the device that keeps the key.
 *
 * A retained-key token names the holding device by its serial number,
 * because device indexes and socket paths change with the configuration.
 * Each device's serial number is learnt from its status replies
 * (readiness.c and here) and kept in struct cca_device.  A request for a
 * retained key is never sent to another device: no other device has the
 * key, so a failure names the key, the device and what to do instead.
 */
#include <config.h>

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

#include <ibm4767/admin.h>
#include <ibm4767/keystore.h>

#include "backend_int.h"

void cca_device_note_serial(struct cca_device *dev, const char *serial)
{
    pthread_mutex_lock(&dev->lock);
    snprintf(dev->serial, sizeof(dev->serial), "%s", serial);
    pthread_mutex_unlock(&dev->lock);
}

static int device_has_serial(struct cca_device *dev, const char *serial)
{
    int match;

    pthread_mutex_lock(&dev->lock);
    match = dev->serial[0] != '\0' && strcmp(dev->serial, serial) == 0;
    pthread_mutex_unlock(&dev->lock);
    return match;
}

/* Append printf-style text to buf (size len), keeping what fits. */
static void append(char *buf, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void append(char *buf, size_t len, const char *fmt, ...)
{
    size_t used = strlen(buf);
    va_list ap;

    if (used + 1 >= len)
        return;
    va_start(ap, fmt);
    vsnprintf(buf + used, len - used, fmt, ap);
    va_end(ap);
}

/*
 * The index of the device whose serial number is serial: first among the
 * serial numbers already known, then by asking every device for its
 * status (a device may have been replaced since).  Returns -1 with res
 * set to 12/4808, saying what each device reported.
 */
static int find_holder(struct cca_backend *be, const char *label,
                       const char *serial, struct cca_result *res)
{
    char seen[320] = "";

    for (int i = 0; i < be->device_count; i++) {
        if (device_has_serial(&be->devices[i], serial))
            return i;
    }
    for (int i = 0; i < be->device_count; i++) {
        struct cca_device *dev = &be->devices[i];
        struct cca_status st;
        struct cca_result r;

        if (cca_facility_query(be, i, 0, &st, &r)) {
            cca_device_note_serial(dev, st.serial);
            if (strcmp(st.serial, serial) == 0)
                return i;
            append(seen, sizeof(seen), "%s%s (%s) has serial %s",
                   i > 0 ? "; " : "", dev->name, dev->path, st.serial);
        } else {
            append(seen, sizeof(seen), "%s%s (%s) did not answer: %u/%u %s",
                   i > 0 ? "; " : "", dev->name, dev->path, r.rc, r.reason,
                   r.detail);
        }
    }
    cca_result_set(res, CCA_RC_SETUP, CCA_RS_HOST_RETAINED_DEVICE,
                   "retained key %s is held by the device with serial %s, "
                   "and no configured device that answers has that serial "
                   "(%s); the request was not sent to another device, "
                   "because no other device holds the key", label, serial,
                   seen);
    return -1;
}

int cca_retained_route(struct cca_backend *be, const uint8_t *token,
                       size_t token_len, struct cca_pka_token *tok,
                       int *want, struct cca_result *res)
{
    const struct cca_device *pinned;
    int holder;

    /* Most tokens are not retained-key tokens: two bytes tell. */
    if (token_len <= CCA_TOKEN_HEADER_LEN
        || token[0] != CCA_TOKEN_INTERNAL_PKA
        || token[CCA_TOKEN_HEADER_LEN] != CCA_SECTION_RETAINED)
        return 0;
    /* A damaged token goes on as it is, and the device reports it. */
    if (!cca_token_parse(token, token_len, tok, NULL, NULL, 0)
        || !tok->is_retained)
        return 0;

    holder = find_holder(be, tok->retained_label, tok->retained_serial, res);
    if (holder < 0)
        return -1;
    if (be->pinned >= 0 && be->pinned != holder) {
        pinned = &be->devices[be->pinned];
        cca_result_set(res, CCA_RC_SETUP, CCA_RS_HOST_RETAINED_DEVICE,
                       "CSU_DEFAULT_ADAPTER sends every request to %s (%s), "
                       "but retained key %s is held by %s (%s, serial %s); "
                       "set CSU_DEFAULT_ADAPTER=%s or unset it",
                       pinned->name, pinned->path, tok->retained_label,
                       be->devices[holder].name, be->devices[holder].path,
                       tok->retained_serial, be->devices[holder].name);
        return -1;
    }
    *want = holder;
    cca_result_init(res);
    return 1;
}

void cca_retained_explain(struct cca_backend *be,
                          const struct cca_pka_token *tok, int device,
                          struct cca_result *res)
{
    const struct cca_device *dev = &be->devices[device];
    char was[sizeof(res->detail)];

    if (res->rc == CCA_RC_ERROR
        && res->reason == CCA_RS_RETAINED_KEY_NOT_FOUND) {
        snprintf(res->detail, sizeof(res->detail),
                 "retained key %s not found in %s (serial %s); list that "
                 "device's retained keys with 'ibm4767-clu --device %s "
                 "retained list'", tok->retained_label, dev->name,
                 tok->retained_serial, dev->path);
        return;
    }
    /* Return codes below 12 are about the request itself. */
    if (res->rc < CCA_RC_SETUP)
        return;
    memcpy(was, res->detail, sizeof(was));
    snprintf(res->detail, sizeof(res->detail),
             "retained key %s is held only by %s (serial %s), which cannot "
             "serve the request: ", tok->retained_label, dev->name,
             tok->retained_serial);
    append(res->detail, sizeof(res->detail), "%s; it was not sent to another "
           "device, because no other device holds the key", was);
}

/* ---- Verbs -------------------------------------------------------------- */

static int check_label(const char *label,
                       char canonical[CCA_LABEL_TEXT_MAX + 1],
                       struct cca_result *res)
{
    char detail[256];

    if (label == NULL || !cca_label_parse(label, canonical, detail,
                                          sizeof(detail))) {
        cca_result_set(res, CCA_RC_ERROR, CCA_RS_LABEL_INVALID, "%s",
                       label == NULL ? "no label given" : detail);
        return 0;
    }
    return 1;
}

static int check_device(struct cca_backend *be, int device,
                        struct cca_result *res)
{
    if (be == NULL || device >= be->device_count) {
        cca_result_set(res, CCA_RC_ERROR, CCA_RS_HOST_INVALID_ARGUMENT,
                       be == NULL ? "no backend"
                                  : "device index is out of range");
        return 0;
    }
    if (be->cca != NULL) {
        cca_result_set(res, CCA_RC_ERROR, CCA_RS_ALGORITHM_UNSUPPORTED,
                       "retained keys are not carried out over transport "
                       "cca yet; use transport socket for them");
        return 0;
    }
    return 1;
}

/* The device index a list or delete request goes to, as admin.h
 * documents it. */
static int admin_device(const struct cca_backend *be, int device)
{
    if (device >= 0)
        return device;
    return be->pinned >= 0 ? be->pinned : 0;
}

int cca_pka_key_generate_retained(struct cca_backend *be, int device,
                                  const char *label, uint32_t alg,
                                  uint32_t size, const uint8_t *e,
                                  size_t e_len, uint32_t usage,
                                  uint8_t **token, size_t *token_len,
                                  struct cca_result *res)
{
    char canonical[CCA_LABEL_TEXT_MAX + 1];
    struct cca_result local;
    struct cca_request req;
    struct cca_reply reply;
    struct ibm4767_wbuf wb;
    int ret = 0;

    if (res == NULL)
        res = &local;
    cca_result_init(res);
    ibm4767_wbuf_init(&wb);
    memset(&reply, 0, sizeof(reply));
    if (!check_device(be, device, res) || !check_label(label, canonical, res))
        goto err;
    if (token == NULL || token_len == NULL || (e == NULL && e_len > 0)) {
        cca_result_set(res, CCA_RC_ERROR, CCA_RS_HOST_INVALID_ARGUMENT,
                       "retained key generate needs token and token_len "
                       "outputs");
        goto err;
    }

    ibm4767_put_bytes(&wb, canonical, strlen(canonical));
    ibm4767_put_u32(&wb, alg);
    ibm4767_put_u32(&wb, size);
    ibm4767_put_bytes(&wb, e, e != NULL ? e_len : 0);
    ibm4767_put_u32(&wb, usage);
    /* Not resendable: a lost reply may still have made the key. */
    cca_request_init(&req, IBM4767_VERB_PKA_KEY_GENERATE_RETAINED, 0, &wb);
    req.device = device;
    ret = cca_backend_call(be, &req, &reply, res)
          && cca_reply_take_bytes(&reply, token, token_len,
                                  "retained-key token", res);

err:
    cca_reply_free(&reply);
    ibm4767_wbuf_free(&wb);
    return ret;
}

void cca_retained_key_list_free(struct cca_retained_key *keys, size_t count)
{
    if (keys == NULL)
        return;
    for (size_t i = 0; i < count; i++)
        OPENSSL_free(keys[i].token);
    OPENSSL_free(keys);
}

/* Read one entry of a list reply into k. */
static int read_list_entry(struct ibm4767_rbuf *rb, struct cca_retained_key *k)
{
    const uint8_t *label, *token;
    size_t label_len, token_len;
    uint32_t high, low;

    if (!ibm4767_get_bytes(rb, &label, &label_len)
        || !ibm4767_get_bytes(rb, &token, &token_len)
        || !ibm4767_get_u32(rb, &high) || !ibm4767_get_u32(rb, &low)
        || label_len == 0 || label_len >= sizeof(k->label)
        || memchr(label, '\0', label_len) != NULL || token_len == 0)
        return 0;
    memcpy(k->label, label, label_len);
    k->label[label_len] = '\0';
    k->token = OPENSSL_memdup(token, token_len);
    k->token_len = token_len;
    k->created = (int64_t)((uint64_t)high << 32 | low);
    return k->token != NULL;
}

int cca_retained_key_list(struct cca_backend *be, int device,
                          struct cca_retained_key **keys, size_t *count,
                          struct cca_result *res)
{
    struct cca_retained_key *list = NULL;
    struct cca_result local;
    struct cca_request req;
    struct cca_reply reply;
    struct ibm4767_wbuf wb;
    uint32_t n = 0;
    int ret = 0;

    if (res == NULL)
        res = &local;
    cca_result_init(res);
    ibm4767_wbuf_init(&wb);
    memset(&reply, 0, sizeof(reply));
    if (!check_device(be, device, res))
        goto err;
    if (keys == NULL || count == NULL) {
        cca_result_set(res, CCA_RC_ERROR, CCA_RS_HOST_INVALID_ARGUMENT,
                       "retained key list needs keys and count outputs");
        goto err;
    }
    *keys = NULL;
    *count = 0;

    cca_request_init(&req, IBM4767_VERB_RETAINED_KEY_LIST, 1, &wb);
    req.device = admin_device(be, device);
    if (!cca_backend_call(be, &req, &reply, res))
        goto err;
    if (!ibm4767_get_u32(&reply.rb, &n) || n > IBM4767_RETAINED_MAX) {
        cca_result_set(res, CCA_RC_INTERNAL, CCA_RS_HOST_BAD_REPLY,
                       "retained key list reply has no count, or more than "
                       "%u keys", IBM4767_RETAINED_MAX);
        goto err;
    }
    list = n > 0 ? OPENSSL_zalloc(n * sizeof(*list)) : NULL;
    if (n > 0 && list == NULL) {
        cca_result_set(res, CCA_RC_INTERNAL, CCA_RS_HOST_NO_MEMORY,
                       "out of memory for a list of %u retained keys", n);
        goto err;
    }
    for (uint32_t i = 0; i < n; i++) {
        if (!read_list_entry(&reply.rb, &list[i])) {
            cca_result_set(res, CCA_RC_INTERNAL, CCA_RS_HOST_BAD_REPLY,
                           "retained key list reply: entry %u of %u is "
                           "incomplete or invalid", i + 1, n);
            goto err;
        }
    }
    if (!cca_reply_finish(&reply, res))
        goto err;
    *keys = list;
    *count = n;
    list = NULL;
    ret = 1;

err:
    cca_retained_key_list_free(list, n);
    cca_reply_free(&reply);
    ibm4767_wbuf_free(&wb);
    return ret;
}

int cca_retained_key_delete(struct cca_backend *be, int device,
                            const char *label, struct cca_result *res)
{
    char canonical[CCA_LABEL_TEXT_MAX + 1];
    struct cca_result local;
    struct cca_request req;
    struct cca_reply reply;
    struct ibm4767_wbuf wb;
    int ret = 0;

    if (res == NULL)
        res = &local;
    cca_result_init(res);
    ibm4767_wbuf_init(&wb);
    memset(&reply, 0, sizeof(reply));
    if (!check_device(be, device, res) || !check_label(label, canonical, res))
        goto err;

    ibm4767_put_bytes(&wb, canonical, strlen(canonical));
    /* Not resendable: after a lost reply the key may be gone already. */
    cca_request_init(&req, IBM4767_VERB_RETAINED_KEY_DELETE, 0, &wb);
    req.device = admin_device(be, device);
    ret = cca_backend_call(be, &req, &reply, res)
          && cca_reply_finish(&reply, res);
    if (!ret && res->rc == CCA_RC_ERROR
        && res->reason == CCA_RS_RETAINED_KEY_NOT_FOUND)
        snprintf(res->detail, sizeof(res->detail), "retained key %s not "
                 "found in %s", canonical, res->device_name);

err:
    cca_reply_free(&reply);
    ibm4767_wbuf_free(&wb);
    return ret;
}

int cca_retained_key_device(struct cca_backend *be, const uint8_t *token,
                            size_t token_len, int *device,
                            struct cca_result *res)
{
    struct cca_pka_token tok;
    struct cca_result local;

    if (res == NULL)
        res = &local;
    cca_result_init(res);
    if (!check_device(be, 0, res))
        return 0;
    if (token == NULL || device == NULL
        || !cca_token_parse(token, token_len, &tok, NULL, NULL, 0)
        || !tok.is_retained) {
        cca_result_set(res, CCA_RC_ERROR, CCA_RS_HOST_INVALID_ARGUMENT,
                       "the token is not a retained-key token, or no "
                       "device output was given");
        return 0;
    }
    cca_backend_check_fork(be);
    *device = find_holder(be, tok.retained_label, tok.retained_serial, res);
    return *device >= 0;
}
