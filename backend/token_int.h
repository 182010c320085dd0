/*
 * Layout constants and small helpers shared by the PKA token parser
 * (token.c) and builders (token_build.c).  Not installed.
 */
#ifndef IBM4767_TOKEN_INT_H
#define IBM4767_TOKEN_INT_H

#include <stddef.h>
#include <stdint.h>

#include <ibm4767/token.h>

/* Section header: identifier, version, u16 length. */
#define SECTION_HEADER_LEN 4u
#define TOKEN_VERSION      0x00u
#define SECTION_VERSION    0x00u

/* RSA public section 0x04: @4 u16 reserved, @6 u16 e length, @8 u16
 * modulus bits, @10 u16 n length, @12 e, then n. */
#define RSA_PUB_E_LEN_OFF   6u
#define RSA_PUB_BITS_OFF    8u
#define RSA_PUB_N_LEN_OFF   10u
#define RSA_PUB_FIXED_LEN   12u

/* RSA private section 0x31: @4 u16 wrapped key length, @12 u16 modulus
 * length in bytes; the rest of @6..@115 is reserved and zero. */
#define RSA_PRIV_WRAPPED_LEN_OFF 4u
#define RSA_PRIV_N_LEN_OFF       12u
#define RSA_PRIV_RESERVED_OFF    14u

/* EC private section 0x20: @5 reserved, @6 u16 wrapped key length, @14 u16
 * reserved. */
#define EC_PRIV_WRAPPED_LEN_OFF  6u
#define EC_PRIV_RESERVED_OFF     14u

/* EC public section 0x21: @4 four reserved bytes, @8 curve type, @9
 * reserved, @10 u16 field bits, @12 u16 Q length, @14 Q. */
#define EC_PUB_CURVE_OFF     8u
#define EC_PUB_BITS_OFF      10u
#define EC_PUB_Q_LEN_OFF     12u
#define EC_PUB_FIXED_LEN     14u

/* Modulus sizes a token may carry: CCA's PKA range on the 4767. */
#define RSA_MIN_BITS 512u
#define RSA_MAX_BITS 4096u
#define RSA_MAX_E_LEN 512u

#define RSA_USAGE_MASK (CCA_USAGE_SIGNATURE | CCA_USAGE_KEY_MGMT)
#define EC_USAGE_MASK  (CCA_USAGE_SIGNATURE | CCA_USAGE_KEY_AGREEMENT)

static inline uint16_t get16(const uint8_t *p)
{
    return (uint16_t)((p[0] << 8) | p[1]);
}

static inline void put16(uint8_t *p, size_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static inline size_t bit_length(const uint8_t *p, size_t n)
{
    uint8_t top;
    size_t bits;

    if (n == 0 || p[0] == 0)
        return 0;
    top = p[0];
    bits = (n - 1) * 8;
    while (top != 0) {
        bits++;
        top >>= 1;
    }
    return bits;
}

static inline size_t field_bytes(uint32_t bits)
{
    return (bits + 7) / 8;
}

#endif
