/*
 * Access control points: switches in the device state that allow or
 * forbid classes of operations, as the points of a CCA role do.  A request
 * whose point is disabled gets 8/90 without running.  The device has one
 * role, so the points apply to every caller; a new device has all of them
 * enabled.  The state directory keeps the disabled ones (admin_state.c).
 */
#include <config.h>

#include <stdio.h>
#include <string.h>

#include <ibm4767/codes.h>
#include <ibm4767/log.h>

#include "admin.h"

static const struct {
    const char *name;
    const char *description;
} acp_table[EMU_ACP_COUNT] = {
    [EMU_ACP_CLEAR_KEY_IMPORT] = { "clear-key-import",
        "import clear RSA, EC and AES keys (CSNDPKI, AES clear key "
        "import)" },
    [EMU_ACP_KEY_GENERATE] = { "key-generate",
        "generate RSA, EC and AES keys (CSNDPKG, CSNBKGN2)" },
    [EMU_ACP_DECRYPT_TLS] = { "decrypt-tls",
        "RSA decryption with the TLS premaster secret padding (CSNDPKD)" },
    [EMU_ACP_RETAINED_KEY_CREATE] = { "retained-key-create",
        "generate RSA and EC keys retained inside the coprocessor "
        "(CSNDPKG RETAIN; key-generate is needed too)" },
    [EMU_ACP_KEY_TOKEN_CHANGE] = { "key-token-change",
        "re-encipher key tokens from the old to the current master key "
        "(CSNDKTC, CSNBKTC)" },
    [EMU_ACP_RETAINED_KEY_DELETE] = { "retained-key-delete",
        "delete keys retained inside the coprocessor (CSNDRKD)" },
};

const char *emu_acp_name(enum emu_acp point)
{
    if (point < 0 || point >= EMU_ACP_COUNT)
        return "none";
    return acp_table[point].name;
}

enum emu_acp emu_acp_find(const char *name, size_t len)
{
    for (int i = 0; i < EMU_ACP_COUNT; i++) {
        if (strlen(acp_table[i].name) == len
            && memcmp(acp_table[i].name, name, len) == 0)
            return (enum emu_acp)i;
    }
    return EMU_ACP_NONE;
}

/* The padding of a PKA_DECRYPT request is its first field. */
static uint32_t decrypt_padding(const struct emu_job *job)
{
    struct ibm4767_rbuf rb;
    uint32_t padding = 0;

    ibm4767_rbuf_init(&rb, job->payload, job->payload_len);
    if (!ibm4767_get_u32(&rb, &padding))
        return 0;
    return padding;
}

enum emu_acp emu_acp_for_request(const struct emu_job *job)
{
    switch (job->hdr.verb) {
    case IBM4767_VERB_PKA_KEY_IMPORT:
    case IBM4767_VERB_SYM_KEY_IMPORT:
        return EMU_ACP_CLEAR_KEY_IMPORT;
    case IBM4767_VERB_PKA_KEY_GENERATE:
    case IBM4767_VERB_SYM_KEY_GENERATE:
        return EMU_ACP_KEY_GENERATE;
    case IBM4767_VERB_PKA_DECRYPT:
        return decrypt_padding(job) == CCA_PAD_TLS ? EMU_ACP_DECRYPT_TLS
                                                   : EMU_ACP_NONE;
    case IBM4767_VERB_KEY_TOKEN_CHANGE:
        return EMU_ACP_KEY_TOKEN_CHANGE;
    case IBM4767_VERB_PKA_KEY_GENERATE_RETAINED:
        return EMU_ACP_RETAINED_KEY_CREATE;
    case IBM4767_VERB_RETAINED_KEY_DELETE:
        return EMU_ACP_RETAINED_KEY_DELETE;
    default:
        return EMU_ACP_NONE;
    }
}

int emu_acp_check(struct emu_device *dev, enum emu_acp point,
                  struct emu_result *res)
{
    if (point == EMU_ACP_NONE)
        return 1;
    if ((atomic_load(&dev->admin->acp_disabled) & (1u << point)) == 0)
        return 1;
    return emu_fail(res, CCA_RC_ERROR, CCA_RS_ACCESS_DENIED,
                    "access control point %s is disabled; enable it with "
                    "'ibm4767-clu acp enable %s'", acp_table[point].name,
                    acp_table[point].name);
}

/* ACP_QUERY.  Request: no fields.  Reply: u32 count, then per point bytes
 * name, u32 enabled, bytes description. */
int emu_verb_acp_query(struct emu_device *dev, struct ibm4767_rbuf *req,
                       struct ibm4767_wbuf *reply, struct emu_result *res)
{
    unsigned disabled = atomic_load(&dev->admin->acp_disabled);
    int ok;

    if (!emu_request_done(req, res))
        return 0;
    ok = ibm4767_put_u32(reply, EMU_ACP_COUNT);
    for (int i = 0; i < EMU_ACP_COUNT; i++) {
        ok &= ibm4767_put_bytes(reply, acp_table[i].name,
                                strlen(acp_table[i].name));
        ok &= ibm4767_put_u32(reply, (disabled & (1u << i)) == 0);
        ok &= ibm4767_put_bytes(reply, acp_table[i].description,
                                strlen(acp_table[i].description));
    }
    return ok;
}

/* ACP_SET.  Request: bytes name, u32 enabled.  Reply: no fields.  Runs
 * under the exclusive lock, so the file and the bits change together. */
int emu_verb_acp_set(struct emu_device *dev, struct ibm4767_rbuf *req,
                     struct ibm4767_wbuf *reply, struct emu_result *res)
{
    const uint8_t *name;
    size_t name_len;
    uint32_t enabled;
    enum emu_acp point;
    unsigned disabled;
    char err[256];

    (void)reply;
    if (!ibm4767_get_bytes(req, &name, &name_len))
        return emu_request_short(res, "name");
    if (!ibm4767_get_u32(req, &enabled))
        return emu_request_short(res, "enabled");
    if (!emu_request_done(req, res))
        return 0;
    if (enabled > 1)
        return emu_fail(res, CCA_RC_ERROR, CCA_RS_FRAME_INVALID,
                        "enabled is %u; expected 0 or 1", enabled);
    point = emu_acp_find((const char *)name, name_len);
    if (point == EMU_ACP_NONE)
        return emu_fail(res, CCA_RC_ERROR, CCA_RS_KEYWORD_INVALID,
                        "no access control point is named '%.*s'; list "
                        "them with 'ibm4767-clu acp list'",
                        (int)(name_len > IBM4767_ACP_NAME_MAX
                                  ? IBM4767_ACP_NAME_MAX : name_len),
                        (const char *)name);

    disabled = atomic_load(&dev->admin->acp_disabled);
    if (enabled)
        disabled &= ~(1u << point);
    else
        disabled |= 1u << point;
    if (!emu_state_save_acp(&dev->state, disabled, err, sizeof(err)))
        return emu_fail(res, CCA_RC_INTERNAL, CCA_RS_DEVICE_BUSY_INTERNAL,
                        "cannot save the access control points: %s", err);
    dev->state.acp_disabled = disabled;
    atomic_store(&dev->admin->acp_disabled, disabled);
    IBM4767_INFO("access control point %s %s", acp_table[point].name,
                 enabled ? "enabled" : "disabled");
    return 1;
}
