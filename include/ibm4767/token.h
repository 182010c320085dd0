/*
 * PKA key tokens: the byte layout shared by the device (which builds and
 * unwraps them) and the host (which reads the public parts without the
 * device).  doc/key-tokens.md describes the layout; all fields big-endian.
 *
 * Token header (8 bytes):
 *   @0 token identifier: 0x1F internal (private, wrapped) or 0x1E external
 *      (public key only)
 *   @1 version 0x00
 *   @2 u16 total token length
 *   @4 4 reserved bytes, zero
 * followed by sections, each starting with a 4-byte section header:
 *   @0 section identifier, @1 section version 0x00, @2 u16 section length
 *   (including this header).
 *
 * Internal RSA token: section 0x31 (RSA private key, AES-wrapped under the
 * APKA master key), then section 0x04 (RSA public key).
 * Internal EC token: section 0x20 (ECC private key), then 0x21 (ECC public).
 * External tokens carry only the public section.
 * An RSA token of an RSA-PSS key ends with section 0x60 (RSA-PSS
 * parameters), internal and external alike.
 *
 * Retained-key token (internal, 0x1F): the private key stays inside the
 * device that generated it, under a label, and never leaves it, wrapped
 * or otherwise.  Sections: 0x61 (retained key: usage and the holding
 * device's serial number), the public section (0x04 or 0x21), 0x60 for
 * an RSA-PSS key, then 0x10 (CCA's private key name section: the label).
 */
#ifndef IBM4767_TOKEN_H
#define IBM4767_TOKEN_H

#include <stddef.h>
#include <stdint.h>

#define CCA_TOKEN_INTERNAL_PKA 0x1Fu
#define CCA_TOKEN_EXTERNAL_PKA 0x1Eu
#define CCA_TOKEN_HEADER_LEN   8u
#define CCA_TOKEN_MAX          6500u /* CCA's limit for PKA tokens */

#define CCA_SECTION_RSA_PUBLIC  0x04u
#define CCA_SECTION_RSA_PRIVATE 0x31u /* RSA-AESC: wrapped under APKA MK */
#define CCA_SECTION_EC_PRIVATE  0x20u
#define CCA_SECTION_EC_PUBLIC   0x21u
#define CCA_SECTION_RSA_PSS     0x60u /* the emulator's own identifier */
#define CCA_SECTION_KEY_NAME    0x10u /* private key name: the label */
#define CCA_SECTION_RETAINED    0x61u /* the emulator's own identifier */

/* Section 0x61 (24 bytes): @4 u8 usage (CCA_USAGE_*), @5 3 reserved
 * bytes, zero, @8 the holding device's serial number, ASCII 0-9 and A-Z,
 * NUL-padded to 16 bytes. */
#define CCA_RETAINED_SECTION_LEN 24u
#define CCA_RETAINED_USAGE_OFF   4u
#define CCA_RETAINED_SERIAL_OFF  8u
#define CCA_RETAINED_SERIAL_LEN  16u
/* Section 0x10 (68 bytes): @4 the 64-byte label field, the canonical
 * label text (ibm4767/keystore.h) padded with spaces. */
#define CCA_KEY_NAME_SECTION_LEN 68u
#define CCA_KEY_NAME_OFF         4u
#define CCA_KEY_NAME_LEN         64u

/* Section 0x31 fixed part; the wrapped key follows at @152. */
#define CCA_RSA_PRIV_USAGE_OFF   8u
#define CCA_RSA_PRIV_WRAP_OFF    9u
#define CCA_RSA_PRIV_BITS_OFF    10u
#define CCA_RSA_PRIV_MKVP_OFF    116u
#define CCA_RSA_PRIV_NONCE_OFF   124u
#define CCA_RSA_PRIV_TAG_OFF     136u
#define CCA_RSA_PRIV_WRAPPED_OFF 152u

/* Section 0x20 fixed part; the wrapped key follows at @52. */
#define CCA_EC_PRIV_WRAP_OFF     4u
#define CCA_EC_PRIV_USAGE_OFF    8u
#define CCA_EC_PRIV_CURVE_OFF    9u
#define CCA_EC_PRIV_FORMAT_OFF   10u
#define CCA_EC_PRIV_SOURCE_OFF   11u
#define CCA_EC_PRIV_BITS_OFF     12u
#define CCA_EC_PRIV_MKVP_OFF     16u
#define CCA_EC_PRIV_NONCE_OFF    24u
#define CCA_EC_PRIV_TAG_OFF      36u
#define CCA_EC_PRIV_WRAPPED_OFF  52u

