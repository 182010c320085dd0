/*
 * AES key tokens: the byte layout shared by the device (which builds and
 * unwraps them) and the host (which checks their structure and key size
 * without the device).  doc/key-tokens.md describes the layout; all
 * multi-byte fields are big-endian.
 *
 * The layout follows CCA's variable-length symmetric key token, version
 * 0x05.  CCA's fixed 64-byte AES DATA token (version 0x04) keeps the
 * encrypted key in 32 bytes next to its own check value.  That leaves no
 * room for an authenticated wrap of an AES-256 key, so the device neither
 * makes nor accepts it.
 *
 *   @0  0x01 internal token
 *   @1  reserved, 0
 *   @2  u16 total token length
 *   @4  version 0x05
 *   @5  3 reserved bytes, 0
 *   @8  key material state: 0x03, wrapped under the AES master key
 *   @9  key verification pattern type: 0x01, the AES master key's MKVP
 *   @10 MKVP of the wrapping master key (8 bytes)
 *   @18 8 reserved bytes, 0
 *   @26 wrapping method: 0x10, AES-256-GCM (the emulator's own value)
 *   @27 hash algorithm: 0x00, none (the GCM tag authenticates)
 *   @28 payload format: 0x10, nonce || encrypted key || tag (emulator's own)
 *   @29 reserved, 0
 *   @30 associated data version 0x01
 *   @31 reserved, 0
 *   @32 u16 associated data length: 26 (bytes @30 to @55)
 *   @34 key label length 0, @35 extended associated data length 0,
 *   @36 user-defined associated data length 0, @37 reserved 0
 *   @38 u16 payload length in bits
 *   @40 reserved, 0
 *   @41 algorithm: 0x02 AES
 *   @42 u16 key type: 0x0001 CIPHER
 *   @44 key-usage field count: 2
 *   @45 u16 key-usage field 1: CCA_SYMTOKEN_KUF1_* bits
 *   @47 u16 key-usage field 2: mode restriction in the high byte
 *       (CCA_SYM_MODE_*, or 0xFF for any mode), low byte 0
 *   @49 key-management field count: 3
 *   @50 three u16 key-management fields, 0: the device has no export verbs
 *   @56 payload: 12-byte nonce, the encrypted key (16, 24 or 32 bytes),
 *       16-byte GCM tag
 *
 * The wrap is AES-256-GCM under the AES master key with bytes @0..@55 as
 * additional authenticated data, so a change to any byte of the token
 * fails the tag check (CCA 8/29).
 */
#ifndef IBM4767_SYMTOKEN_H
#define IBM4767_SYMTOKEN_H

#include <stddef.h>
#include <stdint.h>

#define CCA_SYMTOKEN_INTERNAL        0x01u
#define CCA_SYMTOKEN_VERSION         0x05u
#define CCA_SYMTOKEN_VERSION_AESDATA 0x04u /* fixed-length, not supported */

/* Field offsets. */
#define CCA_SYMTOKEN_LEN_OFF          2u
#define CCA_SYMTOKEN_VERSION_OFF      4u
#define CCA_SYMTOKEN_KEY_STATE_OFF    8u
#define CCA_SYMTOKEN_KVP_TYPE_OFF     9u
#define CCA_SYMTOKEN_MKVP_OFF         10u
#define CCA_SYMTOKEN_WRAP_OFF         26u
#define CCA_SYMTOKEN_HASH_OFF         27u
#define CCA_SYMTOKEN_PAYLOAD_FMT_OFF  28u
#define CCA_SYMTOKEN_ADS_VERSION_OFF  30u
#define CCA_SYMTOKEN_ADS_LEN_OFF      32u
#define CCA_SYMTOKEN_LABEL_LEN_OFF    34u
#define CCA_SYMTOKEN_PAYLOAD_BITS_OFF 38u
#define CCA_SYMTOKEN_ALG_OFF          41u
#define CCA_SYMTOKEN_KEY_TYPE_OFF     42u
#define CCA_SYMTOKEN_KUF_COUNT_OFF    44u
#define CCA_SYMTOKEN_KUF1_OFF         45u
#define CCA_SYMTOKEN_KUF2_OFF         47u
#define CCA_SYMTOKEN_KMF_COUNT_OFF    49u
#define CCA_SYMTOKEN_KMF1_OFF         50u
#define CCA_SYMTOKEN_PAYLOAD_OFF      56u

