/*
 * ibm4767-keys generate: a new RSA, EC or AES key made inside the
 * coprocessor and stored under a label, and the --usage values that
 * generate and import share.
 */
#include <config.h>

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/objects.h>

#include <ibm4767/symtoken.h>

#include "keys.h"

#define DEFAULT_RSA_BITS 2048u
#define DEFAULT_AES_BITS 256u
#define DEFAULT_CURVE    "P-256"

static void generate_help(void)
{
    printf(
        "Usage: " KEYS_PROGRAM " generate --label NAME [--type rsa|ec|aes]\n"
        "                [--bits N | --curve NAME] [--usage USAGE] "
        "[--out FILE]\n"
        "\n"
        "Generate a key inside the coprocessor and store its token, wrapped\n"
        "under the coprocessor's master key, as key record NAME.\n"
        "\n"
        "  --label NAME    label of the new key record (must not exist)\n"
        "  --type TYPE     rsa (default), ec or aes\n"
        "  --bits N        RSA modulus size in bits (default %u), or AES key\n"
        "                  size: 128, 192 or 256 (default %u)\n"
        "  --curve NAME    EC curve: P-256 (default), P-384, P-521, or\n"
        "                  OpenSSL's names prime256v1, secp384r1, secp521r1\n"
        "  --usage USAGE   what the key may do: sign (default), keymgmt\n"
        "                  (RSA decryption), derive (ECDH), or both (sign\n"
        "                  and keymgmt for RSA, sign and derive for EC);\n"
        "                  AES keys always encrypt and decrypt\n"
        "  --retain        RSA and EC: keep the private key inside the\n"
        "                  coprocessor under NAME, where it never leaves;\n"
        "                  the record gets a token that names the device,\n"
        "                  and requests with it go to that device only\n"
        "  --out FILE      also write the token as a CCA KEY TOKEN PEM file\n"
        "                  (mode 0640; FILE must not exist)\n",
        DEFAULT_RSA_BITS, DEFAULT_AES_BITS);
}

int keys_parse_usage(const char *cmd, const char *text, uint32_t alg,
                     uint32_t *usage)
{
    uint32_t other = alg == CCA_ALG_RSA ? CCA_USAGE_KEY_MGMT
                                        : CCA_USAGE_KEY_AGREEMENT;

    if (text == NULL || strcmp(text, "sign") == 0)
        *usage = CCA_USAGE_SIGNATURE;
    else if (strcmp(text, "keymgmt") == 0 && alg == CCA_ALG_RSA)
        *usage = CCA_USAGE_KEY_MGMT;
    else if (strcmp(text, "derive") == 0 && alg == CCA_ALG_EC)
        *usage = CCA_USAGE_KEY_AGREEMENT;
    else if (strcmp(text, "both") == 0)
        *usage = CCA_USAGE_SIGNATURE | other;
    else {
        keys_usage_error(cmd, "invalid --usage '%s' for an %s key: use "
                         "sign, %s or both", text,
                         alg == CCA_ALG_RSA ? "RSA" : "EC",
                         alg == CCA_ALG_RSA ? "keymgmt" : "derive");
        return 0;
    }
    return 1;
}

const char *keys_usage_name(uint32_t usage, char *buf, size_t len)
{
    snprintf(buf, len, "%s%s%s%s%s",
             usage & CCA_USAGE_SIGNATURE ? "sign" : "",
             (usage & CCA_USAGE_SIGNATURE) &&
                     (usage & (CCA_USAGE_KEY_MGMT | CCA_USAGE_KEY_AGREEMENT))
                 ? "," : "",
             usage & CCA_USAGE_KEY_MGMT ? "keymgmt" : "",
             (usage & CCA_USAGE_KEY_MGMT) &&
                     (usage & CCA_USAGE_KEY_AGREEMENT) ? "," : "",
             usage & CCA_USAGE_KEY_AGREEMENT ? "derive" : "");
    if (buf[0] == '\0')
        snprintf(buf, len, "none");
    return buf;
}

struct generate_args {
    char label[CCA_LABEL_TEXT_MAX + 1];
    int have_label;
    const char *type;
    const char *bits;
    const char *curve;
    const char *usage;
    const char *out;
    int retain;
};

/* Device request resolved from the arguments. */
struct generate_request {
    uint32_t type;               /* CCA_KEY_TYPE_* */
    uint32_t size;               /* bits, or the curve's NID */
    uint32_t usage;
};

