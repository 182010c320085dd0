/*
 * ibm4767-keys import: a clear RSA or EC private key from a PEM file,
 * wrapped by the coprocessor (CSNDPKI) and stored under a label.
 *
 * The clear key exists only in this process's memory.  The file is read
 * with read(2) into a buffer of our own, so no stdio buffer keeps a copy.
 * libcrypto parses it, and the tool turns it into CCA's key value
 * structure for the device.  Every buffer of this file that contained key
 * material is cleansed before it is freed, on every path, and libcrypto
 * clears the private BIGNUMs of the parsed key when it frees them.
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>

#include "keys.h"

/* Largest key file read: far above any PEM private key. */
#define IMPORT_FILE_MAX (1024 * 1024)
#define RSA_KVS_PARTS   8

static void import_help(void)
{
    printf(
        "Usage: " KEYS_PROGRAM " import --label NAME --in FILE [--usage "
        "USAGE] [--out FILE]\n"
        "\n"
        "Wrap a clear RSA or EC private key (PEM: PRIVATE KEY, RSA PRIVATE\n"
        "KEY or EC PRIVATE KEY; OpenSSL asks for the passphrase of an\n"
        "encrypted one) under the coprocessor's master key and store the\n"
        "token as key record NAME.  The clear key is not written anywhere;\n"
        "delete FILE yourself once the import succeeded.\n"
        "\n"
        "  --label NAME    label of the new key record (must not exist)\n"
        "  --in FILE       the PEM private key file\n"
        "  --usage USAGE   sign (default), keymgmt (RSA), derive (EC) or "
        "both\n"
        "  --out FILE      also write the token as a CCA KEY TOKEN PEM file\n");
}

/* Read the whole file into *buf (allocated, to be cleansed by the
 * caller).  Returns 1, or 0 after printing why. */
static int read_key_file(const char *path, uint8_t **buf, size_t *len)
{
    int ret = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    ssize_t n;
    size_t got = 0, cap = 0;
    uint8_t *data = NULL;

    if (fd < 0 || fstat(fd, &st) != 0) {
        keys_fail("import", "cannot read --in '%s': %s", path,
                  strerror(errno));
        goto err;
    }
    if (!S_ISREG(st.st_mode) || st.st_size <= 0 ||
        st.st_size > IMPORT_FILE_MAX) {
        keys_fail("import", "--in '%s' is not a regular file of 1 byte to "
                  "%d bytes", path, IMPORT_FILE_MAX);
        goto err;
    }
    cap = (size_t)st.st_size;
    data = OPENSSL_malloc(cap);
    if (data == NULL) {
        keys_fail("import", "out of memory reading '%s'", path);
        goto err;
    }
    while (got < cap && (n = read(fd, data + got, cap - got)) > 0)
        got += (size_t)n;
    if (got != cap) {
        keys_fail("import", "cannot read --in '%s': it changed or could not "
                  "be read in full", path);
        goto err;
    }
    *buf = data;
    *len = got;
    data = NULL;
    ret = 1;

err:
    OPENSSL_clear_free(data, cap);
    if (fd >= 0)
        close(fd);
    return ret;
}

static EVP_PKEY *parse_private_key(const char *path, const uint8_t *buf,
                                   size_t len)
{
    BIO *bio = BIO_new_mem_buf(buf, (int)len);
    EVP_PKEY *pkey = NULL;
    unsigned long err;

    if (bio != NULL)
        pkey = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
    BIO_free(bio);
    if (pkey != NULL)
        return pkey;

    err = ERR_peek_last_error();
    keys_fail("import", "--in '%s' contains no PEM private key that OpenSSL "
              "can read (%s); expected BEGIN PRIVATE KEY, RSA PRIVATE KEY "
              "or EC PRIVATE KEY, and the right passphrase", path,
              err != 0 ? ERR_reason_error_string(err) : "no details");
    ERR_clear_error();
    return NULL;
}

/* Append the big-endian bytes of bn at *pos and its length at *len_field. */
static void put_component(uint8_t *kvs, size_t *pos, uint8_t *len_field,
                          const BIGNUM *bn)
{
    int n = BN_bn2bin(bn, kvs + *pos);

    len_field[0] = (uint8_t)(n >> 8);
    len_field[1] = (uint8_t)n;
    *pos += (size_t)n;
}

/*
 * RSA key value structure: u16 modulus bits, eight u16 lengths, then n,
 * e, d, p, q, dp, dq and u = q^-1 mod p.  Returns 1, or 0 after printing
 * why (multi-prime keys and sizes beyond 16 bits are refused).
 */
