/*
 * OSSL_PARAM arrays from fuzz input (params.h).
 */
#include <config.h>

#include <stdio.h>
#include <string.h>

#include <openssl/core_names.h>

#include "params.h"

/* Parameter names of the signature, asymmetric cipher, key exchange and
 * cipher contexts, this provider's own included. */
static const char *const known_names[] = {
    OSSL_SIGNATURE_PARAM_DIGEST,
    OSSL_SIGNATURE_PARAM_PROPERTIES,
    OSSL_SIGNATURE_PARAM_PAD_MODE,
    OSSL_SIGNATURE_PARAM_PSS_SALTLEN,
    OSSL_SIGNATURE_PARAM_MGF1_DIGEST,
    OSSL_SIGNATURE_PARAM_MGF1_PROPERTIES,
    OSSL_SIGNATURE_PARAM_ALGORITHM_ID,
    OSSL_SIGNATURE_PARAM_DIGEST_SIZE,
    OSSL_ASYM_CIPHER_PARAM_OAEP_DIGEST_PROPS,
    OSSL_ASYM_CIPHER_PARAM_OAEP_LABEL,
    OSSL_ASYM_CIPHER_PARAM_TLS_CLIENT_VERSION,
    OSSL_ASYM_CIPHER_PARAM_TLS_NEGOTIATED_VERSION,
    OSSL_ASYM_CIPHER_PARAM_MGF1_DIGEST_PROPS,
    OSSL_EXCHANGE_PARAM_PAD,
    OSSL_EXCHANGE_PARAM_EC_ECDH_COFACTOR_MODE,
    OSSL_EXCHANGE_PARAM_KDF_TYPE,
    OSSL_EXCHANGE_PARAM_KDF_DIGEST,
    OSSL_EXCHANGE_PARAM_KDF_OUTLEN,
    OSSL_EXCHANGE_PARAM_KDF_UKM,
    OSSL_CIPHER_PARAM_PADDING,
    OSSL_CIPHER_PARAM_NUM,
    OSSL_CIPHER_PARAM_KEYLEN,
    OSSL_CIPHER_PARAM_IVLEN,
    OSSL_CIPHER_PARAM_IV,
    OSSL_CIPHER_PARAM_UPDATED_IV,
    OSSL_CIPHER_PARAM_AEAD_TAG,
    OSSL_CIPHER_PARAM_AEAD_TAGLEN,
    OSSL_CIPHER_PARAM_AEAD_TLS1_AAD,
    OSSL_CIPHER_PARAM_AEAD_TLS1_IV_FIXED,
    OSSL_CIPHER_PARAM_AEAD_TLS1_SET_IV_INV,
    OSSL_CIPHER_PARAM_TLS_VERSION,
    OSSL_CIPHER_PARAM_TLS_MAC_SIZE,
    OSSL_CIPHER_PARAM_USE_BITS,
    "ibm4767-key-token",
    "ibm4767-key-label",
};

