/*
 * Verbs of retained keys: PKA key generate with the RETAIN rule
 * (CSNDPKG), retained key list (CSNDRKL) and retained key delete
 * (CSNDRKD).  protocol.h gives their fields; retained.c keeps the keys.
 *
 * Access control: job_begin checks retained-key-create for a generate
 * request and retained-key-delete for a delete request (acp.c), and the
 * generate handler checks key-generate as well, as a plain key generate
 * request needs it.
 */
#include <config.h>

#include <string.h>

#include <openssl/crypto.h>

#include <ibm4767/codes.h>

#include "admin.h"
#include "retained.h"

/* Read the label field into its canonical text; 8/32 when invalid. */
static int read_label(struct ibm4767_rbuf *req,
                      char label[CCA_LABEL_TEXT_MAX + 1],
                      struct emu_result *res)
{
    char text[CCA_LABEL_TEXT_MAX + 1];
    char detail[200];
    const uint8_t *p;
    size_t len;

    if (!ibm4767_get_bytes(req, &p, &len))
        return emu_request_short(res, "label");
    if (len == 0 || len > CCA_LABEL_TEXT_MAX || memchr(p, '\0', len) != NULL)
        return emu_fail(res, CCA_RC_ERROR, CCA_RS_LABEL_INVALID,
                        "label field of %zu bytes is empty, longer than %d "
                        "characters or holds a NUL byte", len,
                        CCA_LABEL_TEXT_MAX);
    memcpy(text, p, len);
    text[len] = '\0';
    if (!cca_label_parse(text, label, detail, sizeof(detail)))
        return emu_fail(res, CCA_RC_ERROR, CCA_RS_LABEL_INVALID, "%s",
                        detail);
    return 1;
}

/* PKA_KEY_GENERATE_RETAINED: the label, then a key generate request that
 * the plain handler reads and carries out. */
int emu_verb_pka_key_generate_retained(struct emu_device *dev,
                                       struct ibm4767_rbuf *req,
                                       struct ibm4767_wbuf *reply,
                                       struct emu_result *res)
{
    char label[CCA_LABEL_TEXT_MAX + 1];
    struct ibm4767_wbuf generated;
    struct ibm4767_rbuf rb;
    const uint8_t *token;
    uint8_t *retained = NULL;
    size_t token_len, retained_len = 0;
    int ok = 0;

    ibm4767_wbuf_init(&generated);
    if (!read_label(req, label, res)
        || !emu_acp_check(dev, EMU_ACP_KEY_GENERATE, res))
        goto err;
    /* Fail before the key generation's work when the label is taken;
     * emu_retained_create checks again under its lock. */
    if (emu_retained_exists(dev, label)) {
        emu_fail(res, CCA_RC_ERROR, CCA_RS_LABEL_EXISTS,
                 "the device already holds a retained key %s", label);
        goto err;
    }

    if (!emu_verb_pka_key_generate(dev, req, &generated, res))
        goto err;
    ibm4767_rbuf_init(&rb, generated.data, generated.len);
    if (generated.failed || !ibm4767_get_bytes(&rb, &token, &token_len)) {
        emu_fail(res, CCA_RC_INTERNAL, CCA_RS_DEVICE_BUSY_INTERNAL,
                 "the generated key's token was not written: out of "
                 "memory");
        goto err;
    }
    if (!emu_retained_create(dev, label, token, token_len, &retained,
                             &retained_len, res))
        goto err;
    ok = ibm4767_put_bytes(reply, retained, retained_len);

err:
    OPENSSL_free(retained);
    ibm4767_wbuf_free(&generated);
    return ok;
}

/* RETAINED_KEY_LIST.  Request: no fields. */
int emu_verb_retained_key_list(struct emu_device *dev,
                               struct ibm4767_rbuf *req,
                               struct ibm4767_wbuf *reply,
                               struct emu_result *res)
{
    if (!emu_request_done(req, res))
        return 0;
    return emu_retained_put_list(dev, reply);
}

/* RETAINED_KEY_DELETE.  Request: bytes label.  Reply: no fields. */
int emu_verb_retained_key_delete(struct emu_device *dev,
                                 struct ibm4767_rbuf *req,
                                 struct ibm4767_wbuf *reply,
                                 struct emu_result *res)
{
    char label[CCA_LABEL_TEXT_MAX + 1];

    (void)reply;
    if (!read_label(req, label, res) || !emu_request_done(req, res))
        return 0;
    return emu_retained_delete(dev, label, res);
}
