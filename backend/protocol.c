/*
 * Frame codec of the wire protocol: the 16-byte header, the growable
 * payload writer and the bounds-checked payload reader.  Both the backend
 * and the emulator use it, so every check on received bytes lives here.
 */
#include <config.h>

#include <stdint.h>
#include <string.h>

#include <openssl/crypto.h>

#include <ibm4767/protocol.h>

static void store_u16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static void store_u32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static uint16_t load_u16(const uint8_t *p)
{
    return (uint16_t)((p[0] << 8) | p[1]);
}

static uint32_t load_u32(const uint8_t *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) |
           ((uint32_t)p[2] << 8) | (uint32_t)p[3];
}

void ibm4767_header_encode(const struct ibm4767_header *hdr,
                           uint8_t out[IBM4767_HEADER_LEN])
{
    store_u16(out, IBM4767_PROTO_MAGIC);
    out[2] = hdr->version;
    out[3] = hdr->flags;
    store_u16(out + 4, hdr->verb);
    store_u16(out + 6, 0);
    store_u32(out + 8, hdr->request_id);
    store_u32(out + 12, hdr->payload_len);
}

/*
 * The checks run in the order a receiver can act on them: a wrong magic
 * means the peer does not speak this protocol at all, a wrong version still
 * gets an error reply, and the reserved field is only defined for
 * version 1.  hdr is filled even when a check fails, so the
 * receiver can echo the request id and verb in its error reply.
 */
enum ibm4767_header_status
ibm4767_header_decode(const uint8_t in[IBM4767_HEADER_LEN],
                      struct ibm4767_header *hdr)
{
    hdr->version = in[2];
    hdr->flags = in[3];
    hdr->verb = load_u16(in + 4);
    hdr->request_id = load_u32(in + 8);
    hdr->payload_len = load_u32(in + 12);

    if (load_u16(in) != IBM4767_PROTO_MAGIC)
        return IBM4767_HEADER_BAD_MAGIC;
    if (hdr->version != IBM4767_PROTO_VERSION)
        return IBM4767_HEADER_BAD_VERSION;
    if (load_u16(in + 6) != 0)
        return IBM4767_HEADER_BAD_RESERVED;
    if (hdr->payload_len > IBM4767_FRAME_MAX)
        return IBM4767_HEADER_TOO_LONG;
    return IBM4767_HEADER_OK;
}

const char *ibm4767_header_status_text(enum ibm4767_header_status st)
{
    switch (st) {
    case IBM4767_HEADER_OK:
        return "valid header";
    case IBM4767_HEADER_BAD_MAGIC:
        return "invalid magic (expected 0x4767): the peer does not speak "
               "the ibm4767 protocol";
    case IBM4767_HEADER_BAD_VERSION:
        return "unsupported protocol version (expected 1): host and "
               "device software differ, install matching versions";
    case IBM4767_HEADER_BAD_RESERVED:
        return "reserved header field is not zero";
    case IBM4767_HEADER_TOO_LONG:
        return "payload length over the 1 MiB frame limit";
    }
    return "unknown header status";
}

struct verb_entry {
    uint16_t verb;
    const char *name;
};

/* The CCA verb of each request: the name logs and errors use. */
static const struct verb_entry verb_names[] = {
    { IBM4767_VERB_STATUS, "CSUACFQ" },
    { IBM4767_VERB_PKA_KEY_GENERATE, "CSNDPKG" },
    { IBM4767_VERB_PKA_KEY_IMPORT, "CSNDPKI" },
    { IBM4767_VERB_PKA_PUBLIC_EXTRACT, "CSNDPKX" },
    { IBM4767_VERB_DIGITAL_SIGNATURE_GENERATE, "CSNDDSG" },
    { IBM4767_VERB_DIGITAL_SIGNATURE_VERIFY, "CSNDDSV" },
    { IBM4767_VERB_PKA_DECRYPT, "CSNDPKD" },
    { IBM4767_VERB_PKA_ENCRYPT, "CSNDPKE" },
    { IBM4767_VERB_EC_DIFFIE_HELLMAN, "CSNDEDH" },
    { IBM4767_VERB_PKA_KEY_GENERATE_RETAINED, "CSNDPKG-RETAIN" },
    { IBM4767_VERB_RETAINED_KEY_LIST, "CSNDRKL" },
    { IBM4767_VERB_RETAINED_KEY_DELETE, "CSNDRKD" },
    { IBM4767_VERB_SYM_KEY_GENERATE, "CSNBKGN2" },
    /* CCA has no single verb for this request; the name says what it
     * does. */
    { IBM4767_VERB_SYM_KEY_IMPORT, "AES-CLEAR-KEY-IMPORT" },
    { IBM4767_VERB_SYM_ENCIPHER, "CSNBSAE" },
    { IBM4767_VERB_SYM_DECIPHER, "CSNBSAD" },
    { IBM4767_VERB_RANDOM_NUMBER_GENERATE, "CSNBRNGL" },
    /* Administration: CCA's verb where there is one, else what the
     * request does. */
    { IBM4767_VERB_ADMIN_RESET, "ADMIN-RESET" },
    { IBM4767_VERB_ADMIN_INJECT, "ADMIN-INJECT" },
    { IBM4767_VERB_ADMIN_FIRMWARE_LOAD, "FIRMWARE-LOAD" },
    { IBM4767_VERB_ADMIN_FIRMWARE_UNLOAD, "FIRMWARE-UNLOAD" },
    { IBM4767_VERB_ADMIN_BATTERY_REPLACED, "BATTERY-REPLACED" },
    { IBM4767_VERB_MK_LOAD_PART, "CSNBMKP" },
    { IBM4767_VERB_MK_SET, "CSNBMKP" },
    { IBM4767_VERB_MK_CLEAR, "CSNBMKP" },
    { IBM4767_VERB_ACP_QUERY, "ACP-QUERY" },
    { IBM4767_VERB_ACP_SET, "ACP-SET" },
    { IBM4767_VERB_KEY_TOKEN_CHANGE, "CSNDKTC" },
    { IBM4767_VERB_VALIDATION_CHAIN, "VALIDATION-CHAIN" },
};