/*
 * Section 0x60 (12 bytes): the key signs with RSASSA-PSS only, and its
 * parameters may be restricted as an RSASSA-PSS SubjectPublicKeyInfo
 * restricts them (RFC 4055, section 3.1).
 *   @4 u8 message digest (CCA_PSS_HASH_*), CCA_PSS_HASH_NONE for no
 *      restrictions
 *   @5 u8 MGF1 digest; CCA_PSS_HASH_NONE exactly when @4 is
 *   @6 u16 minimum salt length in bytes; 0 when @4 is CCA_PSS_HASH_NONE
 *   @8 4 reserved bytes, zero
 */
#define CCA_RSA_PSS_SECTION_LEN  12u
#define CCA_RSA_PSS_HASH_OFF     4u
#define CCA_RSA_PSS_MGF1_OFF     5u
#define CCA_RSA_PSS_SALT_OFF     6u

#define CCA_PSS_HASH_NONE        0x00u
#define CCA_PSS_HASH_SHA1        0x01u
#define CCA_PSS_HASH_SHA224      0x02u
#define CCA_PSS_HASH_SHA256      0x03u
#define CCA_PSS_HASH_SHA384      0x04u
#define CCA_PSS_HASH_SHA512      0x05u

/* Wrapping method byte: the emulator's own AES-256-GCM under the APKA
 * master key (CCA uses 0x01 for its AES key wrap). */
#define CCA_WRAP_AES256_GCM      0x02u
#define CCA_WRAP_NONCE_LEN       12u
#define CCA_WRAP_TAG_LEN         16u
#define CCA_MKVP_LEN             8u

#define CCA_EC_CURVE_PRIME       0x00u
#define CCA_EC_FORMAT_INTERNAL   0x08u
#define CCA_EC_SOURCE_GENERATED  0x24u
#define CCA_EC_SOURCE_IMPORTED   0x20u

/* Key algorithms. */
#define CCA_ALG_RSA 1u
#define CCA_ALG_EC  2u

/* Key usage flags (the usage byte of the private section). */
#define CCA_USAGE_SIGNATURE     0x01u /* signature generation (SIG-ONLY) */
#define CCA_USAGE_KEY_MGMT      0x02u /* RSA decryption (KEY-MGMT) */
#define CCA_USAGE_KEY_AGREEMENT 0x04u /* ECDH */

/* PSS parameters of an RSA-PSS key, as section 0x60 records them.  A
 * restricted key signs only with these digests and a salt of at least
 * min_salt_len bytes. */
struct cca_rsa_pss {
    int restricted;          /* 0: any digest, MGF1 digest and salt */
    int hash_nid;            /* restricted: the message digest's NID */
    int mgf1_nid;            /* restricted: the MGF1 digest's NID */
    uint32_t min_salt_len;   /* restricted: shortest salt, in bytes */
};

/* Public and structural view of a token; pointers refer into the parsed
 * buffer, which must outlive this struct. */
struct cca_pka_token {
    uint8_t token_id;
    uint32_t alg;            /* CCA_ALG_RSA or CCA_ALG_EC */
    int has_private;
    uint32_t bits;           /* modulus bits, or the curve's field size */
    uint8_t usage;           /* CCA_USAGE_* (0 for public tokens) */

    /* RSA public key. */
    const uint8_t *n;
    size_t n_len;
    const uint8_t *e;
    size_t e_len;

    /* EC public key. */
    uint8_t curve_type;
    int curve_nid;           /* NID_X9_62_prime256v1, secp384r1, secp521r1 */
    const uint8_t *q;        /* uncompressed point 04||x||y */
    size_t q_len;

    /* Private section (has_private only). */
    uint8_t wrap_method;
    uint8_t ec_source;
    const uint8_t *mkvp;     /* CCA_MKVP_LEN bytes */
    const uint8_t *nonce;
    const uint8_t *tag;
    const uint8_t *wrapped;
    size_t wrapped_len;
    /* Byte range [auth_gap_off, auth_gap_off + auth_gap_len) of the token
     * holds the tag and the wrapped key; every other byte is authenticated
     * as additional data. */
    size_t auth_gap_off;
    size_t auth_gap_len;