static int rsa_kvs(EVP_PKEY *pkey, uint8_t **kvs_out, size_t *kvs_len)
{
    static const char *const names[RSA_KVS_PARTS] = {
        OSSL_PKEY_PARAM_RSA_N, OSSL_PKEY_PARAM_RSA_E,
        OSSL_PKEY_PARAM_RSA_D, OSSL_PKEY_PARAM_RSA_FACTOR1,
        OSSL_PKEY_PARAM_RSA_FACTOR2, OSSL_PKEY_PARAM_RSA_EXPONENT1,
        OSSL_PKEY_PARAM_RSA_EXPONENT2, OSSL_PKEY_PARAM_RSA_COEFFICIENT1,
    };
    BIGNUM *bn[RSA_KVS_PARTS] = { NULL };
    BIGNUM *third = NULL;
    uint8_t *kvs = NULL;
    size_t cap = CCA_RSA_KVS_HEADER_LEN, pos = CCA_RSA_KVS_HEADER_LEN;
    int bits = EVP_PKEY_get_bits(pkey);
    int ret = 0;

    for (int i = 0; i < RSA_KVS_PARTS; i++) {
        if (!EVP_PKEY_get_bn_param(pkey, names[i], &bn[i]) ||
            BN_num_bytes(bn[i]) > 0xFFFF) {
            keys_fail("import", "the RSA key has no usable %s component; "
                      "the device imports two-prime keys with all CRT "
                      "components", names[i]);
            goto err;
        }
        cap += (size_t)BN_num_bytes(bn[i]);
    }
    if (EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_RSA_FACTOR3, &third)) {
        keys_fail("import", "the RSA key has more than two primes; the "
                  "device imports two-prime keys only");
        goto err;
    }

    kvs = OPENSSL_zalloc(cap);
    if (kvs == NULL) {
        keys_fail("import", "out of memory building the key value "
                  "structure");
        goto err;
    }
    kvs[0] = (uint8_t)(bits >> 8);
    kvs[1] = (uint8_t)bits;
    for (int i = 0; i < RSA_KVS_PARTS; i++)
        put_component(kvs, &pos, kvs + 2 + 2 * i, bn[i]);
    *kvs_out = kvs;
    *kvs_len = pos;
    kvs = NULL;
    ret = 1;

err:
    OPENSSL_clear_free(kvs, cap);
    BN_clear_free(third);
    for (int i = 0; i < RSA_KVS_PARTS; i++)
        BN_clear_free(bn[i]);
    return ret;
}

/*
 * EC key value structure: u8 curve type (0, prime), u8 reserved, u16 field
 * bits, u16 length of d, u16 length of Q, then d padded to the field size
 * and Q as the key file encodes it.  Returns 1, or 0 after printing why.
 */
static int ec_kvs(EVP_PKEY *pkey, uint8_t **kvs_out, size_t *kvs_len)
{
    char group[64] = "";
    uint8_t q[1 + 2 * 66];
    size_t q_len = 0;
    BIGNUM *d = NULL;
    uint8_t *kvs = NULL;
    size_t cap = 0, d_len;
    uint32_t field_bits;
    int nid, ret = 0;

    if (!EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME,
                                        group, sizeof(group), NULL) ||
        (nid = OBJ_sn2nid(group)) == NID_undef ||
        (field_bits = cca_curve_bits(nid)) == 0) {
        keys_fail("import", "the EC key is on curve '%s'; the device "
                  "supports P-256, P-384 and P-521", group);
        goto err;
    }
    if (!EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_PRIV_KEY, &d)) {
        keys_fail("import", "the EC key has no private value");
        goto err;
    }
    if (!EVP_PKEY_get_octet_string_param(pkey, OSSL_PKEY_PARAM_PUB_KEY, q,
                                         sizeof(q), &q_len))
        q_len = 0; /* the device derives Q from d */

    d_len = (field_bits + 7) / 8;
    cap = CCA_EC_KVS_HEADER_LEN + d_len + q_len;
    kvs = OPENSSL_zalloc(cap);
    if (kvs == NULL || BN_bn2binpad(d, kvs + CCA_EC_KVS_HEADER_LEN,
                                    (int)d_len) < 0) {
        keys_fail("import", "cannot encode the EC private value");
        goto err;
    }
    kvs[0] = CCA_EC_CURVE_PRIME;
    kvs[2] = (uint8_t)(field_bits >> 8);
    kvs[3] = (uint8_t)field_bits;
    kvs[4] = (uint8_t)(d_len >> 8);
    kvs[5] = (uint8_t)d_len;
    kvs[6] = (uint8_t)(q_len >> 8);
    kvs[7] = (uint8_t)q_len;
    memcpy(kvs + CCA_EC_KVS_HEADER_LEN + d_len, q, q_len);
    *kvs_out = kvs;
    *kvs_len = cap;
    kvs = NULL;
    ret = 1;

err:
    OPENSSL_clear_free(kvs, cap);
    BN_clear_free(d);
    return ret;
}

struct import_args {
    char label[CCA_LABEL_TEXT_MAX + 1];
    int have_label;
    const char *in;
    const char *usage;
    const char *out;
};

