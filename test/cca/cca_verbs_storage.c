/*
 * libcsulcca-emu.so's random number and key storage verbs called directly,
 * as part of cca_verbs (see cca_verbs.c): rule codes, the key record
 * verbs, and the key-record-list files of CSNDKRL and CSNBAKRL.
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

void test_random_rule_codes(void **state)
{
    unsigned char rule[CCA_RULE_MAX * CCA_KEYWORD_LEN];
    uint8_t out[100];
    struct codes c = { 0 };
    long count = rules(rule, "RANDOM"), zero = 0, len = sizeof(out);

    lib.CSNBRNGL(&c.rc, &c.reason, &c.exit_len, NULL, &count, rule, &zero,
                 NULL, &len, out);
    expect(&c, 0, 0);
    count = 0;
    lib.CSNBRNGL(&c.rc, &c.reason, &c.exit_len, NULL, &count, rule, &zero,
                 NULL, &len, out);
    expect(&c, 8, 35);
    count = rules(rule, "ODD");
    lib.CSNBRNGL(&c.rc, &c.reason, &c.exit_len, NULL, &count, rule, &zero,
                 NULL, &len, out);
    expect(&c, 8, 4773);
}

static void label_field(unsigned char field[64], const char *label)
{
    memset(field, ' ', 64);
    memcpy(field, label, strlen(label));
}

void test_key_records_codes(void **state)
{
    uint8_t token[CCA_TOKEN_MAX], back[CCA_TOKEN_MAX];
    unsigned char field[64], rule[CCA_RULE_MAX * CCA_KEYWORD_LEN];
    struct codes c = { 0 };
    long tok_len = generate("ECC-PAIR SIG-ONLY", p256_kvs, sizeof(p256_kvs),
                            token);
    long zero = 0, back_len = 10, count;

    label_field(field, "CCA.TEST.EC");
    lib.CSNDKRC(&c.rc, &c.reason, &c.exit_len, NULL, &zero, NULL, field,
                &tok_len, token);
    expect(&c, 0, 0);
    lib.CSNDKRC(&c.rc, &c.reason, &c.exit_len, NULL, &zero, NULL, field,
                &tok_len, token);
    expect(&c, 8, 44);

    lib.CSNDKRR(&c.rc, &c.reason, &c.exit_len, NULL, &zero, NULL, field,
                &back_len, back);
    expect(&c, 8, 72);
    assert_int_equal(back_len, tok_len);
    lib.CSNDKRR(&c.rc, &c.reason, &c.exit_len, NULL, &zero, NULL, field,
                &back_len, back);
    expect(&c, 0, 0);
    assert_memory_equal(back, token, (size_t)tok_len);

    /* AES key storage does not hold PKA records. */
    back_len = sizeof(back);
    lib.CSNBAKRR(&c.rc, &c.reason, &c.exit_len, NULL, &zero, NULL, field,
                 &back_len, back);
    expect(&c, 8, 30);

    count = rules(rule, "LABEL-DL");
    lib.CSNDKRD(&c.rc, &c.reason, &c.exit_len, NULL, &count, rule, field);
    expect(&c, 0, 0);
    lib.CSNDKRR(&c.rc, &c.reason, &c.exit_len, NULL, &zero, NULL, field,
                &back_len, back);
    expect(&c, 8, 30);

    label_field(field, "1BAD");
    lib.CSNDKRC(&c.rc, &c.reason, &c.exit_len, NULL, &zero, NULL, field,
                &tok_len, token);
    expect(&c, 8, 32);
}

/* A key-record-list file read back: its labels, in file order, and the
 * key type and token form of each. */
struct listed {
    int count;
    char labels[8][65];
    char types[8][9];
    char forms[8][9];
};

static long number_at(const char *text, size_t len)
{
    char field[16];

    snprintf(field, sizeof(field), "%.*s", (int)len, text);
    return strtol(field, NULL, 10);
}

/* Run CSNDKRL (aes 0) or CSNBAKRL with pattern, check the file's layout
 * and read it into out; returns the file's path in path. */
static void list_records(int aes, const char *pattern, char path[65],
                         struct listed *out)
{
    unsigned char field[64], name[64], server[64];
    char text[154 * 9];
    struct codes c = { 0 };
    long zero = 0, name_len = 64, first;
    size_t len;
    FILE *f;

    label_field(field, pattern);
    (aes ? lib.CSNBAKRL : lib.CSNDKRL)(&c.rc, &c.reason, &c.exit_len, NULL,
                                       &zero, NULL, field, &name_len, name,
                                       server);
    expect(&c, 0, 0);
    assert_true(name_len > 0 && name_len <= 64);
    memcpy(path, name, (size_t)name_len);
    path[name_len] = '\0';