/* String values the parsers look for, and near misses. */
static const char *const known_values[] = {
    "pkcs1", "pss", "oaep", "none", "x931", "sslv23", "PSS", "",
    "digest", "max", "auto", "auto-digestmax", "0", "-1", "-2", "-3",
    "20", "32", "64", "222", "223", "1024", "99999999999999999999",
    "SHA1", "SHA224", "SHA256", "SHA2-256", "SHA384", "SHA512",
    "SHA512-256", "SHA3-256", "MD5", "MD5-SHA1", "SM3", "BLAKE2B-512",
    "provider=default", "provider=ibm4767", "provider=none", "?fips=yes",
    "FUZZ.AES", "FUZZ.RSA", "FUZZ.NULL", "NO.SUCH.LABEL", "bad label",
    "X963KDF", "ibm4767-key-token",
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static void read_name(char *name, struct fuzz_input *in)
{
    uint8_t index = fuzz_get_u8(in);
    const uint8_t *p;
    size_t len;

    if (index < COUNT(known_names)) {
        snprintf(name, FUZZ_PARAM_NAME_MAX + 1, "%s", known_names[index]);
        return;
    }
    p = fuzz_get_bytes(in, FUZZ_PARAM_NAME_MAX, &len);
    memcpy(name, p, len);
    name[len] = '\0';
}

/* Read an integer of 1 to 16 bytes; returns its size. */
static size_t read_integer(uint8_t *value, struct fuzz_input *in,
                           size_t fixed)
{
    size_t size = fixed != 0 ? fixed : fuzz_get_u8(in) % 17;

    if (size == 0)
        size = 1;
    memset(value, 0, size);
    for (size_t i = 0; i < size; i++)
        value[i] = fuzz_get_u8(in);
    return size;
}

/* Read a string; returns its length (value is NUL-terminated too). */
static size_t read_string(uint8_t *value, struct fuzz_input *in,
                          int from_table)
{
    const uint8_t *p;
    size_t len;

    if (from_table) {
        const char *s = known_values[fuzz_get_u8(in) % COUNT(known_values)];

        len = strlen(s);
        memcpy(value, s, len + 1);
        return len;
    }
    p = fuzz_get_bytes(in, FUZZ_PARAM_VALUE_MAX, &len);
    memcpy(value, p, len);
    value[len] = '\0';
    return len;
}

static OSSL_PARAM read_param(struct fuzz_params *fp, int i,
                             struct fuzz_input *in)
{
    char *name = fp->names[i];
    uint8_t *value = fp->values[i];
    uint8_t type;
    size_t len;

    read_name(name, in);
    type = fuzz_get_u8(in);
    switch (type & 0x07u) {
    case FUZZ_PARAM_INT:
        len = read_integer(value, in, 0);
        return (OSSL_PARAM){ name, OSSL_PARAM_INTEGER, value, len,
                             OSSL_PARAM_UNMODIFIED };
    case FUZZ_PARAM_UINT:
        len = read_integer(value, in, sizeof(unsigned int));
        return OSSL_PARAM_construct_uint(name, (unsigned int *)value);
    case FUZZ_PARAM_SIZE_T:
        len = read_integer(value, in, sizeof(size_t));
        return OSSL_PARAM_construct_size_t(name, (size_t *)value);
    case FUZZ_PARAM_INT64:
        len = read_integer(value, in, sizeof(int64_t));
        return OSSL_PARAM_construct_int64(name, (int64_t *)value);
    case FUZZ_PARAM_UTF8:
        len = read_string(value, in, (type & FUZZ_PARAM_FROM_TABLE) != 0);
        return OSSL_PARAM_construct_utf8_string(name, (char *)value, len);
    case FUZZ_PARAM_OCTETS:
        len = read_string(value, in, (type & FUZZ_PARAM_FROM_TABLE) != 0);
        return OSSL_PARAM_construct_octet_string(name, value, len);
    case FUZZ_PARAM_UTF8_PTR:
        len = read_string(value, in, (type & FUZZ_PARAM_FROM_TABLE) != 0);
        fp->pointers[i] = (char *)value;
        return OSSL_PARAM_construct_utf8_ptr(name, &fp->pointers[i], len);
    default:
        len = read_integer(value, in, 0);
        return (OSSL_PARAM){ name, OSSL_PARAM_UNSIGNED_INTEGER, value, len,
                             OSSL_PARAM_UNMODIFIED };
    }
}

const OSSL_PARAM *fuzz_params_read(struct fuzz_params *fp,
                                   struct fuzz_input *in, int max)
{
    int count = fuzz_get_u8(in) % (FUZZ_PARAMS_MAX + 1);

    if (count > max)
        count = max;
    for (int i = 0; i < count; i++)
        fp->params[i] = read_param(fp, i, in);
    fp->params[count] = OSSL_PARAM_construct_end();
    return fp->params;
}

OSSL_PARAM *fuzz_params_request(struct fuzz_params *fp,
                                struct fuzz_input *in,
                                const OSSL_PARAM *gettable)
{
    int i = 0;

    for (; gettable != NULL && gettable[i].key != NULL
           && i < FUZZ_PARAMS_MAX; i++) {
        size_t size = fuzz_get_u8(in) % (FUZZ_PARAM_VALUE_MAX + 1);

        fp->params[i] = gettable[i];
        fp->params[i].data = fp->values[i];
        fp->params[i].return_size = OSSL_PARAM_UNMODIFIED;
        /* Integers keep their own size; buffers get the fuzzed one. */
        if (gettable[i].data_type == OSSL_PARAM_UTF8_STRING
            || gettable[i].data_type == OSSL_PARAM_OCTET_STRING)
            fp->params[i].data_size = size;
        else if (gettable[i].data_size == 0
                 || gettable[i].data_size > FUZZ_PARAM_VALUE_MAX)
            fp->params[i].data_size = sizeof(size_t);
        if (gettable[i].data_type == OSSL_PARAM_UTF8_PTR
            || gettable[i].data_type == OSSL_PARAM_OCTET_PTR)
            fp->params[i].data_size = sizeof(void *);
    }
    fp->params[i] = OSSL_PARAM_construct_end();
    return fp->params;
}

static uint8_t table_index(const char *const *table, size_t count,
                           const char *s)
{
    for (size_t i = 0; i < count; i++) {
        if (strcmp(table[i], s) == 0)
            return (uint8_t)i;
    }
    fprintf(stderr, "fuzz: \"%s\" is not in the parameter tables\n", s);
    abort();
}

uint8_t fuzz_params_name_index(const char *name)
{
    return table_index(known_names, COUNT(known_names), name);
}

uint8_t fuzz_params_value_index(const char *value)
{
    return table_index(known_values, COUNT(known_values), value);
}