static int parse_args(struct keys_options *opts, int argc, char **argv,
                      struct import_args *a)
{
    enum { OPT_LABEL = 1, OPT_IN, OPT_USAGE, OPT_OUT };
    static const struct option long_options[] = {
        { "label", required_argument, NULL, OPT_LABEL },
        { "in", required_argument, NULL, OPT_IN },
        { "usage", required_argument, NULL, OPT_USAGE },
        { "out", required_argument, NULL, OPT_OUT },
        KEYS_COMMON_LONG_OPTIONS,
        { NULL, 0, NULL, 0 },
    };
    int c, ret;

    while ((c = getopt_long(argc, argv, ":h", long_options, NULL)) != -1) {
        switch (c) {
        case OPT_LABEL:
            if (!keys_parse_label("import", optarg, a->label))
                return KEYS_EXIT_USAGE;
            a->have_label = 1;
            break;
        case OPT_IN:
            a->in = optarg;
            break;
        case OPT_USAGE:
            a->usage = optarg;
            break;
        case OPT_OUT:
            a->out = optarg;
            break;
        default:
            ret = keys_common_option(opts, "import", c, argv, import_help);
            if (ret >= 0)
                return ret;
        }
    }
    if (optind < argc)
        return keys_usage_error("import", "unexpected argument '%s'",
                                argv[optind]);
    if (!a->have_label || a->in == NULL)
        return keys_usage_error("import", "missing %s",
                                a->have_label ? "--in FILE" : "--label NAME");
    if (a->out != NULL && access(a->out, F_OK) == 0)
        return keys_usage_error("import", "--out '%s' already exists; "
                                "remove it or choose another file", a->out);
    return -1;
}

/* Parse the key file and build the key value structure.  Returns 1, or 0
 * after printing why (2 in *exit_code for a bad --usage). */
static int load_kvs(const struct import_args *a, uint32_t *alg,
                    uint32_t *usage, uint8_t **kvs, size_t *kvs_len,
                    int *exit_code)
{
    int ret = 0;
    uint8_t *file = NULL;
    size_t file_len = 0;
    EVP_PKEY *pkey = NULL;

    *exit_code = KEYS_EXIT_FAILED;
    if (!read_key_file(a->in, &file, &file_len))
        goto err;
    pkey = parse_private_key(a->in, file, file_len);
    if (pkey == NULL)
        goto err;

    if (EVP_PKEY_is_a(pkey, "RSA"))
        *alg = CCA_ALG_RSA;
    else if (EVP_PKEY_is_a(pkey, "EC"))
        *alg = CCA_ALG_EC;
    else {
        keys_fail("import", "--in '%s' contains a key of type %s; the "
                  "device imports RSA and EC keys", a->in,
                  EVP_PKEY_get0_type_name(pkey));
        goto err;
    }
    if (!keys_parse_usage("import", a->usage, *alg, usage)) {
        *exit_code = KEYS_EXIT_USAGE;
        goto err;
    }
    ret = *alg == CCA_ALG_RSA ? rsa_kvs(pkey, kvs, kvs_len)
                              : ec_kvs(pkey, kvs, kvs_len);

err:
    EVP_PKEY_free(pkey);
    OPENSSL_clear_free(file, file_len);
    return ret;
}

int keys_import(struct keys_options *opts, int argc, char **argv)
{
    struct import_args args;
    struct cca_keystore *ks = NULL;
    struct cca_backend *be = NULL;
    struct cca_result res;
    uint8_t *kvs = NULL, *token = NULL;
    size_t kvs_len = 0, token_len = 0;
    uint32_t alg = 0, usage = 0;
    int ret;

    memset(&args, 0, sizeof(args));
    ret = parse_args(opts, argc, argv, &args);
    if (ret >= 0)
        return ret;

    ret = KEYS_EXIT_FAILED;
    ks = keys_open_storage(opts, "import", CCA_KEYSTORE_CREATE);
    if (ks == NULL)
        goto err;
    ret = keys_check_label_free(ks, "import", args.label);
    if (ret >= 0)
        goto err;
    if (!load_kvs(&args, &alg, &usage, &kvs, &kvs_len, &ret))
        goto err;

    ret = KEYS_EXIT_FAILED;
    be = keys_open_backend(opts, "import");
    if (be == NULL)
        goto err;
    if (!cca_pka_key_import(be, alg, usage, kvs, kvs_len, &token,
                            &token_len, &res)) {
        keys_fail_result("import", "wrapping the key in the coprocessor",
                         &res);
        goto err;
    }
    OPENSSL_clear_free(kvs, kvs_len);
    kvs = NULL;

    ret = keys_store_token(ks, "import", args.label, alg, token, token_len);
    if (ret == KEYS_EXIT_OK && args.out != NULL &&
        !keys_write_token_pem("import", args.out, token, token_len))
        ret = KEYS_EXIT_FAILED;

err:
    OPENSSL_clear_free(kvs, kvs_len);
    OPENSSL_clear_free(token, token_len);
    cca_backend_free(be);
    cca_keystore_free(ks);
    return ret;
}