    f = fopen(path, "rb");
    assert_non_null(f);
    len = fread(text, 1, sizeof(text), f);
    fclose(f);
    assert_true(len >= 154 && len % 154 == 0);
    assert_memory_equal(text, aes ? "AES KEY-RECORD-LIST"
                                  : "PKA KEY-RECORD-LIST", 19);
    assert_memory_equal(text + 75, "\r\n", 2);
    assert_memory_equal(text + 152, "\r\n", 2);
    assert_memory_equal(text + 77, field, 64);
    assert_int_equal(number_at(text + 58, 4), 154);
    first = number_at(text + 62, 4);
    assert_int_equal(first, 154);

    memset(out, 0, sizeof(*out));
    out->count = (int)number_at(text + 50, 6);
    assert_int_equal((size_t)out->count, len / 154 - 1);
    for (int i = 0; i < out->count && i < 8; i++) {
        const char *d = text + first + 154 * i;

        snprintf(out->labels[i], sizeof(out->labels[i]), "%.64s", d + 3);
        strtok(out->labels[i], " ");
        snprintf(out->types[i], sizeof(out->types[i]), "%.8s", d + 67);
        strtok(out->types[i], " ");
        snprintf(out->forms[i], sizeof(out->forms[i]), "%.8s", d + 133);
        strtok(out->forms[i], " ");
        assert_memory_equal(d + 75, "\r\n", 2);
        assert_memory_equal(d + 152, "\r\n", 2);
        /* "ccyy-mm-dd hh:mm:ss" */
        assert_true(d[92 + 4] == '-' && d[92 + 10] == ' '
                    && d[113 + 13] == ':');
    }
}

void test_key_record_list(void **state)
{
    uint8_t ec[CCA_TOKEN_MAX], aes[725];
    unsigned char field[64];
    struct codes c = { 0 };
    long ec_len = generate("ECC-PAIR SIG-ONLY", p256_kvs, sizeof(p256_kvs),
                           ec);
    long aes_len = aes_key(aes), zero = 0, one = 1;
    char first[65], second[65];
    struct listed l;

    label_field(field, "LST.EC.ONE");
    lib.CSNDKRC(&c.rc, &c.reason, &c.exit_len, NULL, &zero, NULL, field,
                &ec_len, ec);
    expect(&c, 0, 0);
    label_field(field, "LST.EC.TWO.DEEP");
    lib.CSNDKRC(&c.rc, &c.reason, &c.exit_len, NULL, &zero, NULL, field,
                &ec_len, ec);
    expect(&c, 0, 0);
    label_field(field, "LST.NULL");
    lib.CSNDKRC(&c.rc, &c.reason, &c.exit_len, NULL, &zero, NULL, field,
                &zero, NULL);
    expect(&c, 0, 0);
    label_field(field, "LST.AES");
    lib.CSNBAKRC(&c.rc, &c.reason, &c.exit_len, NULL, &zero, NULL, field,
                 &aes_len, aes);
    expect(&c, 0, 0);

    /* A pattern matches labels with as many parts as it has. */
    list_records(0, "LST.*", first, &l);
    assert_int_equal(l.count, 1);
    assert_string_equal(l.labels[0], "LST.NULL");
    assert_string_equal(l.types[0], "NO-KEY");
    assert_string_equal(l.forms[0], "NO-KEY");
    list_records(0, "LST.*.*", second, &l);
    assert_int_equal(l.count, 1);
    assert_string_equal(l.labels[0], "LST.EC.ONE");
    assert_string_equal(l.types[0], "ECC");
    assert_string_equal(l.forms[0], "INTERNAL");
    assert_string_not_equal(first, second);
    assert_non_null(strstr(second, "/KYRLT"));

    /* AES key storage lists AES and null records. */
    list_records(1, "LST.*", first, &l);
    assert_int_equal(l.count, 2);
    assert_string_equal(l.labels[0], "LST.AES");
    assert_string_equal(l.types[0], "AES");
    assert_string_equal(l.labels[1], "LST.NULL");
    list_records(1, "LST.*.*.*", first, &l);
    assert_int_equal(l.count, 0);

    label_field(field, "L*S*T");
    lib.CSNDKRL(&c.rc, &c.reason, &c.exit_len, NULL, &zero, NULL, field,
                &aes_len, (unsigned char *)first, (unsigned char *)second);
    expect(&c, 8, 32);
    label_field(field, "LST.*");
    lib.CSNBAKRL(&c.rc, &c.reason, &c.exit_len, NULL, &one,
                 (unsigned char *)"LIST    ", field, &aes_len,
                 (unsigned char *)first, (unsigned char *)second);
    expect(&c, 8, 35);
}
