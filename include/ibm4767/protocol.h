/*
 * Wire protocol between the host (backend, tools) and the coprocessor
 * (ibm4767-emud): framed messages over a Unix stream socket.
 *
 * Every frame starts with a fixed 16-byte header in network byte order:
 *
 *   offset size field
 *   0      2    magic          0x4767
 *   2      1    version        IBM4767_PROTO_VERSION
 *   3      1    flags          IBM4767_FLAG_REPLY on replies
 *   4      2    verb           enum ibm4767_verb
 *   6      2    reserved       0
 *   8      4    request id     chosen by the host, echoed in the reply
 *   12     4    payload length bytes that follow, at most IBM4767_FRAME_MAX
 *
 * A request payload is the verb's fields in order.  A reply payload starts
 * with three u32 fields (CCA return code, CCA reason code, device-driver
 * code or 0), followed by the verb's output fields when the return code is
 * 0 or 4.  Fields are either a u32 (4 bytes, big-endian) or a byte string
 * (u32 length, then the bytes).  doc/protocol.md lists the fields per verb.
 */
#ifndef IBM4767_PROTOCOL_H
#define IBM4767_PROTOCOL_H

#include <stddef.h>
#include <stdint.h>

#define IBM4767_PROTO_MAGIC   0x4767u
#define IBM4767_PROTO_VERSION 1u
#define IBM4767_HEADER_LEN    16u
/* Largest payload either side accepts; a longer length field closes the
 * connection after an error reply. */
#define IBM4767_FRAME_MAX     (1024u * 1024u)

#define IBM4767_FLAG_REPLY    0x01u

enum ibm4767_verb {
    /* Facility query (CSUACFQ).  Request: u32 flags (IBM4767_STATUS_*),
     * bytes nonce (may be empty).  Reply fields, in order:
     *   u32 state (enum cca_device_state), u32 self-test ms remaining,
     *   bytes serial, bytes description, bytes firmware version,
     *   u32 active warning driver code (0 if none),
     *   6 x (u32 register state, bytes 8-byte MKVP) for AES new, current,
     *   old, then APKA new, current, old,
     *   u32 segment count, then per segment (bytes image, bytes hash hex),
     *   u32 counter count, then per counter (bytes name, u32 high 32 bits,
     *   u32 low 32 bits),
     *   bytes signature (empty unless IBM4767_STATUS_SIGNED was asked).
     * The status verb is served in every device state, so its reply
     * always carries rc 0. */
    IBM4767_VERB_STATUS = 0x0001,

    /* PKA key generate (CSNDPKG).  Request: u32 algorithm (CCA_ALG_*),
     * u32 size (RSA modulus bits, or the curve's NID for EC), bytes public
     * exponent (RSA, big-endian, empty for 65537), u32 usage (CCA_USAGE_*).
     * Reply: bytes token. */
    IBM4767_VERB_PKA_KEY_GENERATE = 0x0101,

    /* PKA key import (CSNDPKI).  Request: u32 algorithm, u32 usage,
     * bytes key value structure (see cca.h: RSA components or EC curve and
     * private scalar).  Reply: bytes token. */
    IBM4767_VERB_PKA_KEY_IMPORT = 0x0102,

    /* PKA public key extract (CSNDPKX).  Request: bytes token.
     * Reply: bytes public token (external 0x1E, public section only). */
    IBM4767_VERB_PKA_PUBLIC_EXTRACT = 0x0103,

    /* Digital signature generate (CSNDDSG).  Request: u32 scheme
     * (CCA_SIG_*), u32 hash NID (0 for none), u32 MGF1 NID, u32 salt length,
     * bytes token, bytes hash.  Reply: bytes signature (RSA: modulus-sized;
     * ECDSA: r||s, each the size of the group order). */
    IBM4767_VERB_DIGITAL_SIGNATURE_GENERATE = 0x0110,

    /* Digital signature verify (CSNDDSV).  Request as for generate, plus
     * bytes signature.  Reply: no fields; 4/429 when it does not verify. */
    IBM4767_VERB_DIGITAL_SIGNATURE_VERIFY = 0x0111,

