/*
 * OSSL_PARAM arrays built from fuzz input, for the targets that fuzz the
 * provider's set_ctx_params and get_ctx_params functions.
 *
 * Each parameter in the input is:
 *   u8 name     index into the table of known names; past its end, the
 *               name is taken from the input (u8 length, then bytes)
 *   u8 type     low 3 bits: int, uint, size_t, int64, UTF-8 string,
 *               octet string, UTF-8 pointer, or a large unsigned integer;
 *               bit 3 takes a string from the table of known values
 *   value       integers: u8 size (1 to 16 bytes, taken modulo 17), then
 *               the bytes in native order; strings: u8 index into the
 *               value table, or u8 length and bytes
 */
#ifndef IBM4767_FUZZ_PARAMS_H
#define IBM4767_FUZZ_PARAMS_H

#include <openssl/params.h>

#include "fuzz.h"

/* Value types of the type byte. */
enum fuzz_param_type {
    FUZZ_PARAM_INT = 0,
    FUZZ_PARAM_UINT,
    FUZZ_PARAM_SIZE_T,
    FUZZ_PARAM_INT64,
    FUZZ_PARAM_UTF8,
    FUZZ_PARAM_OCTETS,
    FUZZ_PARAM_UTF8_PTR,
    FUZZ_PARAM_BIG_UINT,
};
#define FUZZ_PARAM_FROM_TABLE 0x08u

#define FUZZ_PARAMS_MAX      12
#define FUZZ_PARAM_NAME_MAX  40
#define FUZZ_PARAM_VALUE_MAX 300

struct fuzz_params {
    OSSL_PARAM params[FUZZ_PARAMS_MAX + 1];
    char names[FUZZ_PARAMS_MAX][FUZZ_PARAM_NAME_MAX + 1];
    /* Aligned for the integer types. */
    _Alignas(16) uint8_t values[FUZZ_PARAMS_MAX][FUZZ_PARAM_VALUE_MAX + 1];
    char *pointers[FUZZ_PARAMS_MAX];
};

/* Fill fp with up to max parameters read from in; returns fp->params,
 * an array that ends with OSSL_PARAM_END (and may be empty). */
const OSSL_PARAM *fuzz_params_read(struct fuzz_params *fp,
                                   struct fuzz_input *in, int max);

/* Fill fp with a request for the first FUZZ_PARAMS_MAX parameters of
 * gettable, each with the type gettable gives it.  Each parameter takes
 * one input byte, which a string parameter uses as its buffer size.
 * Returns fp->params. */
OSSL_PARAM *fuzz_params_request(struct fuzz_params *fp,
                                struct fuzz_input *in,
                                const OSSL_PARAM *gettable);

/* Index of name in the name table, and of value in the value table, for
 * writing seeds; abort when they are not there. */
uint8_t fuzz_params_name_index(const char *name);
uint8_t fuzz_params_value_index(const char *value);

#endif
