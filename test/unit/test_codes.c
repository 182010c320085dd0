/*
 * Unit tests of the code table (backend/codes.c).  Every CCA return/reason
 * pair and device-driver code the project relies on resolves to the
 * expected class, name and advice.  Unknown codes get the generic entry of
 * their return code, and driver code ranges match after the exact codes.
 */
#include <config.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <ibm4767/codes.h>

struct code_case {
    uint32_t rc;
    uint32_t reason;
    enum cca_class cls;
    const char *name;
    const char *keyword;     /* must appear in the message */
};

static const struct code_case cca_cases[] = {
    { 0, 0, CCA_CLASS_SUCCESS, "OK", "success" },
    { 0, 10001, CCA_CLASS_WARNING, "OLD_MASTER_KEY",
      "ibm4767-keys reencipher" },
    { 4, 429, CCA_CLASS_CALLER, "SIGNATURE_INVALID", "does not verify" },
    { 8, 29, CCA_CLASS_CALLER, "TOKEN_TVV_INVALID", "altered" },
    { 8, 30, CCA_CLASS_CALLER, "NO_SUCH_LABEL", "ibm4767-keys list" },
    { 8, 32, CCA_CLASS_CALLER, "LABEL_INVALID", "64 characters" },
    { 8, 33, CCA_CLASS_CALLER, "KEYWORD_INVALID", "keyword" },
    { 8, 34, CCA_CLASS_CALLER, "KEYWORD_COMBINATION", "together" },
    { 8, 35, CCA_CLASS_CALLER, "RULE_COUNT", "number of rule" },
    { 8, 44, CCA_CLASS_CALLER, "LABEL_EXISTS", "already exists" },
    { 8, 48, CCA_CLASS_CALLER, "MKVP_MISMATCH", "master key" },
    { 8, 72, CCA_CLASS_CALLER, "LENGTH_INVALID", "length" },
    { 8, 90, CCA_CLASS_CALLER, "ACCESS_DENIED", "access-control point" },
    { 8, 770, CCA_CLASS_CALLER, "PKA_TOKEN_INVALID", "token" },
    { 8, 2143, CCA_CLASS_CALLER, "EXPORT_RESTRICTED", "exported" },
    { 8, 2947, CCA_CLASS_CALLER, "GCM_TAG_INVALID", "tag" },
    { 12, 338, CCA_CLASS_UNUSABLE, "FIRMWARE_NOT_LOADED",
      "ibm4767-clu load" },
    { 12, 764, CCA_CLASS_UNUSABLE, "MASTER_KEY_NOT_LOADED", "master key" },
    { 12, 4767, CCA_CLASS_RETRY, "SELF_TEST_RUNNING",
      "coprocessor not ready, self-test running" },
    { 12, 4768, CCA_CLASS_UNUSABLE, "ZEROIZED", "zeroized" },
    { 8, 4770, CCA_CLASS_CALLER, "KEY_USAGE", "usage" },
    { 8, 4771, CCA_CLASS_CALLER, "DECRYPT_FAILED", "padding" },
    { 8, 4772, CCA_CLASS_CALLER, "DATA_TOO_LARGE", "too long" },
    { 8, 4773, CCA_CLASS_CALLER, "ALGORITHM_UNSUPPORTED", "not support" },
    { 8, 4774, CCA_CLASS_CALLER, "EC_POINT_INVALID", "not on" },
    { 8, 4775, CCA_CLASS_CALLER, "EC_POINT_INFINITY", "infinity" },
    { 8, 4776, CCA_CLASS_CALLER, "EC_CURVE_MISMATCH", "another curve" },
    { 8, 4777, CCA_CLASS_CALLER, "KEY_VALUE_INVALID", "imported" },
    { 8, 4778, CCA_CLASS_CALLER, "CHAIN_INVALID", "chaining vector" },
    { 8, 4780, CCA_CLASS_CALLER, "FRAME_INVALID", "malformed" },
    { 8, 4781, CCA_CLASS_CALLER, "VERB_UNKNOWN", "does not implement" },
    { 8, 4782, CCA_CLASS_UNUSABLE, "VERSION_UNSUPPORTED",
      "protocol version" },
    { 8, 4783, CCA_CLASS_CALLER, "FRAME_TOO_LONG", "1 MiB" },
    { 8, 4787, CCA_CLASS_CALLER, "RETAINED_KEY_NOT_FOUND",
      "ibm4767-clu retained list" },
    { 8, 4788, CCA_CLASS_CALLER, "RETAINED_KEY_LIMIT", "full" },
    { 16, 4790, CCA_CLASS_UNUSABLE, "DEVICE_INTERNAL_ERROR", "log" },
    { 12, 4800, CCA_CLASS_UNUSABLE, "HOST_CONNECT_FAILED",
      "IBM4767_DEVICES" },
    { 12, 4801, CCA_CLASS_RETRY, "HOST_READY_TIMEOUT",
      "IBM4767_READY_TIMEOUT" },
    { 12, 4802, CCA_CLASS_UNUSABLE, "HOST_IO_ERROR", "connection" },
    { 16, 4803, CCA_CLASS_UNUSABLE, "HOST_NO_MEMORY", "memory" },
    { 16, 4804, CCA_CLASS_UNUSABLE, "HOST_BAD_REPLY", "reply" },
    { 12, 4805, CCA_CLASS_UNUSABLE, "HOST_NO_DEVICE", "IBM4767_DEVICES" },
    { 8, 4806, CCA_CLASS_CALLER, "HOST_INVALID_ARGUMENT", "argument" },
    { 12, 4807, CCA_CLASS_UNUSABLE, "HOST_KEY_STORAGE", "key storage" },
    { 12, 4808, CCA_CLASS_UNUSABLE, "HOST_RETAINED_KEY_DEVICE",
      "IBM4767_DEVICES" },
};

