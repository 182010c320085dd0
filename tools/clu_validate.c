/*
 * ibm4767-clu validate (va): prove that the device is a genuine emulated
 * 4767 running the code this build installed, as the card's CLU VA does.
 *
 *   1. The pinned root key: root.pem in the validation directory, the
 *      emulated manufacturer's ECC P-521 root certificate.
 *   2. The device's chain: the class certificate must be signed by the
 *      pinned root, and the device certificate (the device's RSA key) by
 *      the class key.
 *   3. A status reply signed by the device key over a fresh random nonce
 *      must verify with the certified key.  Recovering the signed digest
 *      distinguishes a signature by another key (no valid padding under
 *      the certified key) from a reply altered after signing (valid
 *      padding, other digest).
 *   4. The three code segment hashes in that signed reply must equal the
 *      ones the build installed (the segments file).
 *
 * Each check prints a line; the first failure stops with its own message
 * and exit status 1.
 */
#include <config.h>

#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include <ibm4767/admin.h>
#include <ibm4767/cca.h>

#include "clu.h"

#define ROOT_FILE      "root.pem"
#define SEGMENTS_FILE  "segments"
#define NONCE_LEN      32
#define SHA256_LEN     32

struct validation {
    const struct clu_options *opts;
    struct cca_backend *be;
    X509 *root;
    X509 *class_cert;
    X509 *device_cert;
    char expected[CCA_STATUS_SEGMENTS][65];
    struct cca_signed_status ss;
};

static void check_passed(const char *check)
{
    printf("  ok    %s\n", check);
}

/* Print the failed check and the reason; returns exit status 1. */
static int check_failed(const char *check, const char *reason)
{
    printf("  FAIL  %s\n", check);
    fflush(stdout);
    return clu_fail("validation failed: %s", reason);
}

static void fingerprint(X509 *x, char *out, size_t len)
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int md_len = 0;
    size_t used = 0;

    out[0] = '\0';
    if (!X509_digest(x, EVP_sha256(), md, &md_len))
        return;
    for (unsigned int i = 0; i < md_len && used + 3 < len; i++)
        used += (size_t)snprintf(out + used, len - used, "%s%02X",
                                 i > 0 ? ":" : "", md[i]);
}

static void subject_text(X509 *x, char *out, size_t len)
{
    X509_NAME_oneline(X509_get_subject_name(x), out, (int)len);
}

/* ---------------------------------------------------------------------- */
/* Step 1: check this build installed                                       */

static int load_root(struct validation *v)
{
    char path[4096], reason[4600], check[4200], fp[128];
    BIO *in;

    snprintf(path, sizeof(path), "%s/%s", v->opts->validation_dir,
             ROOT_FILE);
    snprintf(check, sizeof(check), "pinned root key %s", path);
    in = BIO_new_file(path, "r");
    if (in != NULL)
        v->root = PEM_read_bio_X509(in, NULL, NULL, NULL);
    BIO_free(in);
    if (v->root == NULL) {
        snprintf(reason, sizeof(reason),
                 "cannot read the pinned root certificate %s; install it "
                 "with the build, or point --validation-dir or "
                 "IBM4767_VALIDATION_DIR at the directory that contains it",
                 path);
        return check_failed(check, reason);
    }
    fingerprint(v->root, fp, sizeof(fp));
    snprintf(check, sizeof(check), "pinned root key %s (SHA-256 %s)", path,
             fp);
    check_passed(check);
    return CLU_EXIT_OK;
}

/* Parse "segment-N=HEX" lines; '#' starts a comment line. */
static int parse_segments(struct validation *v, FILE *in)
{
    char line[256];
    unsigned seen = 0;

    while (fgets(line, sizeof(line), in) != NULL) {
        unsigned n;
        char hash[80];

        if (line[0] == '#' || line[0] == '\n')
            continue;
        if (sscanf(line, "segment-%u=%79s", &n, hash) != 2 || n < 1
            || n > CCA_STATUS_SEGMENTS || strlen(hash) != 64)
            return 0;
        snprintf(v->expected[n - 1], sizeof(v->expected[n - 1]), "%s",
                 hash);
        seen |= 1u << (n - 1);
    }
    return seen == (1u << CCA_STATUS_SEGMENTS) - 1;
}