    /* Section 0x60 (RSA tokens only). */
    int is_pss;              /* an RSA-PSS key: RSASSA-PSS signatures only */
    struct cca_rsa_pss pss;  /* its parameters, when is_pss */

    /* Retained-key token (has_private is set): the private key is in the
     * device with serial number retained_serial under retained_label,
     * and the private-section pointers above (mkvp, nonce, tag, wrapped)
     * are NULL. */
    int is_retained;
    char retained_label[CCA_KEY_NAME_LEN + 1];        /* canonical text */
    char retained_serial[CCA_RETAINED_SERIAL_LEN + 1];
};

/*
 * Parse a PKA token without the device.  Returns 1 on success; 0 when the
 * structure is invalid, with *reason set to CCA_RS_PKA_TOKEN_INVALID (770)
 * and, if detail is not NULL, a short description of the first bad field.
 */
int cca_token_parse(const uint8_t *buf, size_t len, struct cca_pka_token *tok,
                    uint32_t *reason, char *detail, size_t detail_len);

/* Digest identifier (CCA_PSS_HASH_*) of section 0x60 for a digest NID:
 * SHA-1, SHA-224, SHA-256, SHA-384 or SHA-512.  Returns
 * CCA_PSS_HASH_NONE for any other NID. */
uint8_t cca_pss_hash_id(int nid);

/* Check an RSA modulus size for key generation in the device, which
 * generates 2048, 3072 and 4096 bits (CCA_RSA_GENERATE_SIZES in
 * messages).  Returns 1 for those, 0 otherwise. */
#define CCA_RSA_GENERATE_SIZES "2048, 3072 or 4096"
int cca_rsa_generate_bits_ok(uint32_t bits);

/* Map between curve NIDs and the token's (type, bits) pair. */
int cca_curve_nid(uint8_t curve_type, uint32_t bits);
uint32_t cca_curve_bits(int nid);

/*
 * Builders.  Each writes the token into out (capacity out_cap) and returns
 * its length, or 0 when out is too small or an input is out of range.
 * Call with out == NULL to get the length needed.
 */
size_t cca_token_build_rsa_public(const uint8_t *n, size_t n_len,
                                  const uint8_t *e, size_t e_len,
                                  uint8_t *out, size_t out_cap);
size_t cca_token_build_ec_public(int curve_nid, const uint8_t *q,
                                 size_t q_len, uint8_t *out, size_t out_cap);
/* Internal tokens: the private section is written with a zero nonce, tag
 * and wrapped area of wrapped_len bytes; the device fills them in after
 * computing the additional data over the rest (see auth_gap_*). */
size_t cca_token_build_rsa_private(const uint8_t *n, size_t n_len,
                                   const uint8_t *e, size_t e_len,
                                   uint8_t usage, const uint8_t *mkvp,
                                   size_t wrapped_len, uint8_t *out,
                                   size_t out_cap);
/*
 * Append section 0x60 for pss to the RSA token of token_len bytes at
 * token (room for token_cap bytes) and update the header's length.  The
 * device appends it before it wraps an internal token, so the tag covers
 * the section.  Returns the new length, or 0 when the token is not an RSA
 * token or already has the section, when an internal token's usage
 * allows decryption (an RSA-PSS key only signs), when pss names a digest
 * the section cannot hold or a minimum salt over 65535 bytes, or when
 * token_cap is too small.  With token NULL it returns token_len plus the
 * section's length, checking only pss.
 */
size_t cca_token_append_rsa_pss(uint8_t *token, size_t token_len,
                                size_t token_cap,
                                const struct cca_rsa_pss *pss);
size_t cca_token_build_ec_private(int curve_nid, const uint8_t *q,
                                  size_t q_len, uint8_t usage,
                                  uint8_t source, const uint8_t *mkvp,
                                  size_t wrapped_len, uint8_t *out,
                                  size_t out_cap);
/*
 * Retained-key token for the public key of the external token pub (its
 * RSA-PSS section included): usage, the serial number of the device that
 * keeps the private key, and its canonical label.  Returns 0 when pub is
 * not an external token, when usage does not suit the key, or when the
 * serial number or label is invalid.
 */
size_t cca_token_build_retained(const uint8_t *pub, size_t pub_len,
                                uint8_t usage, const char *serial,
                                const char *label, uint8_t *out,
                                size_t out_cap);

#endif
