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
     *   bytes signature (empty unless IBM4767_STATUS_SIGNED was asked),
     *   bytes timing profile name (empty when the profile is off),
     *   u32 operation class count, then per class (bytes name, bytes
     *   engine, u32 units of that engine, u32 service us, u32 service us
     *   per KiB of data, u32 latency us outside the engine).
     * The profile fields are not signed, and a host accepts a reply that
     * ends after the signature.  The counters end with two gauges,
     * in-flight and max-in-flight: requests handed to an engine whose
     * reply is not sent yet.
     * The status verb is served in every device state, so its reply
     * carries rc 0, except a signed one from a zeroized device (12/4768:
     * the device key is gone).  The warning field holds the tamper code
     * of a zeroized device, else an RNG fault or a code reported once
     * (cleared by this reply), else the battery warning. */
    IBM4767_VERB_STATUS = 0x0001,

    /* PKA key generate (CSNDPKG).  Request: u32 algorithm (CCA_ALG_*),
     * u32 size (RSA modulus bits, or the curve's NID for EC), bytes public
     * exponent (RSA, big-endian, empty for 65537), u32 usage (CCA_USAGE_*),
     * then for an RSA-PSS key the four RSA-PSS fields below.
     * Reply: bytes token. */
    IBM4767_VERB_PKA_KEY_GENERATE = 0x0101,

    /* PKA key import (CSNDPKI).  Request: u32 algorithm, u32 usage,
     * bytes key value structure (see cca.h: RSA components or EC curve and
     * private scalar), then for an RSA-PSS key the four RSA-PSS fields.
     * Reply: bytes token.
     *
     * RSA-PSS fields, for RSA only and all four or none: u32 1 (an
     * RSA-PSS key), u32 digest NID, u32 MGF1 digest NID and u32 minimum
     * salt length in bytes.  A digest NID of 0 requests no restrictions,
     * and the other two must then be 0.  The token gets the RSA-PSS
     * section (ibm4767/token.h).  Usage 0 then means signature only, and
     * usage with CCA_USAGE_KEY_MGMT fails with 8/4780. */
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

    /* PKA key generate with CCA's RETAIN rule (CSNDPKG RETAIN): the
     * private key stays inside the device under a label and never leaves
     * it.  Request: bytes label (the canonical label text of
     * ibm4767/keystore.h, 1 to 63 characters), then the fields of
     * PKA_KEY_GENERATE.  Reply: bytes retained-key token (ibm4767/token.h),
     * which names the label and the device's serial number.  8/44 when
     * the device already keeps a retained key with this label, 8/4788
     * when it keeps IBM4767_RETAINED_MAX of them, 8/90 when the access
     * control point retained-key-create or key-generate is disabled.
     * Every verb that takes a token accepts a retained-key token on the
     * device that keeps its key, and fails with 8/4787 on any other. */
    IBM4767_VERB_PKA_KEY_GENERATE_RETAINED = 0x0104,

    /* Retained key list (CSNDRKL).  Request: no fields.  Reply: u32
     * count, then per key, sorted by label: bytes label, bytes its
     * retained-key token, u32 high and u32 low 32 bits of the creation
     * time (seconds since the Unix epoch, UTC). */
    IBM4767_VERB_RETAINED_KEY_LIST = 0x0140,

    /* Retained key delete (CSNDRKD).  Request: bytes label.  Reply: no
     * fields.  The device erases the key; 8/4787 when it keeps none with
     * this label, 8/90 when the access control point retained-key-delete
     * is disabled. */
    IBM4767_VERB_RETAINED_KEY_DELETE = 0x0141,

    /* EC Diffie-Hellman (CSNDEDH).  Request: bytes token, bytes peer public
     * point (uncompressed or compressed octet string).  Reply: bytes shared
     * secret (the x coordinate, the size of the field). */
    IBM4767_VERB_EC_DIFFIE_HELLMAN = 0x0130,

    /* Symmetric key generate (CSNBKGN2).  Request: u32 algorithm
     * (CCA_SYM_ALG_AES), u32 key bits (128, 192 or 256), u32 usage
     * (CCA_SYM_USAGE_* bits), u32 mode restriction (CCA_SYM_MODE_*, or 0
     * for every mode).  Reply: bytes token (ibm4767/symtoken.h). */
    IBM4767_VERB_SYM_KEY_GENERATE = 0x0201,

    /* Symmetric key import of a clear key.  Request: u32 algorithm, u32
     * usage, u32 mode restriction as for generate, bytes clear key (16, 24
     * or 32 bytes).  Reply: bytes token. */
    IBM4767_VERB_SYM_KEY_IMPORT = 0x0202,

    /* Symmetric encipher (CSNBSAE).  Request: u32 mode (CCA_SYM_MODE_*),
     * u32 chaining step (CCA_SYM_CHAIN_*), u32 key form (CCA_SYM_KEY_CLEAR:
     * the key field is the clear key; CCA_SYM_KEY_TOKEN: it is a token),
     * bytes key, bytes IV (ONLY and INITIAL, empty for ECB), bytes chaining
     * vector (CONTINUE and FINAL: as the previous reply of the chain
     * returned it; empty otherwise), bytes AAD (GCM only, and only until
     * the chain's first data byte), u32 tag length (GCM ONLY and FINAL: 4
     * to 16; 0 otherwise), bytes tag (empty), bytes data (at most
     * IBM4767_SYM_DATA_MAX; ECB and CBC: a multiple of 16 bytes).
     * Reply: bytes output (as long as the data), bytes chaining vector
     * (INITIAL and CONTINUE; empty otherwise), bytes tag (GCM ONLY and
     * FINAL; empty otherwise).  The chaining vector is opaque to the host
     * and valid only on the device that returned it, until it restarts. */
    IBM4767_VERB_SYM_ENCIPHER = 0x0210,

    /* Symmetric decipher (CSNBSAD).  Request as for encipher, with the
     * tag to check in the tag field (GCM ONLY and FINAL: as many bytes as
     * the tag length says).  Reply: bytes output, bytes chaining vector,
     * bytes tag (always empty).  A tag that does not match fails with
     * 8/2947 and returns no output. */
    IBM4767_VERB_SYM_DECIPHER = 0x0211,

    /* Random number generate (CSNBRNGL).  Request: u32 length (at most
     * IBM4767_RANDOM_MAX).  Reply: bytes random. */
    IBM4767_VERB_RANDOM_NUMBER_GENERATE = 0x0301,

    /*
     * Administration verbs.  The device accepts them only from a peer
     * that runs as the daemon's user or as root (SO_PEERCRED) and returns
     * 8/90 to anyone else.  ACP_QUERY, KEY_TOKEN_CHANGE and
     * VALIDATION_CHAIN are the exceptions: every peer that can connect
     * may send them.
     * doc/administration.md describes what each one does to the device.
     */

    /* Reset (CLU RS).  Request and reply: no fields.  The device drops
     * the requests in flight, whose replies carry 12/4769 and driver code
     * 8040FFFB, and runs its self-test again.  Served in every state but
     * ZEROIZED. */
    IBM4767_VERB_ADMIN_RESET = 0x0F01,

    /* Inject a device-driver code.  Request: u32 driver code.  Reply: no
     * fields.  The device acts as the card does on that code: a tamper
     * code zeroizes it, the reset bit resets it, a warning is reported.
     * Served in every state but ZEROIZED. */
    IBM4767_VERB_ADMIN_INJECT = 0x0F02,

    /* Load and unload the CCA firmware (code segment 3).  Request and
     * reply: no fields.  Loading resets the device.  Unloading drops the
     * requests in flight and leaves the device in NO_FIRMWARE, where every
     * verb but the administration verbs and STATUS gets 12/338.  Served
     * in every state but ZEROIZED. */
    IBM4767_VERB_ADMIN_FIRMWARE_LOAD = 0x0F03,
    IBM4767_VERB_ADMIN_FIRMWARE_UNLOAD = 0x0F04,

    /* Clear the battery warning (8040FFFE) after the batteries were
     * replaced.  Request and reply: no fields. */
    IBM4767_VERB_ADMIN_BATTERY_REPLACED = 0x0F05,

    /* Master key part load (CSNBMKP FIRST, MIDDLE, LAST).  Request: u32
     * type (IBM4767_MK_TYPE_*), u32 part (IBM4767_MK_PART_*), bytes part
     * value (IBM4767_MK_PART_LEN bytes, XORed into the new register).
     * Reply: u32 new register state, bytes its MKVP (8 bytes once the
     * register is full, empty before).  FIRST replaces what the new
     * register held; MIDDLE and LAST need a partially loaded register
     * (8/4779 otherwise).  A part that is all zeros, or whose own
     * verification pattern or the finished key's pattern is that of the
     * current or old master key, gets 8/703. */
    IBM4767_VERB_MK_LOAD_PART = 0x0F10,

    /* Master key set (CSNBMKP SET).  Request: u32 type.  Reply: bytes the
     * new current register's MKVP.  The full new register becomes
     * current and the current one becomes old; 8/4779 when the new
     * register is not full. */
    IBM4767_VERB_MK_SET = 0x0F11,

    /* Master key clear (CSNBMKP CLEAR): empty the new register.  Request:
     * u32 type.  Reply: no fields. */
    IBM4767_VERB_MK_CLEAR = 0x0F12,

    /* Access control points.  ACP_QUERY request: no fields; reply: u32
     * count, then per point bytes name, u32 enabled (0 or 1), bytes
     * description.  ACP_SET request: bytes name, u32 enabled (0 or 1);
     * reply: no fields; 8/33 for an unknown name. */
    IBM4767_VERB_ACP_QUERY = 0x0F20,
    IBM4767_VERB_ACP_SET = 0x0F21,

    /* Key token change (CSNDKTC and CSNBKTC with RTCMK).  Request: bytes
     * token (internal PKA or AES token).  Reply: bytes the token wrapped
     * under the current master key; a token already under it comes back
     * unchanged.  8/48 for a token under neither the current nor the old
     * master key. */
    IBM4767_VERB_KEY_TOKEN_CHANGE = 0x0F30,

    /* Validation chain.  Request: no fields.  Reply: bytes class
     * certificate (DER, signed by the manufacturer root key), bytes device
     * certificate (DER, the device key's certificate signed by the class
     * key).  12/4768 on a zeroized device, 12/4785 on a device whose key
     * was never certified. */
    IBM4767_VERB_VALIDATION_CHAIN = 0x0F40,
};