static int load_segments(struct validation *v)
{
    char path[4096], reason[4600], check[4200];
    FILE *in;
    int ok = 0;

    snprintf(path, sizeof(path), "%s/%s", v->opts->validation_dir,
             SEGMENTS_FILE);
    snprintf(check, sizeof(check), "expected segment hashes %s", path);
    in = fopen(path, "r");
    if (in != NULL) {
        ok = parse_segments(v, in);
        fclose(in);
    }
    if (!ok) {
        snprintf(reason, sizeof(reason),
                 "cannot read the expected segment hashes from %s: it needs "
                 "one segment-N=<64 hex digits> line for each of the 3 "
                 "segments ('ibm4767-emud --print-segments' writes it)",
                 path);
        return check_failed(check, reason);
    }
    check_passed(check);
    return CLU_EXIT_OK;
}

/* ---------------------------------------------------------------------- */
/* Step 2: the device's certificate chain                                  */

static int fetch_chain(struct validation *v)
{
    uint8_t *class_der = NULL, *device_der = NULL;
    size_t class_len = 0, device_len = 0;
    const unsigned char *p;
    struct cca_result res;
    char text[1024], reason[1200];

    if (!cca_validation_chain(v->be, CLU_DEVICE_INDEX, &class_der,
                              &class_len, &device_der, &device_len, &res)) {
        snprintf(reason, sizeof(reason),
                 "cannot read the device's certificate chain: %s",
                 cca_result_text(&res, text, sizeof(text)));
        return check_failed("certificate chain from the device", reason);
    }
    p = class_der;
    v->class_cert = d2i_X509(NULL, &p, (long)class_len);
    p = device_der;
    v->device_cert = d2i_X509(NULL, &p, (long)device_len);
    OPENSSL_free(class_der);
    OPENSSL_free(device_der);
    if (v->class_cert == NULL || v->device_cert == NULL)
        return check_failed("certificate chain from the device",
                            "the device sent a certificate that is not "
                            "valid DER");
    return CLU_EXIT_OK;
}

/* The class key is ECC P-521, the device key RSA. */
static int check_key_types(struct validation *v)
{
    EVP_PKEY *class_key = X509_get0_pubkey(v->class_cert);
    EVP_PKEY *device_key = X509_get0_pubkey(v->device_cert);
    char group[64] = "";
    size_t len = 0;

    if (class_key == NULL || !EVP_PKEY_is_a(class_key, "EC")
        || !EVP_PKEY_get_group_name(class_key, group, sizeof(group), &len)
        || strcmp(group, "secp521r1") != 0)
        return check_failed("class key type", "the class certificate does "
                            "not hold an ECC P-521 key");
    if (device_key == NULL || !EVP_PKEY_is_a(device_key, "RSA"))
        return check_failed("device key type", "the device certificate "
                            "does not hold an RSA key");
    return CLU_EXIT_OK;
}

static int verify_chain(struct validation *v)
{
    X509_STORE *store = X509_STORE_new();
    X509_STORE_CTX *ctx = X509_STORE_CTX_new();
    STACK_OF(X509) *untrusted = sk_X509_new_null();
    char reason[1024], subject[256], check[512];
    int ok = 0, err = X509_V_ERR_UNSPECIFIED;

    if (store != NULL && ctx != NULL && untrusted != NULL
        && X509_STORE_add_cert(store, v->root)
        && sk_X509_push(untrusted, v->class_cert)
        && X509_STORE_CTX_init(ctx, store, v->device_cert, untrusted)) {
        X509_STORE_CTX_set_flags(ctx, X509_V_FLAG_X509_STRICT);
        ok = X509_verify_cert(ctx) == 1;
        err = X509_STORE_CTX_get_error(ctx);
    }
    sk_X509_free(untrusted);
    X509_STORE_CTX_free(ctx);
    X509_STORE_free(store);

    subject_text(v->device_cert, subject, sizeof(subject));
    snprintf(check, sizeof(check), "device certificate %s: class key "
             "certified by the pinned root, device key by the class key",
             subject);
    if (!ok) {
        snprintf(reason, sizeof(reason),
                 "the certificate chain does not lead to the pinned root "
                 "key: %s; this device was not made by the manufacturer "
                 "whose root this build pins",
                 X509_verify_cert_error_string(err));
        return check_failed(check, reason);
    }
    check_passed(check);
    return CLU_EXIT_OK;
}

/* ---------------------------------------------------------------------- */
/* Step 3: a fresh signed status                                           */

/* 1 when the signature verifies, 0 when it was made by another key, -1
 * when the certified key made it over other data. */
