/*
 * Validation, as the card supports it: at manufacture a class key (ECC
 * P-521, certified by the manufacturer's root key) certifies the device's
 * own RSA device key, and status replies can be signed by the device key
 * over a caller's nonce.  ibm4767-clu validate checks the chain up to the
 * root key it pins, the signature and the code segment hashes.
 *
 * The build makes the emulated manufacturer's keys (emulator/local.mk):
 * the daemon reads class-key.pem and class.pem from --validation-dir
 * when it makes a device, and keeps the device certificate and a copy of
 * the class certificate in the state directory (device-cert.pem,
 * class-cert.pem).  A device made while the class key was missing stays
 * uncertified until a start that finds it.
 *
 * Test hooks (--test-hook NAME) make validation fail on purpose:
 *   replace-device-key   status replies are signed by a fresh RSA key
 *                        that no certificate covers
 *   alter-signed-status  a bit of the signed status fields flips after
 *                        signing
 *   segment-hash         segment 3 reports another hash
 */
#include <config.h>

#include <stdio.h>
#include <string.h>
#include <time.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <ibm4767/codes.h>
#include <ibm4767/log.h>

#include "admin.h"

#define CLASS_KEY_FILE   "class-key.pem"
#define CLASS_CERT_FILE  "class.pem"
#define DEVICE_CERT_DAYS (20 * 365)
#define CERT_SERIAL_LEN  16
#define HOOK_KEY_BITS    2048

/* ---------------------------------------------------------------------- */
/* Reading and writing certificates                                        */

static X509 *cert_from_pem(OSSL_LIB_CTX *libctx, const char *pem, size_t len)
{
    BIO *mem = BIO_new_mem_buf(pem, (int)len);
    X509 *x = X509_new_ex(libctx, NULL);

    if (mem == NULL || x == NULL
        || PEM_read_bio_X509(mem, &x, NULL, NULL) == NULL) {
        X509_free(x);
        x = NULL;
    }
    BIO_free(mem);
    return x;
}

/* Read a certificate of the state directory: 1, -1 when missing, 0 on an
 * error (message in err). */
static int state_cert_load(struct emu_device *dev, const char *name,
                           X509 **out, char *err, size_t err_len)
{
    char *text = NULL;
    size_t len = 0;
    int rd = emu_state_read_file(&dev->state, name, &text, &len, err,
                                 err_len);

    if (rd <= 0)
        return rd;
    *out = cert_from_pem(dev->libctx, text, len);
    emu_state_file_free(text);
    if (*out == NULL) {
        snprintf(err, err_len, "%s/%s does not hold a PEM certificate; "
                 "restore it from a backup", dev->state.dir, name);
        return 0;
    }
    return 1;
}

static int state_cert_save(struct emu_device *dev, const char *name, X509 *x,
                           char *err, size_t err_len)
{
    BIO *mem = BIO_new(BIO_s_mem());
    char *pem = NULL;
    long pem_len;
    int ret = 0;

    if (mem == NULL || !PEM_write_bio_X509(mem, x)) {
        snprintf(err, err_len, "cannot encode %s", name);
        goto err;
    }
    pem_len = BIO_get_mem_data(mem, &pem);
    ret = emu_state_write_file(&dev->state, name, pem, (size_t)pem_len, err,
                               err_len);

err:
    BIO_free(mem);
    return ret;
}

/* ---------------------------------------------------------------------- */
/* Manufacture: certifying the device key                                  */

static int add_extension(X509 *x, X509 *issuer, int nid, const char *value)
{
    X509V3_CTX ctx;
    X509_EXTENSION *ext;
    int ok;

    X509V3_set_ctx(&ctx, issuer, x, NULL, NULL, 0);
    ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
    if (ext == NULL)
        return 0;
    ok = X509_add_ext(x, ext, -1);
    X509_EXTENSION_free(ext);
    return ok;
}

static int set_subject(X509 *x, const char *serial)
{
    X509_NAME *name = X509_get_subject_name(x);
    char cn[64];

    snprintf(cn, sizeof(cn), "ibm4767-emud device %s", serial);
    return X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
                                      (const unsigned char *)"ibm4767 "
                                      "emulator", -1, -1, 0)
           && X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                                         (const unsigned char *)cn, -1, -1,
                                         0)
           && X509_NAME_add_entry_by_NID(name, NID_serialNumber,
                                         MBSTRING_ASC,
                                         (const unsigned char *)serial, -1,
                                         -1, 0);
}

static int set_serial_number(X509 *x, OSSL_LIB_CTX *libctx)
{
    uint8_t rnd[CERT_SERIAL_LEN];
    BIGNUM *bn = NULL;
    int ok;

    if (RAND_bytes_ex(libctx, rnd, sizeof(rnd), 0) <= 0)
        return 0;
    rnd[0] &= 0x7f;   /* a positive INTEGER */
    bn = BN_bin2bn(rnd, sizeof(rnd), NULL);
    ok = bn != NULL && BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x))
                           != NULL;
    BN_free(bn);
    return ok;
}