static int parse_bits(const char *text, uint32_t *bits)
{
    char *end = NULL;
    unsigned long value = strtoul(text, &end, 10);

    if (text[0] < '1' || text[0] > '9' || *end != '\0' || value > 65536)
        return 0;
    *bits = (uint32_t)value;
    return 1;
}

/* Accept NIST names (P-256) and OpenSSL's short and long names. */
static int parse_curve(const char *text, uint32_t *nid_out)
{
    int nid = EC_curve_nist2nid(text);

    if (nid == NID_undef)
        nid = OBJ_sn2nid(text);
    if (nid == NID_undef)
        nid = OBJ_ln2nid(text);
    if (nid == NID_undef || cca_curve_bits(nid) == 0)
        return 0;
    *nid_out = (uint32_t)nid;
    return 1;
}

static int resolve_rsa(const struct generate_args *a,
                       struct generate_request *req)
{
    req->type = CCA_KEY_TYPE_RSA;
    req->size = DEFAULT_RSA_BITS;
    if (a->curve != NULL)
        return keys_usage_error("generate", "--curve applies to EC keys; "
                                "give --bits for an RSA key");
    if (a->bits != NULL && !parse_bits(a->bits, &req->size))
        return keys_usage_error("generate", "invalid --bits '%s': expected "
                                "the RSA modulus size in bits, e.g. 2048",
                                a->bits);
    if (!cca_rsa_generate_bits_ok(req->size))
        return keys_usage_error("generate", "invalid --bits '%s' for an RSA "
                                "key: use " CCA_RSA_GENERATE_SIZES, a->bits);
    if (!keys_parse_usage("generate", a->usage, CCA_ALG_RSA, &req->usage))
        return KEYS_EXIT_USAGE;
    return -1;
}

static int resolve_ec(const struct generate_args *a,
                      struct generate_request *req)
{
    const char *curve = a->curve != NULL ? a->curve : DEFAULT_CURVE;

    req->type = CCA_KEY_TYPE_EC;
    if (a->bits != NULL)
        return keys_usage_error("generate", "--bits applies to RSA and AES "
                                "keys; give --curve for an EC key");
    if (!parse_curve(curve, &req->size))
        return keys_usage_error("generate", "invalid --curve '%s': use "
                                "P-256, P-384 or P-521 (prime256v1, "
                                "secp384r1, secp521r1)", curve);
    if (!keys_parse_usage("generate", a->usage, CCA_ALG_EC, &req->usage))
        return KEYS_EXIT_USAGE;
    return -1;
}

static int resolve_aes(const struct generate_args *a,
                       struct generate_request *req)
{
    req->type = CCA_KEY_TYPE_AES;
    req->size = DEFAULT_AES_BITS;
    req->usage = CCA_SYM_USAGE_ENCRYPT | CCA_SYM_USAGE_DECRYPT;
    if (a->curve != NULL || a->usage != NULL)
        return keys_usage_error("generate", "--%s does not apply to AES "
                                "keys", a->curve != NULL ? "curve" : "usage");
    if (a->bits != NULL &&
        (!parse_bits(a->bits, &req->size) ||
         (req->size != 128 && req->size != 192 && req->size != 256)))
        return keys_usage_error("generate", "invalid --bits '%s' for an AES "
                                "key: use 128, 192 or 256", a->bits);
    return -1;
}

static int resolve_request(const struct generate_args *a,
                           struct generate_request *req)
{
    const char *type = a->type != NULL ? a->type : "rsa";

    if (!a->have_label)
        return keys_usage_error("generate", "missing --label NAME");
    if (a->out != NULL && access(a->out, F_OK) == 0)
        return keys_usage_error("generate", "--out '%s' already exists; "
                                "remove it or choose another file", a->out);
    if (strcmp(type, "rsa") == 0)
        return resolve_rsa(a, req);
    if (strcmp(type, "ec") == 0)
        return resolve_ec(a, req);
    if (strcmp(type, "aes") == 0)
        return resolve_aes(a, req);
    return keys_usage_error("generate", "invalid --type '%s': use rsa, ec "
                            "or aes", type);
}

