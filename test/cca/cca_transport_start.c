/*
 * Starting the cca transport.  A library path that does not exist, and a
 * library without one of the verbs, each make cca_backend_open() fail
 * with a message naming the library and the verb.  With libcsulcca-emu.so
 * the backend reports the configured CCA level and what it supports.
 *
 * cca_transport_start.sh runs this program with CCA_STUB_LIBRARY and
 * IBM4767_CCA_LIBRARY pointing into the build tree.  No emulator runs:
 * opening the transport asks only the library.
 */
#include <config.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <ibm4767/cca.h>

static void cca_config(struct cca_config *cfg, const char *library)
{
    cca_config_defaults(cfg);
    cfg->transport = CCA_TRANSPORT_CCA;
    snprintf(cfg->cca_library, sizeof(cfg->cca_library), "%s", library);
    /* Adapter names, so that opening needs no adapter count. */
    snprintf(cfg->devices, sizeof(cfg->devices), "CRP01");
}

static void assert_contains(const char *text, const char *part)
{
    if (strstr(text, part) == NULL)
        fail_msg("message \"%s\" does not name \"%s\"", text, part);
}

static void test_missing_library_named(void **state)
{
    const char *path = "/nonexistent/ibm4767/libcsulcca.so";
    struct cca_config cfg;
    char err[512] = "";

    cca_config(&cfg, path);
    assert_null(cca_backend_open(&cfg, err, sizeof(err)));
    assert_contains(err, "cannot load CCA library");
    assert_contains(err, path);
}

static void test_missing_verb_named(void **state)
{
    const char *path = getenv("CCA_STUB_LIBRARY");
    struct cca_config cfg;
    char err[512] = "";

    assert_non_null(path);
    cca_config(&cfg, path);
    assert_null(cca_backend_open(&cfg, err, sizeof(err)));
    assert_contains(err, path);
    assert_contains(err, "has no verb CSNDEDH");
}

static void test_emulator_library_level(void **state)
{
    const char *path = getenv("IBM4767_CCA_LIBRARY");
    struct cca_backend *be;
    struct cca_config cfg;
    char err[512] = "";

    assert_non_null(path);
    setenv("IBM4767_EMU_CCA_LEVEL", "5.1", 1);
    cca_config(&cfg, path);
    be = cca_backend_open(&cfg, err, sizeof(err));
    if (be == NULL)
        fail_msg("cannot open the cca transport: %s", err);

    assert_int_equal(cca_backend_transport(be), CCA_TRANSPORT_CCA);
    assert_string_equal(cca_backend_cca_level(be), "5.1");
    assert_int_equal(cca_backend_device_count(be), 1);
    assert_false(cca_backend_supports(be, CCA_CAP_AES_CTR));
    assert_false(cca_backend_supports(be, CCA_CAP_AES_GCM));
    assert_false(cca_backend_supports(be, CCA_CAP_OAEP_SHA2));
    assert_false(cca_backend_supports(be, CCA_CAP_RSA_TLS_PADDING));
    assert_true(cca_backend_supports(be, CCA_CAP_EMULATOR_STATUS));
    cca_backend_free(be);
}

static void test_socket_supports_everything(void **state)
{
    struct cca_backend *be;
    struct cca_config cfg;
    char err[512] = "";

    cca_config_defaults(&cfg);
    be = cca_backend_open(&cfg, err, sizeof(err));
    assert_non_null(be);
    assert_int_equal(cca_backend_transport(be), CCA_TRANSPORT_SOCKET);
    assert_string_equal(cca_backend_cca_level(be), "");
    assert_true(cca_backend_supports(be, CCA_CAP_AES_CTR));
    assert_true(cca_backend_supports(be, CCA_CAP_RSA_TLS_PADDING));
    cca_backend_free(be);
}

static void test_transport_env_invalid(void **state)
{
    struct cca_config cfg;
    char err[256] = "";

    cca_config_defaults(&cfg);
    setenv("IBM4767_TRANSPORT", "pkcs11", 1);
    assert_int_equal(cca_config_apply_env(&cfg, err, sizeof(err)), 0);
    assert_contains(err, "IBM4767_TRANSPORT=pkcs11");
    setenv("IBM4767_TRANSPORT", "cca", 1);
    setenv("IBM4767_CCA_LIBRARY", "/opt/ibm/libcsulcca.so", 1);
    assert_int_equal(cca_config_apply_env(&cfg, err, sizeof(err)), 1);
    assert_int_equal(cfg.transport, CCA_TRANSPORT_CCA);
    assert_string_equal(cfg.cca_library, "/opt/ibm/libcsulcca.so");
    unsetenv("IBM4767_TRANSPORT");
    unsetenv("IBM4767_CCA_LIBRARY");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_missing_library_named),
        cmocka_unit_test(test_missing_verb_named),
        cmocka_unit_test(test_emulator_library_level),
        cmocka_unit_test(test_socket_supports_everything),
        cmocka_unit_test(test_transport_env_invalid),
    };

    return cmocka_run_group_tests_name("cca transport start", tests, NULL,
                                       NULL);
}