static void check_case(const struct code_case *c)
{
    const struct cca_code_info *info = cca_code_lookup(c->rc, c->reason);
    char where[64];

    snprintf(where, sizeof(where), "%u/%u", c->rc, c->reason);
    assert_non_null(info);
    if (info->cls != c->cls || strcmp(info->name, c->name) != 0 ||
        strstr(info->message, c->keyword) == NULL)
        fail_msg("%s: got class %s, name %s, message \"%s\"; expected "
                 "class %s, name %s, message containing \"%s\"", where,
                 cca_class_name(info->cls), info->name, info->message,
                 cca_class_name(c->cls), c->name, c->keyword);
}

static void codes_listed_pairs(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(cca_cases) / sizeof(cca_cases[0]); i++)
        check_case(&cca_cases[i]);
}

/* Every reason in codes.h resolves to its own entry, not a generic one. */
static void codes_header_reasons_all_listed(void **state)
{
    static const struct { uint32_t rc, reason; } pairs[] = {
        { 0, CCA_RS_OLD_MASTER_KEY }, { 4, CCA_RS_SIGNATURE_INVALID },
        { 8, CCA_RS_TOKEN_TVV_INVALID }, { 8, CCA_RS_NO_SUCH_LABEL },
        { 8, CCA_RS_LABEL_INVALID }, { 8, CCA_RS_KEYWORD_INVALID },
        { 8, CCA_RS_KEYWORD_COMBINATION }, { 8, CCA_RS_RULE_COUNT },
        { 8, CCA_RS_LABEL_EXISTS }, { 8, CCA_RS_MKVP_MISMATCH },
        { 8, CCA_RS_LENGTH_INVALID }, { 8, CCA_RS_ACCESS_DENIED },
        { 8, CCA_RS_PKA_TOKEN_INVALID }, { 8, CCA_RS_EXPORT_RESTRICTED },
        { 8, CCA_RS_GCM_TAG_INVALID }, { 12, CCA_RS_FIRMWARE_NOT_LOADED },
        { 12, CCA_RS_MASTER_KEY_NOT_LOADED },
        { 12, CCA_RS_SELF_TEST_RUNNING }, { 12, CCA_RS_ZEROIZED },
        { 8, CCA_RS_KEY_USAGE }, { 8, CCA_RS_DECRYPT_FAILED },
        { 8, CCA_RS_DATA_TOO_LARGE }, { 8, CCA_RS_ALGORITHM_UNSUPPORTED },
        { 8, CCA_RS_EC_POINT_INVALID }, { 8, CCA_RS_EC_POINT_INFINITY },
        { 8, CCA_RS_EC_CURVE_MISMATCH }, { 8, CCA_RS_KEY_VALUE_INVALID },
        { 8, CCA_RS_CHAIN_INVALID },
        { 8, CCA_RS_FRAME_INVALID }, { 8, CCA_RS_VERB_UNKNOWN },
        { 8, CCA_RS_VERSION_UNSUPPORTED }, { 8, CCA_RS_FRAME_TOO_LONG },
        { 16, CCA_RS_DEVICE_BUSY_INTERNAL },
        { 12, CCA_RS_HOST_CONNECT_FAILED }, { 12, CCA_RS_HOST_READY_TIMEOUT },
        { 12, CCA_RS_HOST_IO_ERROR }, { 16, CCA_RS_HOST_NO_MEMORY },
        { 16, CCA_RS_HOST_BAD_REPLY }, { 12, CCA_RS_HOST_NO_DEVICE },
        { 8, CCA_RS_HOST_INVALID_ARGUMENT }, { 12, CCA_RS_HOST_KEY_STORAGE },
        { 8, CCA_RS_RETAINED_KEY_NOT_FOUND }, { 8, CCA_RS_RETAINED_KEY_LIMIT },
        { 12, CCA_RS_HOST_RETAINED_DEVICE },
    };

    (void)state;
    for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
        const struct cca_code_info *info =
            cca_code_lookup(pairs[i].rc, pairs[i].reason);
        /* No table entry uses this reason, so it gets the generic one. */
        const struct cca_code_info *generic =
            cca_code_lookup(pairs[i].rc, 0xFFFFFFF0u);

        if (info == generic)
            fail_msg("%u/%u resolves to the generic entry %s",
                     pairs[i].rc, pairs[i].reason, info->name);
    }
}