static int sign_cert(X509 *x, EVP_PKEY *class_key, OSSL_LIB_CTX *libctx)
{
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    int ok;

    ok = ctx != NULL
         && EVP_DigestSignInit_ex(ctx, NULL, "SHA2-512", libctx, NULL,
                                  class_key, NULL)
         && X509_sign_ctx(x, ctx) > 0;
    EVP_MD_CTX_free(ctx);
    return ok;
}

/* The device key's certificate, issued by the class certificate. */
static X509 *certify_device_key(struct emu_device *dev, EVP_PKEY *class_key,
                                X509 *class_cert)
{
    X509 *x = X509_new_ex(dev->libctx, NULL);

    if (x == NULL || !X509_set_version(x, X509_VERSION_3)
        || !set_serial_number(x, dev->libctx)
        || !X509_set_issuer_name(x, X509_get_subject_name(class_cert))
        || !set_subject(x, dev->state.serial)
        || X509_gmtime_adj(X509_getm_notBefore(x), 0) == NULL
        || X509_time_adj_ex(X509_getm_notAfter(x), DEVICE_CERT_DAYS, 0,
                            NULL) == NULL
        || !X509_set_pubkey(x, dev->state.device_key)
        || !add_extension(x, class_cert, NID_basic_constraints,
                          "critical,CA:FALSE")
        || !add_extension(x, class_cert, NID_key_usage,
                          "critical,digitalSignature")
        || !add_extension(x, class_cert, NID_subject_key_identifier, "hash")
        || !add_extension(x, class_cert, NID_authority_key_identifier,
                          "keyid:always")
        || !sign_cert(x, class_key, dev->libctx)) {
        X509_free(x);
        return NULL;
    }
    return x;
}

/* Read the class key and certificate from the validation directory.
 * Returns 1, or 0 with the reason in err. */
static int class_load(struct emu_device *dev, EVP_PKEY **key, X509 **cert,
                      char *err, size_t err_len)
{
    const char *dir = dev->cfg->validation_dir;
    char path[4096];
    BIO *in;

    snprintf(path, sizeof(path), "%s/%s", dir, CLASS_KEY_FILE);
    in = BIO_new_file(path, "r");
    if (in != NULL)
        *key = PEM_read_bio_PrivateKey_ex(in, NULL, NULL, NULL, dev->libctx,
                                          NULL);
    BIO_free(in);
    snprintf(path, sizeof(path), "%s/%s", dir, CLASS_CERT_FILE);
    in = BIO_new_file(path, "r");
    if (in != NULL)
        *cert = PEM_read_bio_X509(in, NULL, NULL, NULL);
    BIO_free(in);

    if (*key == NULL || *cert == NULL) {
        snprintf(err, err_len, "cannot read the class key and certificate "
                 "%s/%s and %s/%s", dir, CLASS_KEY_FILE, dir,
                 CLASS_CERT_FILE);
        return 0;
    }
    if (!X509_check_private_key(*cert, *key)) {
        snprintf(err, err_len, "%s/%s is not the key of %s/%s", dir,
                 CLASS_KEY_FILE, dir, CLASS_CERT_FILE);
        return 0;
    }
    return 1;
}

/* Certify the device key and keep the chain in the state directory.
 * Without a class key the device stays uncertified, which only
 * validation notices. */
static int manufacture(struct emu_device *dev, char *err, size_t err_len)
{
    EVP_PKEY *class_key = NULL;
    X509 *class_cert = NULL;
    X509 *device_cert = NULL;
    char why[512];
    int ret = 0;

    if (!class_load(dev, &class_key, &class_cert, why, sizeof(why))) {
        IBM4767_WARN("device key of %s not certified: %s; validation fails "
                     "until ibm4767-emud starts with --validation-dir at "
                     "the class key", dev->state.serial, why);
        ret = 1;
        goto err;
    }
    device_cert = certify_device_key(dev, class_key, class_cert);
    if (device_cert == NULL) {
        snprintf(err, err_len, "cannot certify the device key with the "
                 "class key");
        goto err;
    }
    if (!state_cert_save(dev, EMU_STATE_CLASS_CERT, class_cert, err,
                         err_len)
        || !state_cert_save(dev, EMU_STATE_DEVICE_CERT, device_cert, err,
                            err_len))
        goto err;
    dev->state.class_cert = class_cert;
    dev->state.device_cert = device_cert;
    class_cert = device_cert = NULL;
    IBM4767_INFO("certified the device key of %s with the class key from "
                 "%s", dev->state.serial, dev->cfg->validation_dir);
    ret = 1;

err:
    X509_free(device_cert);
    X509_free(class_cert);
    EVP_PKEY_free(class_key);
    return ret;
}

/* ---------------------------------------------------------------------- */
/* Start-up                                                                */