    /* PKA decrypt (CSNDPKD).  Request: u32 padding (CCA_PAD_*), u32 OAEP
     * NID, u32 MGF1 NID, bytes OAEP label, u32 TLS client version, u32 TLS
     * alternative version, bytes token, bytes ciphertext.
     * Reply: bytes plaintext. */
    IBM4767_VERB_PKA_DECRYPT = 0x0120,

    /* PKA encrypt (CSNDPKE).  Same request as decrypt with plaintext in
     * place of ciphertext.  Reply: bytes ciphertext. */
    IBM4767_VERB_PKA_ENCRYPT = 0x0121,

    /* EC Diffie-Hellman (CSNDEDH).  Request: bytes token, bytes peer public
     * point (uncompressed or compressed octet string).  Reply: bytes shared
     * secret (the x coordinate, the size of the field). */
    IBM4767_VERB_EC_DIFFIE_HELLMAN = 0x0130,

    /* Random number generate (CSNBRNGL).  Request: u32 length (at most
     * IBM4767_RANDOM_MAX).  Reply: bytes random. */
    IBM4767_VERB_RANDOM_NUMBER_GENERATE = 0x0301,
};

/* Largest random number request per call. */
#define IBM4767_RANDOM_MAX 8192u

/* STATUS request flags. */
#define IBM4767_STATUS_SIGNED 0x01u /* sign the reply with the device key */

struct ibm4767_header {
    uint8_t version;
    uint8_t flags;
    uint16_t verb;
    uint32_t request_id;
    uint32_t payload_len;
};

/* Header validation results of ibm4767_header_decode(). */
enum ibm4767_header_status {
    IBM4767_HEADER_OK = 0,
    IBM4767_HEADER_BAD_MAGIC,
    IBM4767_HEADER_BAD_VERSION,
    IBM4767_HEADER_BAD_RESERVED,
    IBM4767_HEADER_TOO_LONG,
};

void ibm4767_header_encode(const struct ibm4767_header *hdr,
                           uint8_t out[IBM4767_HEADER_LEN]);
enum ibm4767_header_status
ibm4767_header_decode(const uint8_t in[IBM4767_HEADER_LEN],
                      struct ibm4767_header *hdr);
const char *ibm4767_header_status_text(enum ibm4767_header_status st);
const char *ibm4767_verb_name(uint16_t verb);
int ibm4767_verb_known(uint16_t verb);

/*
 * Growable output buffer for payloads.  All put functions return 1 on
 * success and 0 when memory runs out or the payload would pass
 * IBM4767_FRAME_MAX; after a failure the buffer stays failed.
 */
struct ibm4767_wbuf {
    uint8_t *data;
    size_t len;
    size_t cap;
    int failed;
};

void ibm4767_wbuf_init(struct ibm4767_wbuf *wb);
/* Free the buffer, cleansing its contents first (payloads carry keys). */
void ibm4767_wbuf_free(struct ibm4767_wbuf *wb);
int ibm4767_put_u32(struct ibm4767_wbuf *wb, uint32_t v);
int ibm4767_put_bytes(struct ibm4767_wbuf *wb, const void *p, size_t n);

/*
 * Bounds-checked reader over a received payload.  Get functions return 1 on
 * success and 0 when the field is missing or its length runs past the end;
 * byte strings are returned as pointers into the payload (no copy).
 */
struct ibm4767_rbuf {
    const uint8_t *data;
    size_t len;
    size_t pos;
};

void ibm4767_rbuf_init(struct ibm4767_rbuf *rb, const void *p, size_t n);
int ibm4767_get_u32(struct ibm4767_rbuf *rb, uint32_t *v);
int ibm4767_get_bytes(struct ibm4767_rbuf *rb, const uint8_t **p, size_t *n);
/* Returns 1 when every byte of the payload has been read. */
int ibm4767_rbuf_done(const struct ibm4767_rbuf *rb);

#endif