static int status_signature(EVP_PKEY *pub, const struct cca_signed_status *ss)
{
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(pub, NULL);
    unsigned char digest[SHA256_LEN], recovered[EVP_MAX_MD_SIZE];
    size_t recovered_len = sizeof(recovered);
    int ret = 0;

    if (ctx == NULL
        || !EVP_Digest(ss->signed_data, ss->signed_len, digest, NULL,
                       EVP_sha256(), NULL)
        || EVP_PKEY_verify_recover_init(ctx) <= 0
        || EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) <= 0
        || EVP_PKEY_CTX_set_signature_md(ctx, EVP_sha256()) <= 0)
        goto err;
    if (EVP_PKEY_verify_recover(ctx, recovered, &recovered_len,
                                ss->signature, ss->signature_len) <= 0)
        goto err;   /* no valid signature block under this key */
    ret = recovered_len == sizeof(digest)
                  && CRYPTO_memcmp(recovered, digest, sizeof(digest)) == 0
              ? 1 : -1;

err:
    EVP_PKEY_CTX_free(ctx);
    ERR_clear_error();
    return ret;
}

/* The serialNumber attribute of the device certificate's subject. */
static void certificate_serial(X509 *x, char *out, int len)
{
    out[0] = '\0';
    X509_NAME_get_text_by_NID(X509_get_subject_name(x), NID_serialNumber,
                              out, len);
}

static int check_signed_status(struct validation *v)
{
    unsigned char nonce[NONCE_LEN];
    struct cca_result res;
    char text[1024], reason[1400], serial[64];
    const char *check = "status signed by the certified device key over a "
                       "fresh 32-byte nonce";
    int sig;

    if (RAND_bytes(nonce, sizeof(nonce)) != 1)
        return check_failed(check, "cannot draw a random nonce");
    if (!cca_facility_query_signed(v->be, CLU_DEVICE_INDEX, nonce,
                                   sizeof(nonce), &v->ss, &res)) {
        snprintf(reason, sizeof(reason), "cannot get a signed status: %s",
                 cca_result_text(&res, text, sizeof(text)));
        return check_failed(check, reason);
    }
    sig = status_signature(X509_get0_pubkey(v->device_cert), &v->ss);
    if (sig == 0)
        return check_failed(check, "the status is signed by another key "
                            "than the certified device key: the device key "
                            "was replaced, or another device answers on "
                            "this socket");
    if (sig < 0)
        return check_failed(check, "the signed status was altered: its "
                            "signature by the certified device key covers "
                            "other data than the reply holds");
    certificate_serial(v->device_cert, serial, sizeof(serial));
    if (strcmp(serial, v->ss.status.serial) != 0) {
        snprintf(reason, sizeof(reason),
                 "the status reports serial number %s, but the device "
                 "certificate was issued to %s", v->ss.status.serial,
                 serial);
        return check_failed(check, reason);
    }
    check_passed(check);
    return CLU_EXIT_OK;
}

/* ---------------------------------------------------------------------- */
/* Step 4: the code segments                                               */

static int check_segments(struct validation *v)
{
    char check[256], reason[512];

    for (int i = 0; i < CCA_STATUS_SEGMENTS; i++) {
        const struct cca_segment *seg = &v->ss.status.segments[i];

        snprintf(check, sizeof(check), "segment %d (%s) hash %s", i + 1,
                 seg->image, seg->hash);
        if (strcmp(seg->hash, v->expected[i]) != 0) {
            snprintf(reason, sizeof(reason),
                     "segment %d hash changed: the device reports %s, this "
                     "build installed %s; the coprocessor runs other code "
                     "than this build", i + 1, seg->hash, v->expected[i]);
            return check_failed(check, reason);
        }
        check_passed(check);
    }
    return CLU_EXIT_OK;
}

int clu_validate(const struct clu_options *opts)
{
    struct validation v;
    int ret = CLU_EXIT_FAILED;

    memset(&v, 0, sizeof(v));
    v.opts = opts;
    v.be = clu_open_backend(opts);
    if (v.be == NULL)
        goto err;
    printf("Validating %s (%s)\n", CLU_DEVICE_NAME,
           clu_device_path(v.be, opts));

    if (load_root(&v) != CLU_EXIT_OK || load_segments(&v) != CLU_EXIT_OK
        || fetch_chain(&v) != CLU_EXIT_OK
        || check_key_types(&v) != CLU_EXIT_OK
        || verify_chain(&v) != CLU_EXIT_OK
        || check_signed_status(&v) != CLU_EXIT_OK
        || check_segments(&v) != CLU_EXIT_OK)
        goto err;
    printf("validation passed: serial %s is a genuine device running the "
           "code this build installed\n", v.ss.status.serial);
    ret = CLU_EXIT_OK;

err:
    cca_signed_status_clear(&v.ss);
    X509_free(v.root);
    X509_free(v.class_cert);
    X509_free(v.device_cert);
    cca_backend_free(v.be);
    return ret;
}
