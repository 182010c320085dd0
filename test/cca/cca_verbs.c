/*
 * libcsulcca-emu.so called directly with CCA's conventions, as the cca
 * transport and other CCA applications call IBM's library: every argument
 * by pointer, and rule keywords of 8 bytes.  The tests check the exact
 * return and reason codes: 8/72 with the length needed for a buffer too
 * small, 8/35 for a wrong rule count, and 8/33 for an unknown keyword or
 * one the configured CCA level lacks.  They also read back the
 * key-record-list files of CSNDKRL and CSNBAKRL.
 *
 * cca_verbs.sh starts an emulator and runs this program with
 * IBM4767_CCA_LIBRARY (the library), IBM4767_DEVICES,
 * IBM4767_KEY_STORAGE and IBM4767_EMU_CCA_LEVEL set.
 */
#include <config.h>

#include <dlfcn.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <openssl/evp.h>
#include <openssl/obj_mac.h>

#include "cca_verbs.h"

/* The verbs under test, resolved by load_library(). */
struct cca_verbs_lib lib;


static void *resolve(const char *name)
{
    void *sym = dlsym(lib.handle, name);

    if (sym == NULL) {
        fprintf(stderr, "cca_verbs: the library has no %s\n", name);
        exit(99);
    }
    return sym;
}