const char *ibm4767_verb_name(uint16_t verb)
{
    for (size_t i = 0; i < sizeof(verb_names) / sizeof(verb_names[0]); i++) {
        if (verb_names[i].verb == verb)
            return verb_names[i].name;
    }
    return "unknown verb";
}

int ibm4767_verb_known(uint16_t verb)
{
    for (size_t i = 0; i < sizeof(verb_names) / sizeof(verb_names[0]); i++) {
        if (verb_names[i].verb == verb)
            return 1;
    }
    return 0;
}

void ibm4767_wbuf_init(struct ibm4767_wbuf *wb)
{
    memset(wb, 0, sizeof(*wb));
}

void ibm4767_wbuf_free(struct ibm4767_wbuf *wb)
{
    OPENSSL_clear_free(wb->data, wb->cap);
    memset(wb, 0, sizeof(*wb));
}

/*
 * Make room for n more bytes.  The buffer grows through
 * OPENSSL_clear_realloc so that no copy of an earlier, key-bearing payload
 * is left behind in freed memory.
 */
static int wbuf_reserve(struct ibm4767_wbuf *wb, size_t n)
{
    size_t cap;
    uint8_t *p;

    if (wb->failed)
        return 0;
    if (n > IBM4767_FRAME_MAX - wb->len) {
        wb->failed = 1;
        return 0;
    }
    if (wb->len + n <= wb->cap)
        return 1;

    cap = wb->cap ? wb->cap : 256;
    while (cap < wb->len + n)
        cap *= 2;
    if (cap > IBM4767_FRAME_MAX)
        cap = IBM4767_FRAME_MAX;

    p = OPENSSL_clear_realloc(wb->data, wb->cap, cap);
    if (p == NULL) {
        wb->failed = 1;
        return 0;
    }
    wb->data = p;
    wb->cap = cap;
    return 1;
}

int ibm4767_put_u32(struct ibm4767_wbuf *wb, uint32_t v)
{
    if (!wbuf_reserve(wb, 4))
        return 0;

    store_u32(wb->data + wb->len, v);
    wb->len += 4;
    return 1;
}

int ibm4767_put_bytes(struct ibm4767_wbuf *wb, const void *p, size_t n)
{
    if (n > IBM4767_FRAME_MAX || (n > 0 && p == NULL)) {
        wb->failed = 1;
        return 0;
    }
    if (!wbuf_reserve(wb, 4 + n))
        return 0;

    store_u32(wb->data + wb->len, (uint32_t)n);
    if (n > 0)
        memcpy(wb->data + wb->len + 4, p, n);
    wb->len += 4 + n;
    return 1;
}

void ibm4767_rbuf_init(struct ibm4767_rbuf *rb, const void *p, size_t n)
{
    rb->data = p;
    rb->len = p != NULL ? n : 0;
    rb->pos = 0;
}

int ibm4767_get_u32(struct ibm4767_rbuf *rb, uint32_t *v)
{
    if (rb->len - rb->pos < 4)
        return 0;

    *v = load_u32(rb->data + rb->pos);
    rb->pos += 4;
    return 1;
}

/* A failed read leaves the position where it was. */
int ibm4767_get_bytes(struct ibm4767_rbuf *rb, const uint8_t **p, size_t *n)
{
    size_t avail = rb->len - rb->pos;
    uint32_t field_len;

    if (avail < 4)
        return 0;
    field_len = load_u32(rb->data + rb->pos);
    if (field_len > avail - 4)
        return 0;

    *p = rb->data + rb->pos + 4;
    *n = field_len;
    rb->pos += 4 + (size_t)field_len;
    return 1;
}

int ibm4767_rbuf_done(const struct ibm4767_rbuf *rb)
{
    return rb->pos == rb->len;
}