static void codes_unknown_reason_generic(void **state)
{
    (void)state;
    assert_string_equal(cca_code_lookup(0, 2)->name, "OK_UNKNOWN_REASON");
    assert_int_equal(cca_code_lookup(0, 2)->cls, CCA_CLASS_SUCCESS);
    assert_string_equal(cca_code_lookup(4, 16)->name, "WARNING");
    assert_int_equal(cca_code_lookup(4, 16)->cls, CCA_CLASS_WARNING);
    assert_string_equal(cca_code_lookup(8, 12345)->name,
                        "APPLICATION_ERROR");
    assert_int_equal(cca_code_lookup(8, 12345)->cls, CCA_CLASS_CALLER);
    assert_string_equal(cca_code_lookup(12, 1)->name, "SETUP_ERROR");
    assert_int_equal(cca_code_lookup(12, 1)->cls, CCA_CLASS_UNUSABLE);
    assert_string_equal(cca_code_lookup(16, 1)->name, "INTERNAL_ERROR");
    assert_int_equal(cca_code_lookup(16, 1)->cls, CCA_CLASS_UNUSABLE);
}

static void codes_unknown_return_code(void **state)
{
    const struct cca_code_info *info = cca_code_lookup(7, 0);

    (void)state;
    assert_non_null(info);
    assert_string_equal(info->name, "UNKNOWN_RETURN_CODE");
    assert_int_equal(info->cls, CCA_CLASS_UNUSABLE);
    assert_non_null(cca_code_lookup(0xFFFFFFFFu, 0xFFFFFFFFu));
}

/* A reason is only meaningful with its return code: 8/4767 is not the
 * self-test entry. */
static void codes_reason_needs_its_rc(void **state)
{
    (void)state;
    assert_string_equal(cca_code_lookup(8, 4767)->name, "APPLICATION_ERROR");
    assert_string_equal(cca_code_lookup(12, 48)->name, "SETUP_ERROR");
}

struct driver_case {
    uint32_t code;
    enum cca_class cls;
    const char *name;
    const char *keyword;
};