static int parse_args(struct keys_options *opts, int argc, char **argv,
                      struct generate_args *a)
{
    enum { OPT_LABEL = 1, OPT_TYPE, OPT_BITS, OPT_CURVE, OPT_USAGE,
           OPT_RETAIN, OPT_OUT };
    static const struct option long_options[] = {
        { "label", required_argument, NULL, OPT_LABEL },
        { "type", required_argument, NULL, OPT_TYPE },
        { "bits", required_argument, NULL, OPT_BITS },
        { "curve", required_argument, NULL, OPT_CURVE },
        { "usage", required_argument, NULL, OPT_USAGE },
        { "retain", no_argument, NULL, OPT_RETAIN },
        { "out", required_argument, NULL, OPT_OUT },
        KEYS_COMMON_LONG_OPTIONS,
        { NULL, 0, NULL, 0 },
    };
    int c, ret;

    while ((c = getopt_long(argc, argv, ":h", long_options, NULL)) != -1) {
        switch (c) {
        case OPT_LABEL:
            if (!keys_parse_label("generate", optarg, a->label))
                return KEYS_EXIT_USAGE;
            a->have_label = 1;
            break;
        case OPT_TYPE:
            a->type = optarg;
            break;
        case OPT_BITS:
            a->bits = optarg;
            break;
        case OPT_CURVE:
            a->curve = optarg;
            break;
        case OPT_USAGE:
            a->usage = optarg;
            break;
        case OPT_RETAIN:
            a->retain = 1;
            break;
        case OPT_OUT:
            a->out = optarg;
            break;
        default:
            ret = keys_common_option(opts, "generate", c, argv,
                                     generate_help);
            if (ret >= 0)
                return ret;
        }
    }
    if (optind < argc)
        return keys_usage_error("generate", "unexpected argument '%s'",
                                argv[optind]);
    return -1;
}

/* Ask the device for the key.  Returns 1, or 0 after printing why. */
static int generate_token(struct cca_backend *be,
                          const struct generate_request *req,
                          uint8_t **token, size_t *token_len)
{
    struct cca_result res;
    int ok;

    if (req->type == CCA_KEY_TYPE_AES)
        ok = cca_symmetric_key_generate(be, CCA_SYM_ALG_AES, req->size,
                                        req->usage, 0, token, token_len,
                                        &res);
    else
        ok = cca_pka_key_generate(be, req->type, req->size, NULL, 0,
                                  req->usage, token, token_len, &res);
    if (ok)
        return 1;

    if (res.reason == CCA_RS_VERB_UNKNOWN)
        keys_fail("generate", "%s keys are not supported yet by this "
                  "coprocessor (%u/%u)", cca_key_type_name(req->type),
                  res.rc, res.reason);
    else
        keys_fail_result("generate", "generating the key in the "
                         "coprocessor", &res);
    return 0;
}

int keys_generate(struct keys_options *opts, int argc, char **argv)
{
    struct generate_args args;
    struct generate_request req;
    struct cca_keystore *ks = NULL;
    struct cca_backend *be = NULL;
    uint8_t *token = NULL;
    size_t token_len = 0;
    int ret;

    memset(&args, 0, sizeof(args));
    memset(&req, 0, sizeof(req));
    ret = parse_args(opts, argc, argv, &args);
    if (ret < 0)
        ret = resolve_request(&args, &req);
    if (ret >= 0)
        return ret;

    if (args.retain && req.type == CCA_KEY_TYPE_AES)
        return keys_usage_error("generate", "--retain applies to RSA and EC "
                                "keys; an AES key is always stored as a "
                                "wrapped token");
    if (args.retain)
        return keys_generate_retained(opts, args.label, req.type, req.size,
                                      req.usage, args.out);

    ret = KEYS_EXIT_FAILED;
    ks = keys_open_storage(opts, "generate", CCA_KEYSTORE_CREATE);
    if (ks == NULL)
        goto err;
    ret = keys_check_label_free(ks, "generate", args.label);
    if (ret >= 0)
        goto err;
    ret = KEYS_EXIT_FAILED;
    be = keys_open_backend(opts, "generate");
    if (be == NULL || !generate_token(be, &req, &token, &token_len))
        goto err;

    ret = keys_store_token(ks, "generate", args.label, req.type, token,
                           token_len);
    if (ret == KEYS_EXIT_OK && args.out != NULL &&
        !keys_write_token_pem("generate", args.out, token, token_len))
        ret = KEYS_EXIT_FAILED;

err:
    OPENSSL_clear_free(token, token_len);
    cca_backend_free(be);
    cca_keystore_free(ks);
    return ret;
}