/* Field values. */
#define CCA_SYMTOKEN_KEY_STATE_MK     0x03u
#define CCA_SYMTOKEN_KVP_TYPE_MKVP    0x01u
#define CCA_SYMTOKEN_WRAP_AES256_GCM  0x10u
#define CCA_SYMTOKEN_HASH_NONE        0x00u
#define CCA_SYMTOKEN_PAYLOAD_GCM      0x10u
#define CCA_SYMTOKEN_ADS_VERSION      0x01u
#define CCA_SYMTOKEN_ADS_LEN          26u
#define CCA_SYMTOKEN_ALG_AES          0x02u
#define CCA_SYMTOKEN_KEY_TYPE_CIPHER  0x0001u
#define CCA_SYMTOKEN_KUF_COUNT        2u
#define CCA_SYMTOKEN_KMF_COUNT        3u

/* Key-usage field 1 bits (the emulator's assignment). */
#define CCA_SYMTOKEN_KUF1_ENCRYPT     0x8000u
#define CCA_SYMTOKEN_KUF1_DECRYPT     0x4000u
/* Key-usage field 2 high byte for a key usable in every mode. */
#define CCA_SYMTOKEN_MODE_ANY         0xFFu

#define CCA_SYMTOKEN_NONCE_LEN        12u
#define CCA_SYMTOKEN_TAG_LEN          16u
/* The additional authenticated data of the wrap: bytes @0..@55. */
#define CCA_SYMTOKEN_AAD_LEN          CCA_SYMTOKEN_PAYLOAD_OFF
/* Token sizes for AES-128 and AES-256 keys. */
#define CCA_SYMTOKEN_MIN_LEN \
    (CCA_SYMTOKEN_PAYLOAD_OFF + CCA_SYMTOKEN_NONCE_LEN + 16u + CCA_SYMTOKEN_TAG_LEN)
#define CCA_SYMTOKEN_MAX_LEN \
    (CCA_SYMTOKEN_PAYLOAD_OFF + CCA_SYMTOKEN_NONCE_LEN + 32u + CCA_SYMTOKEN_TAG_LEN)

/* Structural view of an AES token; pointers refer into the parsed buffer,
 * which must outlive this struct. */
struct cca_sym_token {
    uint32_t key_bits;       /* 128, 192 or 256 */
    uint16_t usage;          /* key-usage field 1 */
    uint8_t mode;            /* CCA_SYM_MODE_*, or CCA_SYMTOKEN_MODE_ANY */
    const uint8_t *mkvp;     /* CCA_MKVP_LEN bytes */
    const uint8_t *nonce;    /* CCA_SYMTOKEN_NONCE_LEN bytes */
    const uint8_t *wrapped;  /* key_bits / 8 bytes */
    const uint8_t *tag;      /* CCA_SYMTOKEN_TAG_LEN bytes */
};

/*
 * Parse an AES token without the device.  Returns 1 on success; 0 when the
 * structure is invalid, with *reason set to CCA_RS_PKA_TOKEN_INVALID (770,
 * which this project also uses for AES tokens) and, if detail is not NULL,
 * a description of the first bad field.
 */
int cca_sym_token_parse(const uint8_t *buf, size_t len,
                        struct cca_sym_token *tok, uint32_t *reason,
                        char *detail, size_t detail_len);

/*
 * Write the clear part of a token for a key of key_bits bits into out
 * (capacity out_cap): every field up to @55, with a zero nonce, encrypted
 * key and tag for the device to fill in.  mode is CCA_SYM_MODE_* or
 * CCA_SYMTOKEN_MODE_ANY.  Returns the token length, or 0 when out is too
 * small or an input is out of range.
 */
size_t cca_sym_token_build(uint32_t key_bits, uint16_t usage, uint8_t mode,
                           const uint8_t *mkvp, uint8_t *out, size_t out_cap);

#endif