static const struct driver_case driver_cases[] = {
    { 0, CCA_CLASS_SUCCESS, "NONE", "no device-driver code" },
    { 0x8040FFBFu, CCA_CLASS_WARNING, "INTRUSION_LATCH", "ignored" },
    { 0x8040FFDAu, CCA_CLASS_UNUSABLE, "DEAD_BATTERY", "zeroized" },
    { 0x8040FFDBu, CCA_CLASS_UNUSABLE, "XRAY_TAMPER",
      "does not apply to the PCIe" },
    { 0x8040FFEBu, CCA_CLASS_UNUSABLE, "TEMPERATURE_TAMPER",
      "zeroized and permanently disabled" },
    { 0x8040FFF3u, CCA_CLASS_UNUSABLE, "VOLTAGE_TAMPER",
      "zeroized and permanently disabled" },
    { 0x8040FFF9u, CCA_CLASS_UNUSABLE, "MESH_TAMPER",
      "zeroized and permanently disabled" },
    { 0x8040FFFBu, CCA_CLASS_RETRY, "RESET_BIT", "self-test again" },
    { 0x8040FFFEu, CCA_CLASS_WARNING, "BATTERY_WARNING",
      "replace the batteries" },
    { 0x8340038Fu, CCA_CLASS_RETRY, "RNG_FAULT", "at least twice" },
    { 0x80400005u, CCA_CLASS_UNUSABLE, "COMMUNICATION", "communication" },
    { 0x8040FFFFu, CCA_CLASS_UNUSABLE, "COMMUNICATION", "communication" },
    { 0x80400000u, CCA_CLASS_UNUSABLE, "COMMUNICATION", "communication" },
    { 0x83400001u, CCA_CLASS_UNUSABLE, "MINIBOOT0", "Miniboot-0" },
    { 0x8340FFFFu, CCA_CLASS_UNUSABLE, "MINIBOOT0", "Miniboot-0" },
    { 0x84400123u, CCA_CLASS_UNUSABLE, "MINIBOOT1", "Miniboot-1" },
    { 0x12345678u, CCA_CLASS_UNUSABLE, "DRIVER_UNKNOWN", "unknown" },
    { 0x80410000u, CCA_CLASS_UNUSABLE, "DRIVER_UNKNOWN", "unknown" },
    { 0x8540FFF9u, CCA_CLASS_UNUSABLE, "DRIVER_UNKNOWN", "unknown" },
};

static void driver_codes_listed(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(driver_cases) / sizeof(driver_cases[0]);
         i++) {
        const struct driver_case *c = &driver_cases[i];
        const struct cca_code_info *info = cca_driver_code_lookup(c->code);

        assert_non_null(info);
        if (info->cls != c->cls || strcmp(info->name, c->name) != 0 ||
            strstr(info->message, c->keyword) == NULL)
            fail_msg("%08X: got class %s, name %s, message \"%s\"; "
                     "expected class %s, name %s, message containing "
                     "\"%s\"", c->code, cca_class_name(info->cls),
                     info->name, info->message, cca_class_name(c->cls),
                     c->name, c->keyword);
    }
}

/* The exact RNG fault code lies inside the Miniboot-0 range and must win
 * over it; the same for the tamper codes inside 8040xxxx. */
static void driver_exact_before_range(void **state)
{
    (void)state;
    assert_string_equal(cca_driver_code_lookup(CCA_DRV_RNG_FAULT)->name,
                        "RNG_FAULT");
    assert_string_equal(cca_driver_code_lookup(CCA_DRV_MESH_TAMPER)->name,
                        "MESH_TAMPER");
    assert_string_equal(cca_driver_code_lookup(0x8340038Eu)->name,
                        "MINIBOOT0");
}

static void class_names(void **state)
{
    (void)state;
    assert_string_equal(cca_class_name(CCA_CLASS_SUCCESS), "success");
    assert_string_equal(cca_class_name(CCA_CLASS_WARNING), "warning");
    assert_string_equal(cca_class_name(CCA_CLASS_RETRY), "retry");
    assert_string_equal(cca_class_name(CCA_CLASS_UNUSABLE), "unusable");
    assert_string_equal(cca_class_name(CCA_CLASS_CALLER), "caller");
    assert_string_equal(cca_class_name((enum cca_class)42), "unknown");
}

