/*
 * Unit tests of the configuration (backend/config.c), the log facility
 * (backend/log.c), device list parsing and CSU_DEFAULT_ADAPTER in
 * cca_backend_new, and the rendering of struct cca_result.
 */
#include <config.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <ibm4767/cca.h>
#include <ibm4767/log.h>

static int clear_env(void **state)
{
    (void)state;
    unsetenv("IBM4767_DEVICES");
    unsetenv("IBM4767_READY_TIMEOUT");
    unsetenv("IBM4767_DEBUG");
    unsetenv("IBM4767_SPIN_WAIT_US");
    unsetenv("CSU_DEFAULT_ADAPTER");
    return 0;
}

static void config_defaults(void **state)
{
    struct cca_config cfg;

    (void)state;
    cca_config_defaults(&cfg);
    assert_string_equal(cfg.devices, CCA_DEFAULT_SOCKET);
    assert_int_equal(cfg.ready_timeout_ms, 300000);
    assert_int_equal(cfg.log_level, IBM4767_LOG_OFF);
    assert_string_equal(cfg.log_file, "");
}

static void config_env_unset_keeps_values(void **state)
{
    struct cca_config cfg;
    char err[256] = "";

    (void)state;
    cca_config_defaults(&cfg);
    cfg.ready_timeout_ms = 1234;
    assert_true(cca_config_apply_env(&cfg, err, sizeof(err)));
    assert_int_equal(cfg.ready_timeout_ms, 1234);
    assert_string_equal(cfg.devices, CCA_DEFAULT_SOCKET);
}

static void config_env_overrides(void **state)
{
    struct cca_config cfg;
    char err[256] = "";

    (void)state;
    setenv("IBM4767_DEVICES", "/tmp/a.sock,/tmp/b.sock", 1);
    setenv("IBM4767_READY_TIMEOUT", "7", 1);
    setenv("IBM4767_DEBUG", "info,file:/tmp/ibm4767-unit.log", 1);
    cca_config_defaults(&cfg);
    assert_true(cca_config_apply_env(&cfg, err, sizeof(err)));
    assert_string_equal(cfg.devices, "/tmp/a.sock,/tmp/b.sock");
    assert_int_equal(cfg.ready_timeout_ms, 7000);
    assert_int_equal(cfg.log_level, IBM4767_LOG_INFO);
    assert_string_equal(cfg.log_file, "/tmp/ibm4767-unit.log");
}

static void config_ready_timeout_zero(void **state)
{
    struct cca_config cfg;
    char err[256] = "";

    (void)state;
    setenv("IBM4767_READY_TIMEOUT", "0", 1);
    cca_config_defaults(&cfg);
    assert_true(cca_config_apply_env(&cfg, err, sizeof(err)));
    assert_int_equal(cfg.ready_timeout_ms, 0);
}

static void config_ready_timeout_invalid(void **state)
{
    static const char *const bad[] = {
        "abc", "-1", "1.5", "10s", " 5", "99999999999999999999", "86401",
    };

    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct cca_config cfg;
        char err[256] = "";

        setenv("IBM4767_READY_TIMEOUT", bad[i], 1);
        cca_config_defaults(&cfg);
        if (cca_config_apply_env(&cfg, err, sizeof(err)))
            fail_msg("IBM4767_READY_TIMEOUT=%s was accepted", bad[i]);
        if (strstr(err, bad[i]) == NULL ||
            strstr(err, "IBM4767_READY_TIMEOUT") == NULL)
            fail_msg("message does not name the value %s: %s", bad[i], err);
    }
}

static void config_spin_wait(void **state)
{
    static const char *const bad[] = {
        "abc", "-1", "1.5", "50us", " 5", "1001", "99999999999999999999",
    };
    struct cca_config cfg;
    char err[256] = "";
    unsigned us = 7;

    (void)state;
    cca_config_defaults(&cfg);
    assert_int_equal(cfg.spin_wait_us, CCA_DEFAULT_SPIN_WAIT_US);
    setenv("IBM4767_SPIN_WAIT_US", "0", 1);
    assert_true(cca_config_apply_env(&cfg, err, sizeof(err)));
    assert_int_equal(cfg.spin_wait_us, 0);
    assert_true(cca_parse_spin_wait("1000", &us));
    assert_int_equal(us, 1000);

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        setenv("IBM4767_SPIN_WAIT_US", bad[i], 1);
        cca_config_defaults(&cfg);
        if (cca_config_apply_env(&cfg, err, sizeof(err)))
            fail_msg("IBM4767_SPIN_WAIT_US=%s was accepted", bad[i]);
        if (strstr(err, bad[i]) == NULL ||
            strstr(err, "IBM4767_SPIN_WAIT_US") == NULL)
            fail_msg("message does not name the value %s: %s", bad[i], err);
        assert_false(cca_parse_spin_wait(bad[i], &us));
    }
    unsetenv("IBM4767_SPIN_WAIT_US");
}

