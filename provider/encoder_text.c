/*
 * Text encoder (`openssl pkey -text`): the public part of a key and the
 * facts of its CCA key token.  It never prints anything from the wrapped
 * private section beyond the master key verification pattern, which CCA
 * keeps in the clear.
 */
#include <stdio.h>

#include <openssl/bio.h>
#include <openssl/core_dispatch.h>
#include <openssl/ec.h>
#include <openssl/objects.h>

#include "prov.h"

/* Bytes per line of a hex dump, as OpenSSL's own text output has them. */
#define HEX_PER_LINE 15

static void *text_newctx(void *provctx)
{
    return provctx;
}

static void text_freectx(void *vctx)
{
}

static int text_does_selection(void *provctx, int selection)
{
    return 1;
}

/* Print p as indented, colon-separated hex; a leading zero byte is added
 * when the top bit is set, so the number reads as positive. */
static int print_hex(BIO *out, const uint8_t *p, size_t len, int as_integer)
{
    size_t i, col = 0;

    while (as_integer && len > 1 && p[0] == 0) {
        p++;
        len--;
    }
    if (BIO_puts(out, "    ") <= 0)
        return 0;
    if (as_integer && len > 0 && (p[0] & 0x80) != 0) {
        if (BIO_puts(out, "00:") <= 0)
            return 0;
        col++;
    }
    for (i = 0; i < len; i++, col++) {
        if (col > 0 && col % HEX_PER_LINE == 0
            && BIO_puts(out, "\n    ") <= 0)
            return 0;
        if (BIO_printf(out, "%02x%s", p[i], i + 1 < len ? ":" : "") <= 0)
            return 0;
    }
    return BIO_puts(out, "\n") > 0;
}

/* Print a public exponent the way OpenSSL does: decimal and hex. */
static int print_exponent(BIO *out, const uint8_t *e, size_t len)
{
    uint64_t v = 0;
    size_t i;

    while (len > 0 && e[0] == 0) {
        e++;
        len--;
    }
    if (len > sizeof(v)) {
        if (BIO_puts(out, "Exponent:\n") <= 0)
            return 0;
        return print_hex(out, e, len, 1);
    }
    for (i = 0; i < len; i++)
        v = (v << 8) | e[i];
    return BIO_printf(out, "Exponent: %llu (0x%llx)\n",
                      (unsigned long long)v, (unsigned long long)v) > 0;
}

static int print_rsa_public(BIO *out, const struct cca_pka_token *tok)
{
    return BIO_puts(out, "Modulus:\n") > 0
           && print_hex(out, tok->n, tok->n_len, 1)
           && print_exponent(out, tok->e, tok->e_len);
}

/* The RSA-PSS section: the key signs with RSASSA-PSS only, within these
 * restrictions (the names OpenSSL's own text output uses). */
static int print_rsa_pss(BIO *out, const struct cca_pka_token *tok)
{
    const struct cca_rsa_pss *pss = &tok->pss;

    if (BIO_puts(out, "Key type: RSA-PSS (RSASSA-PSS signatures only)\n")
        <= 0)
        return 0;
    if (!pss->restricted)
        return BIO_puts(out, "No PSS parameter restrictions\n") > 0;
    return BIO_printf(out, "PSS parameter restrictions:\n"
                           "    Hash Algorithm: %s\n"
                           "    Mask Algorithm: MGF1 with %s\n"
                           "    Minimum Salt Length: %u\n",
                      OBJ_nid2sn(pss->hash_nid), OBJ_nid2sn(pss->mgf1_nid),
                      pss->min_salt_len) > 0;
}

static int print_ec_public(BIO *out, const struct cca_pka_token *tok)
{
    const char *nist = EC_curve_nid2nist(tok->curve_nid);

    if (BIO_puts(out, "pub:\n") <= 0 || !print_hex(out, tok->q, tok->q_len, 0)
        || BIO_printf(out, "ASN1 OID: %s\n", OBJ_nid2sn(tok->curve_nid)) <= 0)
        return 0;
    return nist == NULL || BIO_printf(out, "NIST CURVE: %s\n", nist) > 0;
}