#define RESOLVE(name) \
    do { void *sym_ = resolve(#name); memcpy(&lib.name, &sym_, sizeof(sym_)); } while (0)

static int load_library(void **state)
{
    const char *path = getenv("IBM4767_CCA_LIBRARY");
    const char *level = getenv("IBM4767_EMU_CCA_LEVEL");

    if (path == NULL || (lib.handle = dlopen(path, RTLD_NOW)) == NULL) {
        fprintf(stderr, "cca_verbs: cannot load IBM4767_CCA_LIBRARY=%s: %s\n",
                path != NULL ? path : "(unset)", dlerror());
        return -1;
    }
    if (level == NULL || sscanf(level, "%u.%u", &lib.version,
                                &lib.release) != 2) {
        lib.version = 5;
        lib.release = 4;
    }
    RESOLVE(CSUACFQ);
    RESOLVE(CSUACFV);
    RESOLVE(CSUACRA);
    RESOLVE(CSNDPKB);
    RESOLVE(CSNDPKG);
    RESOLVE(CSNDPKX);
    RESOLVE(CSNDDSG);
    RESOLVE(CSNDDSV);
    RESOLVE(CSNDPKE);
    RESOLVE(CSNDPKD);
    RESOLVE(CSNDEDH);
    RESOLVE(CSNBKTB2);
    RESOLVE(CSNBKGN2);
    RESOLVE(CSNBKPI2);
    RESOLVE(CSNBSAE);
    RESOLVE(CSNBSAD);
    RESOLVE(CSNBRNGL);
    RESOLVE(CSNDKRC);
    RESOLVE(CSNDKRR);
    RESOLVE(CSNDKRD);
    RESOLVE(CSNDKRL);
    RESOLVE(CSNBAKRC);
    RESOLVE(CSNBAKRR);
    RESOLVE(CSNBAKRL);
    return 0;
}

static int level_at_least(unsigned int version, unsigned int release)
{
    return lib.version > version
           || (lib.version == version && lib.release >= release);
}

long rules(unsigned char *rule, const char *words)
{
    char copy[128];
    long n = 0;

    snprintf(copy, sizeof(copy), "%s", words);
    memset(rule, ' ', CCA_RULE_MAX * CCA_KEYWORD_LEN);
    for (char *w = strtok(copy, " "); w != NULL; w = strtok(NULL, " "))
        memcpy(rule + CCA_KEYWORD_LEN * n++, w, strlen(w));
    return n;
}

void expect(const struct codes *c, long rc, long reason)
{
    if (c->rc != rc || c->reason != reason)
        fail_msg("expected %ld/%ld, got %ld/%ld", rc, reason, c->rc,
                 c->reason);
}

/* ---- Facility verbs --------------------------------------------------- */

static void facility(struct codes *c, const char *words, unsigned char *rule,
                     long *count)
{
    long zero = 0;

    *count = rules(rule, words);
    lib.CSUACFQ(&c->rc, &c->reason, &c->exit_len, NULL, count, rule, &zero,
                NULL);
}

static void test_statcca_reports_level(void **state)
{
    unsigned char rule[32 * CCA_KEYWORD_LEN];
    char level[16];
    struct codes c = { 0 };
    long count;

    facility(&c, "STATCCA", rule, &count);
    expect(&c, 0, 0);
    assert_int_equal(count, 6);
    snprintf(level, sizeof(level), "%u.%u.0", lib.version, lib.release);
    assert_memory_equal(rule + 3 * CCA_KEYWORD_LEN, level, strlen(level));
}

static void test_facility_rule_count_zero(void **state)
{
    unsigned char rule[32 * CCA_KEYWORD_LEN];
    struct codes c = { 0 };
    long count;

    facility(&c, "", rule, &count);
    expect(&c, 8, 35);
}

static void test_facility_unknown_keyword(void **state)
{
    unsigned char rule[32 * CCA_KEYWORD_LEN];
    struct codes c = { 0 };
    long count;

    facility(&c, "STATXYZ", rule, &count);
    expect(&c, 8, 33);
}

static void test_facility_two_queries(void **state)
{
    unsigned char rule[32 * CCA_KEYWORD_LEN];
    struct codes c = { 0 };
    long count;

    facility(&c, "STATCCA STATAES", rule, &count);
    expect(&c, 8, 34);
}

static void test_version_buffer_too_small(void **state)
{
    unsigned char version[2];
    struct codes c = { 0 };
    long len = sizeof(version);

    lib.CSUACFV(&c.rc, &c.reason, &c.exit_len, NULL, &len, version);
    expect(&c, 8, 72);
    assert_int_equal(len, 5);   /* "V.R.0" */
}

static void test_allocate_unknown_adapter(void **state)
{
    unsigned char rule[CCA_RULE_MAX * CCA_KEYWORD_LEN];
    unsigned char name[] = "CRP09   ";
    struct codes c = { 0 };
    long count = rules(rule, "DEVICE"), len = 8;

    lib.CSUACRA(&c.rc, &c.reason, &c.exit_len, NULL, &count, rule, &len,
                name);
    expect(&c, 12, 4805);
    memcpy(name, "CRP01", 5);
    lib.CSUACRA(&c.rc, &c.reason, &c.exit_len, NULL, &count, rule, &len,
                name);
    expect(&c, 0, 0);
}

/* The serial number (element 15 of STATCRD2) of the calling thread's
 * adapter, and the adapter count. */
static long adapter_serial(char serial[9])
{
    unsigned char rule[32 * CCA_KEYWORD_LEN];
    struct codes c = { 0 };
    long count;

    facility(&c, "STATCRD2", rule, &count);
    expect(&c, 0, 0);
    assert_int_equal(count, 15);
    memcpy(serial, rule + 14 * CCA_KEYWORD_LEN, 8);
    serial[8] = '\0';
    return strtol((const char *)rule, NULL, 10);
}

/* Select CRP02 in a thread of its own and read its serial number. */
static void *second_adapter(void *arg)
{
    unsigned char rule[CCA_RULE_MAX * CCA_KEYWORD_LEN];
    unsigned char name[] = "CRP02   ";
    struct codes c = { 0 };
    long count = rules(rule, "DEVICE"), len = 8;

    lib.CSUACRA(&c.rc, &c.reason, &c.exit_len, NULL, &count, rule, &len,
                name);
    if (c.rc != 0)
        return NULL;
    adapter_serial(arg);
    return arg;
}

static void test_adapter_selection_per_thread(void **state)
{
    char first[9], second[9] = "", again[9];
    pthread_t thread;
    void *done = NULL;

    assert_int_equal(adapter_serial(first), 2);
    assert_int_equal(pthread_create(&thread, NULL, second_adapter, second),
                     0);
    assert_int_equal(pthread_join(thread, &done), 0);
    assert_non_null(done);
    assert_string_not_equal(first, second);
    /* This thread still uses its own adapter. */
    adapter_serial(again);
    assert_string_equal(first, again);
}

/* ---- PKA keys ------------------------------------------------------- */

/* CSNDPKB then CSNDPKG: a key of rule words and key value structure. */
long generate(const char *words, const uint8_t *kvs, long kvs_len,
              uint8_t *token)
{
    unsigned char rule[CCA_RULE_MAX * CCA_KEYWORD_LEN];
    uint8_t skeleton[CCA_TOKEN_MAX], transport[64] = { 0 };
    struct codes c = { 0 };
    long count = rules(rule, words), zero = 0, skel_len = sizeof(skeleton);
    long out_len = CCA_TOKEN_MAX;

    lib.CSNDPKB(&c.rc, &c.reason, &c.exit_len, NULL, &count, rule, &kvs_len,
                (unsigned char *)kvs, &zero, NULL, &zero, NULL, &zero, NULL,
                &zero, NULL, &zero, NULL, &zero, NULL, &skel_len, skeleton);
    expect(&c, 0, 0);
    count = rules(rule, "MASTER");
    lib.CSNDPKG(&c.rc, &c.reason, &c.exit_len, NULL, &count, rule, &zero,
                NULL, &skel_len, skeleton, transport, &out_len, token);
    expect(&c, 0, 0);
    return out_len;
}

static const uint8_t rsa2048_kvs[] = {
    0x08, 0x00, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0x01, 0x00, 0x01,
};
const uint8_t p256_kvs[P256_KVS_LEN] = { 0, 0, 0x01, 0x00, 0, 0, 0, 0 };

static long public_of(const uint8_t *token, long len, uint8_t *pub)
{
    struct codes c = { 0 };
    long zero = 0, pub_len = CCA_TOKEN_MAX;

    lib.CSNDPKX(&c.rc, &c.reason, &c.exit_len, NULL, &zero, NULL, &len,
                (unsigned char *)token, &pub_len, pub);
    expect(&c, 0, 0);
    return pub_len;
}

static void test_generate_output_too_small(void **state)
{
    unsigned char rule[CCA_RULE_MAX * CCA_KEYWORD_LEN];
    uint8_t skeleton[CCA_TOKEN_MAX], out[16], transport[64] = { 0 };
    struct codes c = { 0 };
    long count = rules(rule, "RSA-AESC KEY-MGMT"), zero = 0;
    long kvs_len = sizeof(rsa2048_kvs), skel_len = sizeof(skeleton);
    long out_len = sizeof(out);

    lib.CSNDPKB(&c.rc, &c.reason, &c.exit_len, NULL, &count, rule, &kvs_len,
                (unsigned char *)rsa2048_kvs, &zero, NULL, &zero, NULL,
                &zero, NULL, &zero, NULL, &zero, NULL, &zero, NULL,
                &skel_len, skeleton);
    expect(&c, 0, 0);

    count = rules(rule, "MASTER");
    lib.CSNDPKG(&c.rc, &c.reason, &c.exit_len, NULL, &count, rule, &zero,
                NULL, &skel_len, skeleton, transport, &out_len, out);
    expect(&c, 8, 72);
    assert_true(out_len > (long)sizeof(out));

    count = rules(rule, "MASTER RETAIN");
    lib.CSNDPKG(&c.rc, &c.reason, &c.exit_len, NULL, &count, rule, &zero,
                NULL, &skel_len, skeleton, transport, &out_len, out);
    expect(&c, 8, 35);
    count = rules(rule, "MASTERS");
    lib.CSNDPKG(&c.rc, &c.reason, &c.exit_len, NULL, &count, rule, &zero,
                NULL, &skel_len, skeleton, transport, &out_len, out);
    expect(&c, 8, 33);
}

static void test_token_build_unknown_keyword(void **state)
{
    unsigned char rule[CCA_RULE_MAX * CCA_KEYWORD_LEN];
    uint8_t tok[CCA_TOKEN_MAX];
    struct codes c = { 0 };
    long count = rules(rule, "RSA-AESC FOOBAR"), zero = 0;
    long kvs_len = sizeof(rsa2048_kvs), len = sizeof(tok);

    lib.CSNDPKB(&c.rc, &c.reason, &c.exit_len, NULL, &count, rule, &kvs_len,
                (unsigned char *)rsa2048_kvs, &zero, NULL, &zero, NULL,
                &zero, NULL, &zero, NULL, &zero, NULL, &zero, NULL, &len,
                tok);
    expect(&c, 8, 33);
    count = rules(rule, "RSA-AESC ECC-PAIR");
    lib.CSNDPKB(&c.rc, &c.reason, &c.exit_len, NULL, &count, rule, &kvs_len,
                (unsigned char *)rsa2048_kvs, &zero, NULL, &zero, NULL,
                &zero, NULL, &zero, NULL, &zero, NULL, &zero, NULL, &len,
                tok);
    expect(&c, 8, 34);
}

/* PKCS-1.1 over a SHA-256 DigestInfo of "abc". */
static void digest_info(uint8_t out[51])
{
    static const uint8_t prefix[19] = {
        0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65,
        0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20,
    };
    unsigned int len = 32;

    memcpy(out, prefix, sizeof(prefix));
    EVP_Digest("abc", 3, out + 19, &len, EVP_sha256(), NULL);
}

static void test_rsa_sign_verify_codes(void **state)
{
    unsigned char rule[CCA_RULE_MAX * CCA_KEYWORD_LEN];
    uint8_t token[CCA_TOKEN_MAX], pub[CCA_TOKEN_MAX], sig[600], di[51];
    struct codes c = { 0 };
    long tok_len = generate("RSA-AESC KEY-MGMT", rsa2048_kvs,
                            sizeof(rsa2048_kvs), token);
    long pub_len = public_of(token, tok_len, pub);
    long count = rules(rule, "PKCS-1.1 HASH"), di_len = sizeof(di);
    long sig_len = 100, bits = 0;

    digest_info(di);
    lib.CSNDDSG(&c.rc, &c.reason, &c.exit_len, NULL, &count, rule, &tok_len,
                token, &di_len, di, &sig_len, &bits, sig);
    expect(&c, 8, 72);
    assert_int_equal(sig_len, 256);

    sig_len = 513;
    lib.CSNDDSG(&c.rc, &c.reason, &c.exit_len, NULL, &count, rule, &tok_len,
                token, &di_len, di, &sig_len, &bits, sig);
    expect(&c, 8, 72);

    sig_len = 512;
    lib.CSNDDSG(&c.rc, &c.reason, &c.exit_len, NULL, &count, rule, &tok_len,
                token, &di_len, di, &sig_len, &bits, sig);
    expect(&c, 0, 0);
    assert_int_equal(sig_len, 256);
    assert_int_equal(bits, 2048);

    lib.CSNDDSV(&c.rc, &c.reason, &c.exit_len, NULL, &count, rule, &pub_len,
                pub, &di_len, di, &sig_len, sig);
    expect(&c, 0, 0);
    sig[100] ^= 1;
    lib.CSNDDSV(&c.rc, &c.reason, &c.exit_len, NULL, &count, rule, &pub_len,
                pub, &di_len, di, &sig_len, sig);
    expect(&c, 4, 429);

    count = rules(rule, "PKCS-1.1 ECDSA");
    lib.CSNDDSG(&c.rc, &c.reason, &c.exit_len, NULL, &count, rule, &tok_len,
                token, &di_len, di, &sig_len, &bits, sig);
    expect(&c, 8, 34);
    count = CCA_RULE_MAX + 1;   /* more keywords than any verb takes */
    lib.CSNDDSG(&c.rc, &c.reason, &c.exit_len, NULL, &count, rule, &tok_len,
                token, &di_len, di, &sig_len, &bits, sig);
    expect(&c, 8, 35);
}

/* PKE with the public token, PKD with the private one, under words. */
static void rsa_round_trip(const uint8_t *token, long tok_len,
                           const uint8_t *pub, long pub_len,
                           const char *words, struct codes *c)
{
    unsigned char rule[CCA_RULE_MAX * CCA_KEYWORD_LEN];
    uint8_t msg[32], enc[256], dec[256];
    long count = rules(rule, words), zero = 0, msg_len = sizeof(msg);
    long enc_len = sizeof(enc), dec_len = sizeof(dec);

    memset(msg, 0x5a, sizeof(msg));
    lib.CSNDPKE(&c->rc, &c->reason, &c->exit_len, NULL, &count, rule,
                &msg_len, msg, &zero, NULL, &pub_len, (unsigned char *)pub,
                &enc_len, enc);
    if (c->rc != 0)
        return;
    lib.CSNDPKD(&c->rc, &c->reason, &c->exit_len, NULL, &count, rule,
                &enc_len, enc, &zero, NULL, &tok_len, (unsigned char *)token,
                &dec_len, dec);
    if (c->rc != 0)
        return;
    assert_int_equal(dec_len, sizeof(msg));
    assert_memory_equal(dec, msg, sizeof(msg));
}

static void test_rsa_oaep_levels(void **state)
{
    uint8_t token[CCA_TOKEN_MAX], pub[CCA_TOKEN_MAX];
    struct codes c = { 0 };
    long tok_len = generate("RSA-AESC KM-ONLY", rsa2048_kvs,
                            sizeof(rsa2048_kvs), token);
    long pub_len = public_of(token, tok_len, pub);

    rsa_round_trip(token, tok_len, pub, pub_len, "PKCS-1.2", &c);
    expect(&c, 0, 0);
    rsa_round_trip(token, tok_len, pub, pub_len, "PKCSOAEP SHA-256", &c);
    expect(&c, 0, 0);
    /* PKCSOAEP takes SHA-1 and SHA-256 only. */
    rsa_round_trip(token, tok_len, pub, pub_len, "PKCSOAEP SHA-384", &c);
    expect(&c, 8, 34);
    /* PKOAEP2 exists from CCA 8.1. */
    rsa_round_trip(token, tok_len, pub, pub_len, "PKOAEP2 SHA-384", &c);
    if (level_at_least(8, 1))
        expect(&c, 0, 0);
    else
        expect(&c, 8, 33);
}

static void test_ecdh_passthru_agrees(void **state)
{
    unsigned char rule[CCA_RULE_MAX * CCA_KEYWORD_LEN];
    uint8_t a[CCA_TOKEN_MAX], b[CCA_TOKEN_MAX];
    uint8_t a_pub[CCA_TOKEN_MAX], b_pub[CCA_TOKEN_MAX], z1[66], z2[66];
    struct codes c = { 0 };
    long a_len = generate("ECC-PAIR KEY-MGMT", p256_kvs, sizeof(p256_kvs), a);
    long b_len = generate("ECC-PAIR KEY-MGMT", p256_kvs, sizeof(p256_kvs), b);
    long a_pub_len = public_of(a, a_len, a_pub);
    long b_pub_len = public_of(b, b_len, b_pub);
    long count = rules(rule, "PASSTHRU"), zero = 0, bits = 0;
    long z1_len = 8, z2_len = sizeof(z2);

    lib.CSNDEDH(&c.rc, &c.reason, &c.exit_len, NULL, &count, rule, &a_len, a,
                &zero, NULL, &b_pub_len, b_pub, &zero, NULL, &zero, NULL,
                &bits, &zero, NULL, &zero, NULL, &zero, NULL, &zero, NULL,
                &zero, NULL, &zero, NULL, &z1_len, z1);
    expect(&c, 8, 72);
    assert_int_equal(z1_len, 32);

    lib.CSNDEDH(&c.rc, &c.reason, &c.exit_len, NULL, &count, rule, &a_len, a,
                &zero, NULL, &b_pub_len, b_pub, &zero, NULL, &zero, NULL,
                &bits, &zero, NULL, &zero, NULL, &zero, NULL, &zero, NULL,
                &zero, NULL, &zero, NULL, &z1_len, z1);
    expect(&c, 0, 0);
    lib.CSNDEDH(&c.rc, &c.reason, &c.exit_len, NULL, &count, rule, &b_len, b,
                &zero, NULL, &a_pub_len, a_pub, &zero, NULL, &zero, NULL,
                &bits, &zero, NULL, &zero, NULL, &zero, NULL, &zero, NULL,
                &zero, NULL, &zero, NULL, &z2_len, z2);
    expect(&c, 0, 0);
    assert_int_equal(z1_len, z2_len);
    assert_memory_equal(z1, z2, (size_t)z1_len);

    count = rules(rule, "DERIV01");
    lib.CSNDEDH(&c.rc, &c.reason, &c.exit_len, NULL, &count, rule, &b_len, b,
                &zero, NULL, &a_pub_len, a_pub, &zero, NULL, &zero, NULL,
                &bits, &zero, NULL, &zero, NULL, &zero, NULL, &zero, NULL,
                &zero, NULL, &zero, NULL, &z2_len, z2);
    expect(&c, 8, 4773);
}

/* ---- AES ---------------------------------------------------------- */

long aes_key(uint8_t *token)
{
    unsigned char rule[CCA_RULE_MAX * CCA_KEYWORD_LEN];
    unsigned char type1[] = "TOKEN   ", type2[] = "        ";
    struct codes c = { 0 };
    long count = rules(rule, "INTERNAL AES CIPHER NO-KEY ANY-MODE");
    long zero = 0, bits = 256, len = 725;

    lib.CSNBKTB2(&c.rc, &c.reason, &c.exit_len, NULL, &count, rule, &zero,
                 NULL, &zero, NULL, &zero, NULL, &zero, NULL, &zero, NULL,
                 &len, token);
    expect(&c, 0, 0);
    count = rules(rule, "AES OP");
    lib.CSNBKGN2(&c.rc, &c.reason, &c.exit_len, NULL, &count, rule, &bits,
                 type1, type2, &zero, NULL, &zero, NULL, &zero, NULL, &zero,
                 NULL, &zero, NULL, &zero, NULL, &len, token, &zero, NULL);
    expect(&c, 0, 0);
    return len;
}

/* One CSNBSAE call. */
static void encipher(const char *words, uint8_t *key, long key_len,
                     uint8_t *iv, long iv_len, uint8_t *chain,
                     long *chain_len, const uint8_t *in, long len,
                     uint8_t *out, uint8_t *tag, long tag_len,
                     struct codes *c)
{
    unsigned char rule[CCA_RULE_MAX * CCA_KEYWORD_LEN];
    long count = rules(rule, words), block = 16, out_len = len, zero = 0;

    lib.CSNBSAE(&c->rc, &c->reason, &c->exit_len, NULL, &count, rule,
                &key_len, key, &tag_len, tag, &block, &iv_len, iv, chain_len,
                chain, &len, (unsigned char *)in, &out_len, out, &zero,
                NULL);
}

static void test_aes_cbc_chaining(void **state)
{
    uint8_t key[725], iv[16] = { 1 }, msg[64], one[64], two[64];
    uint8_t chain[32];
    struct codes c = { 0 };
    long key_len = aes_key(key), chain_len = 16;

    memset(msg, 0x33, sizeof(msg));
    encipher("AES CBC KEYIDENT INITIAL", key, key_len, iv, 16, chain,
             &chain_len, msg, 64, one, NULL, 0, &c);
    expect(&c, 8, 72);
    assert_int_equal(chain_len, 32);

    encipher("AES CBC KEYIDENT INITIAL", key, key_len, iv, 16, chain,
             &chain_len, msg, 64, one, NULL, 0, &c);
    expect(&c, 0, 0);
    encipher("AES CBC KEYIDENT INITIAL", key, key_len, iv, 16, chain,
             &chain_len, msg, 32, two, NULL, 0, &c);
    expect(&c, 0, 0);
    encipher("AES CBC KEYIDENT CONTINUE", key, key_len, NULL, 0, chain,
             &chain_len, msg + 32, 32, two + 32, NULL, 0, &c);
    expect(&c, 0, 0);
    assert_memory_equal(one, two, sizeof(one));

    encipher("AES CBC CONTINUE INITIAL", key, key_len, iv, 16,
             chain, &chain_len, msg, 64, one, NULL, 0, &c);
    expect(&c, 8, 34);
    encipher("AES CTR KEYIDENT", key, key_len, iv, 16, chain, &chain_len,
             msg, 64, one, NULL, 0, &c);
    expect(&c, 8, 33);
}

static void test_aes_gcm_steps(void **state)
{
    uint8_t key[725], iv[12] = { 7 }, msg[48], one[48], two[48];
    uint8_t tag1[16], tag2[16], chain[104];
    struct codes c = { 0 };
    long key_len = aes_key(key), chain_len = 32;

    memset(msg, 0x44, sizeof(msg));
    encipher("AES GCM KEYIDENT ONLY", key, key_len, iv, 12, NULL, NULL, msg,
             48, one, tag1, 16, &c);
    if (!level_at_least(5, 2)) {
        expect(&c, 8, 33);
        return;
    }
    expect(&c, 0, 0);

    encipher("AES GCM KEYIDENT FIRST", key, key_len, iv, 12, chain,
             &chain_len, msg, 16, two, NULL, 0, &c);
    expect(&c, 8, 72);
    assert_int_equal(chain_len, 104);
    encipher("AES GCM KEYIDENT FIRST", key, key_len, iv, 12, chain,
             &chain_len, msg, 16, two, NULL, 0, &c);
    expect(&c, 0, 0);
    encipher("AES GCM KEYIDENT MIDDLE", key, key_len, NULL, 0, chain,
             &chain_len, msg + 16, 16, two + 16, NULL, 0, &c);
    expect(&c, 0, 0);
    encipher("AES GCM KEYIDENT LAST", key, key_len, NULL, 0, chain,
             &chain_len, msg + 32, 16, two + 32, tag2, 16, &c);
    expect(&c, 0, 0);
    assert_memory_equal(one, two, sizeof(one));
    assert_memory_equal(tag1, tag2, sizeof(tag1));

    /* The chain ended with LAST. */
    encipher("AES GCM KEYIDENT MIDDLE", key, key_len, NULL, 0, chain,
             &chain_len, msg, 16, two, NULL, 0, &c);
    expect(&c, 8, 4778);
}

/* One CSNBKPI2 call on the token in key (a buffer of 725 bytes). */
static void key_part(const char *words, long bits, const uint8_t *part,
                     uint8_t *key, long *key_len, struct codes *c)
{
    unsigned char rule[CCA_RULE_MAX * CCA_KEYWORD_LEN];
    long count = rules(rule, words);

    *key_len = 725;
    lib.CSNBKPI2(&c->rc, &c->reason, &c->exit_len, NULL, &count, rule,
                 &bits, (unsigned char *)part, key_len, key);
}

static void test_aes_key_part_import(void **state)
{
    static const uint8_t clear[16] = {
        0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77,
        0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff,
    };
    unsigned char rule[CCA_RULE_MAX * CCA_KEYWORD_LEN];
    uint8_t skeleton[725], key[725], iv[16] = { 9 }, msg[32], dev[32];
    uint8_t ref[48], chain[32];
    struct codes c = { 0 };
    long count = rules(rule, "INTERNAL AES CIPHER NO-KEY ENCRYPT DECRYPT");
    long zero = 0, skel_len = sizeof(skeleton), key_len, chain_len = 32;
    EVP_CIPHER_CTX *ctx;
    int ref_len = 0;

    lib.CSNBKTB2(&c.rc, &c.reason, &c.exit_len, NULL, &count, rule, &zero,
                 NULL, &zero, NULL, &zero, NULL, &zero, NULL, &zero, NULL,
                 &skel_len, skeleton);
    expect(&c, 0, 0);

    /* One part, then COMPLETE: a usable AES-128 token. */
    memcpy(key, skeleton, (size_t)skel_len);
    key_part("AES FIRST MIN1PART", 128, clear, key, &key_len, &c);
    expect(&c, 0, 0);
    assert_true(key_len > 0 && key_len < skel_len);
    key_part("AES COMPLETE", 0, NULL, key, &key_len, &c);
    expect(&c, 0, 0);

    memset(msg, 0x5a, sizeof(msg));
    encipher("AES CBC KEYIDENT INITIAL", key, key_len, iv, 16, chain,
             &chain_len, msg, sizeof(msg), dev, NULL, 0, &c);
    expect(&c, 0, 0);
    ctx = EVP_CIPHER_CTX_new();
    assert_non_null(ctx);
    assert_true(EVP_EncryptInit_ex2(ctx, EVP_aes_128_cbc(), clear, iv, NULL)
                && EVP_EncryptUpdate(ctx, ref, &ref_len, msg,
                                     (int)sizeof(msg)));
    EVP_CIPHER_CTX_free(ctx);
    assert_int_equal(ref_len, sizeof(msg));
    assert_memory_equal(dev, ref, sizeof(dev));

    /* Key parts combined in the card are not carried out; FIRST needs
     * its number of parts, COMPLETE takes no key part. */
    memcpy(key, skeleton, (size_t)skel_len);
    key_part("AES FIRST MIN2PART", 128, clear, key, &key_len, &c);
    expect(&c, 8, 4773);
    key_part("AES ADD-PART", 128, clear, key, &key_len, &c);
    expect(&c, 8, 4773);
    key_part("AES FIRST", 128, clear, key, &key_len, &c);
    expect(&c, 8, 34);
    key_part("AES FIRST MIN1PART", 100, clear, key, &key_len, &c);
    expect(&c, 8, 72);
    key_part("FIRST", 128, clear, key, &key_len, &c);
    expect(&c, 8, 35);
    key_part("AES COMPLETE", 128, clear, key, &key_len, &c);
    expect(&c, 8, 72);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_statcca_reports_level),
        cmocka_unit_test(test_facility_rule_count_zero),
        cmocka_unit_test(test_facility_unknown_keyword),
        cmocka_unit_test(test_facility_two_queries),
        cmocka_unit_test(test_version_buffer_too_small),
        cmocka_unit_test(test_allocate_unknown_adapter),
        cmocka_unit_test(test_adapter_selection_per_thread),
        cmocka_unit_test(test_generate_output_too_small),
        cmocka_unit_test(test_token_build_unknown_keyword),
        cmocka_unit_test(test_rsa_sign_verify_codes),
        cmocka_unit_test(test_rsa_oaep_levels),
        cmocka_unit_test(test_ecdh_passthru_agrees),
        cmocka_unit_test(test_aes_cbc_chaining),
        cmocka_unit_test(test_aes_gcm_steps),
        cmocka_unit_test(test_random_rule_codes),
        cmocka_unit_test(test_aes_key_part_import),
        cmocka_unit_test(test_key_records_codes),
        cmocka_unit_test(test_key_record_list),
    };

    return cmocka_run_group_tests_name("libcsulcca-emu verbs", tests,
                                       load_library, NULL);
}