static void config_debug_level_only(void **state)
{
    struct cca_config cfg;
    char err[256] = "";

    (void)state;
    setenv("IBM4767_DEBUG", "DEBUG", 1);
    cca_config_defaults(&cfg);
    assert_true(cca_config_apply_env(&cfg, err, sizeof(err)));
    assert_int_equal(cfg.log_level, IBM4767_LOG_DEBUG);
    assert_string_equal(cfg.log_file, "");
}

static void config_debug_invalid(void **state)
{
    static const char *const bad[] = {
        "loud", "debug,", "debug,foo", "debug,file:", "warn,path:/tmp/x",
        "verbose,file:/tmp/x",
    };

    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct cca_config cfg;
        char err[256] = "";

        setenv("IBM4767_DEBUG", bad[i], 1);
        cca_config_defaults(&cfg);
        if (cca_config_apply_env(&cfg, err, sizeof(err)))
            fail_msg("IBM4767_DEBUG=%s was accepted", bad[i]);
        if (strstr(err, "IBM4767_DEBUG") == NULL)
            fail_msg("message does not name the variable: %s", err);
    }
}

static void config_devices_too_long(void **state)
{
    struct cca_config cfg;
    char err[256] = "";
    char *value = malloc(5000);

    (void)state;
    assert_non_null(value);
    memset(value, 'a', 4999);
    value[4999] = '\0';
    setenv("IBM4767_DEVICES", value, 1);
    cca_config_defaults(&cfg);
    assert_false(cca_config_apply_env(&cfg, err, sizeof(err)));
    assert_non_null(strstr(err, "IBM4767_DEVICES"));
    free(value);
}

static void log_level_names(void **state)
{
    (void)state;
    assert_int_equal(ibm4767_log_parse_level("off"), IBM4767_LOG_OFF);
    assert_int_equal(ibm4767_log_parse_level("error"), IBM4767_LOG_ERROR);
    assert_int_equal(ibm4767_log_parse_level("Warn"), IBM4767_LOG_WARN);
    assert_int_equal(ibm4767_log_parse_level("info"), IBM4767_LOG_INFO);
    assert_int_equal(ibm4767_log_parse_level("debug"), IBM4767_LOG_DEBUG);
    assert_int_equal(ibm4767_log_parse_level("trace"), -1);
    assert_int_equal(ibm4767_log_parse_level(NULL), -1);
    assert_string_equal(ibm4767_log_level_name(IBM4767_LOG_WARN), "warn");
    assert_string_equal(ibm4767_log_level_name(9), "unknown");
}

static char *read_file(const char *path)
{
    FILE *f = fopen(path, "r");
    char *buf = calloc(1, 8192);

    if (f == NULL || buf == NULL) {
        if (f != NULL)
            fclose(f);
        free(buf);
        return NULL;
    }
    if (fread(buf, 1, 8191, f) == 0)
        buf[0] = '\0';
    fclose(f);
    return buf;
}

static void log_writes_one_line_per_event(void **state)
{
    char path[] = "/tmp/ibm4767-unit-log.XXXXXX";
    char expect_prefix[64];
    int fd = mkstemp(path);
    char *text;

    (void)state;
    assert_true(fd >= 0);
    close(fd);

    assert_true(ibm4767_log_open("unit", IBM4767_LOG_INFO, path));
    assert_true(ibm4767_log_enabled(IBM4767_LOG_INFO));
    assert_false(ibm4767_log_enabled(IBM4767_LOG_DEBUG));
    IBM4767_INFO("first\nsecond %d", 2);
    IBM4767_DEBUG("not written");
    ibm4767_log_close();
    assert_false(ibm4767_log_enabled(IBM4767_LOG_ERROR));

    text = read_file(path);
    assert_non_null(text);
    snprintf(expect_prefix, sizeof(expect_prefix), " unit[%ld] info: ",
             (long)getpid());
    assert_non_null(strstr(text, expect_prefix));
    assert_non_null(strstr(text, "first second 2\n"));
    assert_null(strstr(text, "not written"));
    /* "YYYY-MM-DDTHH:MM:SSZ " starts the line. */
    assert_int_equal(text[4], '-');
    assert_int_equal(text[10], 'T');
    assert_int_equal(text[19], 'Z');
    assert_non_null(strchr(text, '\n'));
    assert_null(strchr(strchr(text, '\n') + 1, '\n'));
    free(text);
    unlink(path);
}

static void log_unopenable_file_falls_back(void **state)
{
    (void)state;
    assert_false(ibm4767_log_open("unit", IBM4767_LOG_OFF,
                                  "/nonexistent-dir/x.log"));
    ibm4767_log_close();
}

static void backend_parses_device_list(void **state)
{
    struct cca_config cfg;
    struct cca_backend *be;

    (void)state;
    cca_config_defaults(&cfg);
    snprintf(cfg.devices, sizeof(cfg.devices),
             " /tmp/one.sock ,, /tmp/two.sock,");
    be = cca_backend_new(&cfg);
    assert_non_null(be);
    assert_int_equal(cca_backend_device_count(be), 2);
    assert_string_equal(cca_backend_device_path(be, 0), "/tmp/one.sock");
    assert_string_equal(cca_backend_device_path(be, 1), "/tmp/two.sock");
    assert_null(cca_backend_device_path(be, 2));
    assert_null(cca_backend_device_path(be, -1));
    cca_backend_free(be);
}