static int load_chain(struct emu_device *dev, char *err, size_t err_len)
{
    int class_rd, device_rd;

    class_rd = state_cert_load(dev, EMU_STATE_CLASS_CERT,
                               &dev->state.class_cert, err, err_len);
    if (class_rd == 0)
        return 0;
    device_rd = state_cert_load(dev, EMU_STATE_DEVICE_CERT,
                                &dev->state.device_cert, err, err_len);
    if (device_rd == 0)
        return 0;
    if (class_rd < 0 || device_rd < 0) {
        X509_free(dev->state.class_cert);
        X509_free(dev->state.device_cert);
        dev->state.class_cert = dev->state.device_cert = NULL;
        return manufacture(dev, err, err_len);
    }
    if (EVP_PKEY_eq(X509_get0_pubkey(dev->state.device_cert),
                    dev->state.device_key) != 1) {
        snprintf(err, err_len, "%s/%s certifies another key than %s/%s; "
                 "restore the state directory from a backup",
                 dev->state.dir, EMU_STATE_DEVICE_CERT, dev->state.dir,
                 EMU_STATE_DEVICE_KEY);
        return 0;
    }
    return 1;
}

static int set_up_hooks(struct emu_device *dev, char *err, size_t err_len)
{
    unsigned hooks = dev->cfg->test_hooks;

    if (hooks == 0)
        return 1;
    IBM4767_WARN("test hooks 0x%x are on: validation of this device fails "
                 "on purpose; never use --test-hook outside tests", hooks);
    if ((hooks & EMU_HOOK_REPLACE_DEVICE_KEY) == 0)
        return 1;
    dev->admin->hook_key = EVP_PKEY_Q_keygen(dev->libctx, NULL, "RSA",
                                             (size_t)HOOK_KEY_BITS);
    if (dev->admin->hook_key == NULL) {
        snprintf(err, err_len, "test hook replace-device-key: cannot "
                 "generate an RSA-%d key", HOOK_KEY_BITS);
        return 0;
    }
    return 1;
}

int emu_validation_open(struct emu_device *dev, char *err, size_t err_len)
{
    if (dev->state.zeroized_code != 0)
        return 1;
    return load_chain(dev, err, err_len) && set_up_hooks(dev, err, err_len);
}

EVP_PKEY *emu_validation_status_key(struct emu_device *dev)
{
    if (dev->admin != NULL && dev->admin->hook_key != NULL)
        return dev->admin->hook_key;
    return dev->state.device_key;
}

void emu_validation_alter_status(struct emu_device *dev, uint8_t *fields,
                                 size_t len)
{
    /* The last byte is the low byte of the last counter. */
    if ((dev->cfg->test_hooks & EMU_HOOK_ALTER_STATUS) != 0 && len > 0)
        fields[len - 1] ^= 0x01;
}

void emu_validation_apply_segment_hook(struct emu_device *dev)
{
    char *hash = dev->segments[CCA_STATUS_SEGMENTS - 1].hash;
    size_t last = strlen(hash);

    if ((dev->cfg->test_hooks & EMU_HOOK_SEGMENT_HASH) == 0 || last == 0)
        return;
    hash[last - 1] = hash[last - 1] == '0' ? '1' : '0';
}

int emu_validation_print_segments(const struct emu_config *cfg)
{
    struct emu_device dev;
    char err[512];
    int status = 1;

    if (!emu_device_init(&dev, cfg, err, sizeof(err))
        || !emu_status_init(&dev, err, sizeof(err))) {
        fprintf(stderr, EMU_PROGRAM ": %s\n", err);
        goto err;
    }
    printf("# Code segment hashes of " PACKAGE_STRING ", as ibm4767-clu "
           "validate expects them\n");
    for (int i = 0; i < CCA_STATUS_SEGMENTS; i++)
        printf("# segment %d: %s\nsegment-%d=%s\n", i + 1,
               dev.segments[i].image, i + 1, dev.segments[i].hash);
    status = fflush(stdout) == 0 ? 0 : 1;

err:
    emu_device_free(&dev);
    return status;
}

/* ---------------------------------------------------------------------- */
/* The verb                                                                */

static int put_cert(struct ibm4767_wbuf *reply, X509 *x)
{
    unsigned char *der = NULL;
    int len = i2d_X509(x, &der);
    int ok;

    if (len <= 0)
        return 0;
    ok = ibm4767_put_bytes(reply, der, (size_t)len);
    OPENSSL_free(der);
    return ok;
}

/* VALIDATION_CHAIN.  Request: no fields.  Reply: bytes class certificate,
 * bytes device certificate, both DER. */
int emu_verb_validation_chain(struct emu_device *dev,
                              struct ibm4767_rbuf *req,
                              struct ibm4767_wbuf *reply,
                              struct emu_result *res)
{
    if (!emu_request_done(req, res))
        return 0;
    if (dev->state.class_cert == NULL || dev->state.device_cert == NULL)
        return emu_fail(res, CCA_RC_SETUP, CCA_RS_NOT_CERTIFIED,
                        "device %s has no device key certificate",
                        dev->state.serial);
    return put_cert(reply, dev->state.class_cert)
           && put_cert(reply, dev->state.device_cert);
}
