/*
 * Unit tests of CCA key labels: the forms a label may take, its 64-byte
 * space-padded field, and the patterns of key record list with their
 * matching.
 */
#include <config.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include <ibm4767/keystore.h>

static void label_valid_forms(void **state)
{
    static const struct {
        const char *text;
        const char *canonical;
    } cases[] = {
        { "A", "A" },
        { "WEB.TLS.RSA", "WEB.TLS.RSA" },
        { "web.tls.rsa", "WEB.TLS.RSA" },
        { "#$@.A1B2", "#$@.A1B2" },
        { "ABCDEFGH.B.C.D.E.F.G", "ABCDEFGH.B.C.D.E.F.G" },
        { "WEB.TLS          ", "WEB.TLS" },
        { "AAAAAAAA.BBBBBBBB.CCCCCCCC.DDDDDDDD.EEEEEEEE.FFFFFFFF.GGGGGGGG",
          "AAAAAAAA.BBBBBBBB.CCCCCCCC.DDDDDDDD.EEEEEEEE.FFFFFFFF.GGGGGGGG" },
    };
    char out[CCA_LABEL_TEXT_MAX + 1];
    char detail[256];

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        if (!cca_label_parse(cases[i].text, out, detail, sizeof(detail)))
            print_error("\"%s\" rejected: %s\n", cases[i].text, detail);
        assert_true(cca_label_parse(cases[i].text, out, detail,
                                    sizeof(detail)));
        assert_string_equal(out, cases[i].canonical);
    }
}

static void label_invalid_forms(void **state)
{
    static const struct {
        const char *text;
        const char *reason;
    } cases[] = {
        { "", "empty" },
        { " A", "starts with a space" },
        { "1ABC", "starts with a digit" },
        { "WEB.9TLS", "part 2" },
        { "A..B", "part 2 is empty" },
        { "A.", "part 2 is empty" },
        { ".A", "part 1 is empty" },
        { "ABCDEFGHI", "longer than 8" },
        { "A.B.C.D.E.F.G.H", "more than 7 parts" },
        { "A/B", "'/'" },
        { "A B", "a space" },
        { "A-B", "'-'" },
        { "A\tB", "\\x09" },
        { "WEB*", "wildcard" },
        { "AAAAAAAA.BBBBBBBB.CCCCCCCC.DDDDDDDD.EEEEEEEE.FFFFFFFF.GGGGGGGG.H",
          "longer than 62" },
    };
    char out[CCA_LABEL_TEXT_MAX + 1];
    char detail[256];

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        int ok = cca_label_parse(cases[i].text, out, detail, sizeof(detail));

        if (ok || strstr(detail, cases[i].reason) == NULL)
            print_error("\"%s\": ok=%d detail \"%s\", expected \"%s\"\n",
                        cases[i].text, ok, detail, cases[i].reason);
        assert_false(ok);
        assert_non_null(strstr(detail, cases[i].reason));
    }
}

static void label_field_space_padded(void **state)
{
    char field[CCA_LABEL_LEN];
    char expected[CCA_LABEL_LEN];

    (void)state;
    memset(expected, ' ', sizeof(expected));
    memcpy(expected, "WEB.TLS", 7);
    cca_label_to_field("WEB.TLS", field);
    assert_memory_equal(field, expected, CCA_LABEL_LEN);
}

static void pattern_forms(void **state)
{
    static const char *const valid[] = {
        "*", "WEB.*", "WEB*", "*RSA", "A.*.C", "*.*", "*1",
    };
    static const char *const invalid[] = {
        "W*B", "**", "*A*", "1*", "A.**", "ABCDEFGHI*", "A..*",
    };
    char out[CCA_LABEL_TEXT_MAX + 1];
    char detail[256];

    (void)state;
    for (size_t i = 0; i < sizeof(valid) / sizeof(valid[0]); i++) {
        if (!cca_label_pattern_parse(valid[i], out, detail, sizeof(detail)))
            print_error("\"%s\" rejected: %s\n", valid[i], detail);
        assert_true(cca_label_pattern_parse(valid[i], out, detail,
                                            sizeof(detail)));
    }
    for (size_t i = 0; i < sizeof(invalid) / sizeof(invalid[0]); i++) {
        if (cca_label_pattern_parse(invalid[i], out, detail, sizeof(detail)))
            print_error("\"%s\" accepted\n", invalid[i]);
        assert_false(cca_label_pattern_parse(invalid[i], out, detail,
                                             sizeof(detail)));
    }
}

static void pattern_matching(void **state)
{
    static const struct {
        const char *pattern;
        const char *label;
        int match;
    } cases[] = {
        { "*", "A", 1 },
        { "*", "WEB.TLS.RSA", 1 },
        { "WEB.*", "WEB.TLS", 1 },
        { "WEB.*", "WEB.TLS.RSA", 1 },
        { "WEB.*", "WEB", 0 },
        { "WEB.*", "WEBX.TLS", 0 },
        { "WEB*", "WEB", 1 },
        { "WEB*", "WEBSRV", 1 },
        { "WEB*", "WEB.TLS", 0 },
        { "*.RSA", "TLS.RSA", 1 },
        { "*.RSA", "WEB.TLS.RSA", 0 },
        { "*RSA", "MYRSA", 1 },
        { "*RSA", "RSAX", 0 },
        { "A.*.C", "A.B.C", 1 },
        { "A.*.C", "A.B.D", 0 },
        { "A.*.C", "A.B.X.C", 0 },
        { "*.*", "A", 0 },
        { "*.*", "A.B.C", 1 },
        { "WEB.TLS", "WEB.TLS", 1 },
        { "WEB.TLS", "WEB.TLS.RSA", 0 },
        { "WEB.TLS.RSA", "WEB.TLS", 0 },
    };

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        int got = cca_label_match(cases[i].pattern, cases[i].label);

        if (got != cases[i].match)
            print_error("pattern \"%s\" label \"%s\": %d, expected %d\n",
                        cases[i].pattern, cases[i].label, got,
                        cases[i].match);
        assert_int_equal(got, cases[i].match);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(label_valid_forms),
        cmocka_unit_test(label_invalid_forms),
        cmocka_unit_test(label_field_space_padded),
        cmocka_unit_test(pattern_forms),
        cmocka_unit_test(pattern_matching),
    };

    return cmocka_run_group_tests_name("labels", tests, NULL, NULL);
}