static void format_without_driver_code(void **state)
{
    char buf[512];

    (void)state;
    assert_ptr_equal(cca_code_format(8, 48, 0, buf, sizeof(buf)), buf);
    assert_true(strncmp(buf, "8/48 MKVP_MISMATCH: ", 20) == 0);
    assert_null(strstr(buf, "driver code"));
}

static void format_with_driver_code(void **state)
{
    char buf[512];

    (void)state;
    cca_code_format(12, 4768, 0x8040FFF9u, buf, sizeof(buf));
    assert_true(strncmp(buf, "12/4768 ZEROIZED: ", 18) == 0);
    assert_non_null(strstr(buf, "driver code 8040FFF9 MESH_TAMPER"));
}

static void format_truncates_safely(void **state)
{
    char buf[8];

    (void)state;
    memset(buf, 'x', sizeof(buf));
    cca_code_format(12, 338, 0, buf, sizeof(buf));
    assert_int_equal(buf[sizeof(buf) - 1], '\0');
    assert_string_equal(buf, "12/338 ");
    assert_null(cca_code_format(0, 0, 0, NULL, 0));
}

static char *read_doc(void)
{
    const char *srcdir = getenv("top_srcdir");
    char path[4096];
    char *text = NULL;
    long size;
    FILE *f;

    if (srcdir == NULL)
        return NULL;
    snprintf(path, sizeof(path), "%s/doc/error-codes.md", srcdir);
    f = fopen(path, "r");
    if (f == NULL)
        return NULL;
    if (fseek(f, 0, SEEK_END) == 0 && (size = ftell(f)) > 0 &&
        fseek(f, 0, SEEK_SET) == 0) {
        text = calloc(1, (size_t)size + 1);
        if (text != NULL && fread(text, 1, (size_t)size, f) != (size_t)size) {
            free(text);
            text = NULL;
        }
    }
    fclose(f);
    return text;
}

/* doc/error-codes.md lists each code in a table row "| code | name |
 * class |"; this keeps the page in step with the table. */
static void doc_lists_every_code(void **state)
{
    char *doc = read_doc();
    char row[128];

    (void)state;
    if (doc == NULL)
        skip();   /* run outside make check: top_srcdir unknown */

    for (size_t i = 0; i < sizeof(cca_cases) / sizeof(cca_cases[0]); i++) {
        const struct code_case *c = &cca_cases[i];

        snprintf(row, sizeof(row), "| %u/%u | %s | %s |", c->rc, c->reason,
                 c->name, cca_class_name(c->cls));
        if (strstr(doc, row) == NULL)
            fail_msg("doc/error-codes.md has no row starting \"%s\"", row);
    }
    for (size_t i = 1; i < sizeof(driver_cases) / sizeof(driver_cases[0]);
         i++) {
        const struct driver_case *c = &driver_cases[i];

        snprintf(row, sizeof(row), " | %s | %s |", c->name,
                 cca_class_name(c->cls));
        if (strstr(doc, row) == NULL)
            fail_msg("doc/error-codes.md has no row with \"%s\"", row);
        if (strcmp(c->name, "COMMUNICATION") == 0 ||
            strncmp(c->name, "MINIBOOT", 8) == 0 ||
            strcmp(c->name, "DRIVER_UNKNOWN") == 0)
            continue;
        snprintf(row, sizeof(row), "| %08X | %s | %s |", c->code, c->name,
                 cca_class_name(c->cls));
        if (strstr(doc, row) == NULL)
            fail_msg("doc/error-codes.md has no row starting \"%s\"", row);
    }
    free(doc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(codes_listed_pairs),
        cmocka_unit_test(codes_header_reasons_all_listed),
        cmocka_unit_test(codes_unknown_reason_generic),
        cmocka_unit_test(codes_unknown_return_code),
        cmocka_unit_test(codes_reason_needs_its_rc),
        cmocka_unit_test(driver_codes_listed),
        cmocka_unit_test(driver_exact_before_range),
        cmocka_unit_test(class_names),
        cmocka_unit_test(format_without_driver_code),
        cmocka_unit_test(format_with_driver_code),
        cmocka_unit_test(format_truncates_safely),
        cmocka_unit_test(doc_lists_every_code),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