static void backend_empty_list_rejected(void **state)
{
    struct cca_config cfg;

    (void)state;
    cca_config_defaults(&cfg);
    snprintf(cfg.devices, sizeof(cfg.devices), " , ,");
    assert_null(cca_backend_new(&cfg));
    assert_null(cca_backend_new(NULL));
    cca_backend_free(NULL);
}

static void backend_pin_names_missing_device(void **state)
{
    struct cca_config cfg;
    struct cca_backend *be;
    struct cca_result res;
    uint8_t out[4];

    (void)state;
    setenv("CSU_DEFAULT_ADAPTER", "CRP03", 1);
    cca_config_defaults(&cfg);
    snprintf(cfg.devices, sizeof(cfg.devices), "/tmp/one.sock");
    be = cca_backend_new(&cfg);
    assert_non_null(be);
    assert_false(cca_random_number_generate(be, out, sizeof(out), &res));
    assert_int_equal(res.rc, 12);
    assert_int_equal(res.reason, CCA_RS_HOST_NO_DEVICE);
    assert_non_null(strstr(res.detail, "CSU_DEFAULT_ADAPTER=CRP03"));
    cca_backend_free(be);
}

static void backend_unreachable_device(void **state)
{
    struct cca_config cfg;
    struct cca_backend *be;
    struct cca_result res;
    char text[1024];
    uint8_t out[4];

    (void)state;
    cca_config_defaults(&cfg);
    snprintf(cfg.devices, sizeof(cfg.devices),
             "/nonexistent-dir/crp01.sock");
    be = cca_backend_new(&cfg);
    assert_non_null(be);
    assert_false(cca_random_number_generate(be, out, sizeof(out), &res));
    assert_int_equal(res.rc, 12);
    assert_int_equal(res.reason, CCA_RS_HOST_CONNECT_FAILED);
    assert_int_equal(res.device, 0);
    assert_string_equal(res.device_name, "CRP01");

    cca_result_text(&res, text, sizeof(text));
    assert_true(strncmp(text, "CRP01 (/nonexistent-dir/crp01.sock): "
                        "12/4800 HOST_CONNECT_FAILED: ", 66) == 0);
    assert_non_null(strstr(text, "No such file or directory"));
    assert_non_null(strstr(text, "is ibm4767-emud running?"));
    cca_backend_free(be);
}

static void result_text_without_device(void **state)
{
    struct cca_result res;
    char text[512];

    (void)state;
    memset(&res, 0, sizeof(res));
    res.device = -1;
    res.rc = 0;
    res.reason = 0;
    assert_string_equal(cca_result_text(&res, text, sizeof(text)),
                        "0/0 OK: success");
    res.rc = 8;
    res.reason = 48;
    res.driver_code = 0x8040FFFEu;
    cca_result_text(&res, text, sizeof(text));
    assert_non_null(strstr(text, "8/48 MKVP_MISMATCH"));
    assert_non_null(strstr(text, "driver code 8040FFFE BATTERY_WARNING"));
}

static void state_names(void **state)
{
    (void)state;
    assert_string_equal(cca_device_state_name(CCA_STATE_SELF_TEST),
                        "SELF_TEST");
    assert_string_equal(cca_device_state_name(CCA_STATE_READY), "READY");
    assert_string_equal(cca_device_state_name(CCA_STATE_NO_FIRMWARE),
                        "NO_FIRMWARE");
    assert_string_equal(cca_device_state_name(CCA_STATE_ZEROIZED),
                        "ZEROIZED");
    assert_string_equal(cca_device_state_name(77), "UNKNOWN");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(config_defaults, clear_env),
        cmocka_unit_test_setup(config_env_unset_keeps_values, clear_env),
        cmocka_unit_test_setup(config_env_overrides, clear_env),
        cmocka_unit_test_setup(config_ready_timeout_zero, clear_env),
        cmocka_unit_test_setup(config_ready_timeout_invalid, clear_env),
        cmocka_unit_test_setup(config_spin_wait, clear_env),
        cmocka_unit_test_setup(config_debug_level_only, clear_env),
        cmocka_unit_test_setup(config_debug_invalid, clear_env),
        cmocka_unit_test_setup(config_devices_too_long, clear_env),
        cmocka_unit_test(log_level_names),
        cmocka_unit_test(log_writes_one_line_per_event),
        cmocka_unit_test(log_unopenable_file_falls_back),
        cmocka_unit_test_setup(backend_parses_device_list, clear_env),
        cmocka_unit_test_setup(backend_empty_list_rejected, clear_env),
        cmocka_unit_test_setup(backend_pin_names_missing_device, clear_env),
        cmocka_unit_test_setup(backend_unreachable_device, clear_env),
        cmocka_unit_test(result_text_without_device),
        cmocka_unit_test(state_names),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