static const char *usage_text(uint8_t usage)
{
    switch (usage & (CCA_USAGE_SIGNATURE | CCA_USAGE_KEY_MGMT
                     | CCA_USAGE_KEY_AGREEMENT)) {
    case CCA_USAGE_SIGNATURE:
        return "signature generation only";
    case CCA_USAGE_KEY_MGMT:
        return "key management (decryption) only";
    case CCA_USAGE_SIGNATURE | CCA_USAGE_KEY_MGMT:
        return "signature generation and key management";
    case CCA_USAGE_KEY_AGREEMENT:
        return "key agreement only";
    case CCA_USAGE_SIGNATURE | CCA_USAGE_KEY_AGREEMENT:
        return "signature generation and key agreement";
    default:
        return "none";
    }
}

/* The token facts: type, size, usage, master key verification pattern. */
static int print_token_facts(BIO *out, const struct ibm4767_key *key)
{
    const struct cca_pka_token *tok = &key->tok;
    int i;

    if (BIO_printf(out, "CCA key token:\n    Token type: %s (0x%02X)\n",
                   tok->is_retained ? "internal, private key retained in "
                                      "the coprocessor"
                   : tok->has_private ? "internal, private key wrapped by "
                                        "the coprocessor"
                                      : "external, public key only",
                   tok->token_id) <= 0
        || BIO_printf(out, "    Token length: %zu bytes\n",
                      key->token_len) <= 0
        || BIO_printf(out, "    Key size: %u bits\n", tok->bits) <= 0)
        return 0;
    if (!tok->has_private)
        return 1;
    /* A retained key has no wrapped part and no master key. */
    if (tok->is_retained)
        return BIO_printf(out, "    Key usage: %s (0x%02X)\n"
                          "    Retained key: %s, in the coprocessor with "
                          "serial %s\n", usage_text(tok->usage), tok->usage,
                          tok->retained_label, tok->retained_serial) > 0;
    if (BIO_printf(out, "    Key usage: %s (0x%02X)\n",
                   usage_text(tok->usage), tok->usage) <= 0
        || BIO_printf(out, "    Wrapping method: %s (0x%02X)\n",
                      tok->wrap_method == CCA_WRAP_AES256_GCM ? "AES-256-GCM"
                                                              : "unknown",
                      tok->wrap_method) <= 0
        || BIO_puts(out, "    APKA master key verification pattern: ") <= 0)
        return 0;
    for (i = 0; i < (int)CCA_MKVP_LEN; i++)
        if (BIO_printf(out, "%02x", tok->mkvp[i]) <= 0)
            return 0;
    return BIO_puts(out, "\n") > 0;
}

static int text_encode(void *vctx, OSSL_CORE_BIO *cout, const void *obj_raw,
                       const OSSL_PARAM obj_abstract[], int selection,
                       OSSL_PASSPHRASE_CALLBACK *cb, void *cbarg)
{
    struct ibm4767_provctx *ctx = vctx;
    const struct ibm4767_key *key = obj_raw;
    int private_view, ok = 0;
    BIO *out;

    if (obj_abstract != NULL || key == NULL || key->token == NULL) {
        IBM4767_RAISE(ctx, IBM4767_R_NO_KEY,
                      "the text encoder needs a key of this provider");
        return 0;
    }
    private_view = (selection & OSSL_KEYMGMT_SELECT_PRIVATE_KEY) != 0
                   && key->tok.has_private;

    out = BIO_new_from_core_bio(ctx->libctx, cout);
    if (out != NULL
        && BIO_printf(out, "%s: (%u bit%s)\n",
                      private_view ? "Private-Key" : "Public-Key",
                      key->tok.bits,
                      private_view ? ", held in the coprocessor" : "") > 0)
        ok = key->alg == CCA_ALG_RSA ? print_rsa_public(out, &key->tok)
                                     : print_ec_public(out, &key->tok);
    if (ok && key->tok.is_pss)
        ok = print_rsa_pss(out, &key->tok);
    if (ok && (selection & OSSL_KEYMGMT_SELECT_PRIVATE_KEY) != 0)
        ok = print_token_facts(out, key);
    if (!ok)
        IBM4767_RAISE(ctx, IBM4767_R_INVALID_KEY,
                      "cannot write the key as text");
    BIO_free(out);
    return ok;
}

const OSSL_DISPATCH ibm4767_text_encoder_functions[] = {
    { OSSL_FUNC_ENCODER_NEWCTX, (void (*)(void))text_newctx },
    { OSSL_FUNC_ENCODER_FREECTX, (void (*)(void))text_freectx },
    { OSSL_FUNC_ENCODER_DOES_SELECTION, (void (*)(void))text_does_selection },
    { OSSL_FUNC_ENCODER_ENCODE, (void (*)(void))text_encode },
    { 0, NULL },
};
