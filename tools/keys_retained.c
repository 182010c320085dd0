/*
 * ibm4767-keys and retained keys: generate --retain, the device's part of
 * delete, and the device that list and show name.  The key record of a
 * retained key contains its retained-key token, which names the label and
 * the serial number of the device that keeps the private key.  The
 * private key never leaves that device.
 */
#include <config.h>

#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

#include <ibm4767/admin.h>

#include "keys.h"

/* "CRP02 (/run/ibm4767/crp02.sock, serial 1A2B3C4D)" for device index
 * device. */
static const char *device_text(struct cca_backend *be, int device,
                               const char *serial, char *buf, size_t len)
{
    const char *path = cca_backend_device_path(be, device);

    snprintf(buf, len, "CRP%02d (%s, serial %s)", device + 1,
             path != NULL ? path : "?", serial);
    return buf;
}

/* Remove the key the device just made, after its token could not be
 * stored, so that no key is left that nothing refers to. */
static void undo_generate(struct cca_backend *be, int device,
                          const char *label)
{
    struct cca_result res;
    char text[1024];

    if (cca_retained_key_delete(be, device, label, &res)) {
        fprintf(stderr, KEYS_PROGRAM " generate: the retained key %s was "
                "deleted in the device again\n", label);
        return;
    }
    fprintf(stderr, KEYS_PROGRAM " generate: the retained key %s stays in "
            "CRP%02d, because deleting it failed too (%s); delete it with '"
            "ibm4767-clu --device %s retained delete %s'\n", label,
            device + 1, cca_result_text(&res, text, sizeof(text)),
            res.device_path, label);
}

static int generate_failed(const char *label, const struct cca_result *res)
{
    if (res->rc == CCA_RC_ERROR && res->reason == CCA_RS_LABEL_EXISTS)
        return keys_fail("generate", "%u/%u: %s (%s) already holds a "
                         "retained key %s; delete it with 'ibm4767-clu "
                         "--device %s retained delete %s', or choose another "
                         "label", res->rc, res->reason, res->device_name,
                         res->device_path, label, res->device_path, label);
    if (res->reason == CCA_RS_VERB_UNKNOWN)
        return keys_fail("generate", "%s (%s) does not support retained "
                         "keys (%u/%u); update its ibm4767-emud",
                         res->device_name, res->device_path, res->rc,
                         res->reason);
    return keys_fail_result("generate", "generating the retained key in the "
                            "coprocessor", res);
}

int keys_generate_retained(struct keys_options *opts, const char *label,
                           uint32_t alg, uint32_t size, uint32_t usage,
                           const char *out)
{
    struct cca_keystore *ks = NULL;
    struct cca_backend *be = NULL;
    struct cca_pka_token tok;
    struct cca_result res;
    uint8_t *token = NULL;
    size_t token_len = 0;
    char where[256];
    int device, ret = KEYS_EXIT_FAILED;

    ks = keys_open_storage(opts, "generate", CCA_KEYSTORE_CREATE);
    if (ks == NULL)
        goto err;
    ret = keys_check_label_free(ks, "generate", label);
    if (ret >= 0)
        goto err;
    ret = KEYS_EXIT_FAILED;
    be = keys_open_backend(opts, "generate");
    if (be == NULL)
        goto err;
    if (!cca_pka_key_generate_retained(be, -1, label, alg, size, NULL, 0,
                                       usage, &token, &token_len, &res)) {
        ret = generate_failed(label, &res);
        goto err;
    }
    device = res.device;
    if (!cca_token_parse(token, token_len, &tok, NULL, NULL, 0)
        || !tok.is_retained) {
        keys_fail("generate", "%s returned a token that is not a "
                  "retained-key token", res.device_name);
        undo_generate(be, device, label);
        goto err;
    }
    device_text(be, device, tok.retained_serial, where, sizeof(where));

    if (!cca_key_record_create(ks, label, alg, token, token_len, &res)) {
        keys_fail_result("generate", "storing the retained key's token",
                         &res);
        undo_generate(be, device, label);
        goto err;
    }
    printf("stored %s key %s in %s; its private key is retained in device "
           "%s\n", cca_key_type_name(alg), label, cca_keystore_path(ks),
           where);
    ret = KEYS_EXIT_OK;
    if (out != NULL && !keys_write_token_pem("generate", out, token,
                                             token_len))
        ret = KEYS_EXIT_FAILED;

err:
    OPENSSL_free(token);
    cca_backend_free(be);
    cca_keystore_free(ks);
    return ret;
}

/* Whether a failed delete means that the key is gone anyway. */
static int key_is_gone(const struct cca_result *res)
{
    return (res->rc == CCA_RC_ERROR
            && res->reason == CCA_RS_RETAINED_KEY_NOT_FOUND)
           || (res->rc == CCA_RC_SETUP && res->reason == CCA_RS_ZEROIZED);
}

static int delete_failed(const char *label, const char *what,
                         const struct cca_result *res)
{
    char text[1024];

    return keys_fail("delete", "%s: %s; the key record %s is kept: start "
                     "the device that holds the key and delete again, or, "
                     "if that device is gone for good, remove only the "
                     "record with '" KEYS_PROGRAM " delete --record-only %s'",
                     what, cca_result_text(res, text, sizeof(text)), label,
                     label);
}

int keys_delete_retained(struct keys_options *opts, struct cca_keystore *ks,
                         const char *label)
{
    struct cca_key_record rec;
    struct cca_backend *be = NULL;
    struct cca_pka_token tok;
    struct cca_result res;
    char where[256];
    int device, ret = -1;

    if (!cca_key_record_read(ks, label, &rec, &res))
        return -1;   /* the record delete reports it */
    if ((rec.type != CCA_KEY_TYPE_RSA && rec.type != CCA_KEY_TYPE_EC)
        || !cca_token_parse(rec.token, rec.token_len, &tok, NULL, NULL, 0)
        || !tok.is_retained)
        goto done;

    be = keys_open_backend(opts, "delete");
    if (be == NULL) {
        ret = KEYS_EXIT_FAILED;
        goto done;
    }
    if (!cca_retained_key_device(be, rec.token, rec.token_len, &device,
                                 &res)) {
        ret = delete_failed(label, "finding the device that holds the "
                            "retained key", &res);
        goto done;
    }
    device_text(be, device, tok.retained_serial, where, sizeof(where));
    if (cca_retained_key_delete(be, device, tok.retained_label, &res))
        printf("deleted retained key %s in device %s\n",
               tok.retained_label, where);
    else if (key_is_gone(&res))
        printf("retained key %s is no longer in device %s (%u/%u)\n",
               tok.retained_label, where, res.rc, res.reason);
    else
        ret = delete_failed(label, "deleting the retained key in the "
                            "device", &res);

done:
    cca_backend_free(be);
    cca_key_record_clear(&rec);
    return ret;
}

const char *keys_retained_location(struct keys_options *opts,
                                   struct cca_backend **be,
                                   const struct cca_key_record *rec,
                                   const struct cca_pka_token *tok,
                                   char *buf, size_t len)
{
    struct cca_result res;
    char where[256];
    int device;

    if (*be == NULL)
        *be = keys_open_backend(opts, "list");
    if (*be != NULL
        && cca_retained_key_device(*be, rec->token, rec->token_len, &device,
                                   &res))
        snprintf(buf, len, "retained in device %s",
                 device_text(*be, device, tok->retained_serial, where,
                             sizeof(where)));
    else
        snprintf(buf, len, "retained in the device with serial %s, which "
                 "no configured device answers to", tok->retained_serial);
    return buf;
}