/* Master key types and part numbers of MK_LOAD_PART, MK_SET, MK_CLEAR. */
#define IBM4767_MK_TYPE_AES    1u
#define IBM4767_MK_TYPE_APKA   2u
#define IBM4767_MK_PART_FIRST  1u
#define IBM4767_MK_PART_MIDDLE 2u
#define IBM4767_MK_PART_LAST   3u
/* Length of a master key part, and of the AES and APKA master keys. */
#define IBM4767_MK_PART_LEN    32u

/* Maximum length of an access control point name, without the NUL. */
#define IBM4767_ACP_NAME_MAX   31u

/* Most retained keys a device keeps (this emulator's limit; with tokens
 * of at most CCA_TOKEN_MAX bytes, a list reply stays within
 * IBM4767_FRAME_MAX). */
#define IBM4767_RETAINED_MAX   128u

/* Largest random number request per call. */
#define IBM4767_RANDOM_MAX 8192u

/* Largest data field and largest AAD field of one SYM_ENCIPHER or
 * SYM_DECIPHER request; a longer message goes to the device as a chain. */
#define IBM4767_SYM_DATA_MAX  (256u * 1024u)
/* Longest GCM IV the device accepts, in bytes: the most OpenSSL 3.0's
 * AES-GCM takes (its IV buffer is 128 bytes). */
#define IBM4767_SYM_IV_MAX    128u
/* Longest chaining vector the device returns, in bytes. */
#define IBM4767_SYM_CHAIN_MAX 256u

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
