/*
 * Administration commands of ibm4767-clu: reset, load, unload, inject,
 * battery-replaced and acp, and the helpers the commands share.  The
 * device accepts them only from the user it runs as or root; anyone else
 * gets 8/90.
 */
#include <config.h>

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ibm4767/admin.h>
#include <ibm4767/cca.h>
#include <ibm4767/codes.h>

#include "clu.h"

/* ---------------------------------------------------------------------- */
/* Shared helpers                                                          */

int clu_fail(const char *fmt, ...)
{
    va_list ap;

    fprintf(stderr, CLU_PROGRAM ": ");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return CLU_EXIT_FAILED;
}

int clu_fail_result(const char *what, const struct cca_result *res)
{
    char text[1024];

    return clu_fail("%s failed: %s", what,
                    cca_result_text(res, text, sizeof(text)));
}

struct cca_backend *clu_open_backend(const struct clu_options *opts)
{
    char err[768];
    struct cca_backend *be = cca_backend_open(&opts->config, err,
                                              sizeof(err));

    if (be == NULL)
        clu_fail("cannot set up the devices '%s': %s", opts->config.devices,
                 err);
    return be;
}

const char *clu_device_path(struct cca_backend *be,
                            const struct clu_options *opts)
{
    const char *path = cca_backend_device_path(be, CLU_DEVICE_INDEX);

    return path != NULL ? path : opts->config.devices;
}

/* Run one administration verb and report it; returns the exit code. */
typedef int admin_fn(struct cca_backend *be, int device,
                     struct cca_result *res);

static int run_admin(const struct clu_options *opts, const char *action,
                     admin_fn *fn, const char *done)
{
    struct cca_backend *be = clu_open_backend(opts);
    struct cca_result res;
    int ret;

    if (be == NULL)
        return CLU_EXIT_FAILED;
    if (fn(be, CLU_DEVICE_INDEX, &res)) {
        printf("%s (%s): %s\n", CLU_DEVICE_NAME, clu_device_path(be, opts),
               done);
        ret = CLU_EXIT_OK;
    } else {
        ret = clu_fail_result(action, &res);
    }
    cca_backend_free(be);
    return ret;
}

/* ---------------------------------------------------------------------- */
/* reset, load, unload, battery-replaced                                   */

int clu_reset(const struct clu_options *opts)
{
    return run_admin(opts, "reset", cca_admin_reset,
                     "reset; requests in flight were dropped and the "
                     "self-test runs again ('" CLU_PROGRAM " status' waits "
                     "for it)");
}

static int firmware_load(struct cca_backend *be, int device,
                         struct cca_result *res)
{
    return cca_admin_firmware(be, device, 1, res);
}

static int firmware_unload(struct cca_backend *be, int device,
                           struct cca_result *res)
{
    return cca_admin_firmware(be, device, 0, res);
}

int clu_load(const struct clu_options *opts)
{
    return run_admin(opts, "loading the CCA firmware", firmware_load,
                     "CCA firmware loaded; the self-test runs ('"
                     CLU_PROGRAM " status' waits for it)");
}

int clu_unload(const struct clu_options *opts)
{
    return run_admin(opts, "unloading the CCA firmware", firmware_unload,
                     "CCA firmware unloaded; every verb gets 12/338 until '"
                     CLU_PROGRAM " load'");
}

int clu_battery_replaced(const struct clu_options *opts)
{
    return run_admin(opts, "clearing the battery warning",
                     cca_admin_battery_replaced,
                     "battery warning 8040FFFE cleared");
}

/* ---------------------------------------------------------------------- */
/* inject                                                                  */

/* Parse 8 hex digits, with or without 0x, of the form 8xxxxxxx. */
static int parse_driver_code(const char *text, uint32_t *code)
{
    char *end = NULL;
    unsigned long v;
    const char *digits = text;

    if (strncmp(digits, "0x", 2) == 0 || strncmp(digits, "0X", 2) == 0)
        digits += 2;
    if (strlen(digits) != 8)
        return 0;
    for (const char *p = digits; *p != '\0'; p++) {
        if (!isxdigit((unsigned char)*p))
            return 0;
    }
    v = strtoul(digits, &end, 16);
    if (*end != '\0' || (v & 0x80000000ul) == 0)
        return 0;
    *code = (uint32_t)v;
    return 1;
}

int clu_inject(const struct clu_options *opts)
{
    const struct cca_code_info *info;
    struct cca_backend *be;
    struct cca_result res;
    uint32_t code;
    int ret;

    if (!parse_driver_code(opts->operands[0], &code))
        return clu_usage_error("invalid driver code '%s': expected 8 hex "
                               "digits of the form 8xxxxxxx, e.g. 8040FFFE",
                               opts->operands[0]);
    info = cca_driver_code_lookup(code);
    be = clu_open_backend(opts);
    if (be == NULL)
        return CLU_EXIT_FAILED;
    if (cca_admin_inject(be, CLU_DEVICE_INDEX, code, &res)) {
        printf("%s (%s): injected driver code %08X %s: %s\n",
               CLU_DEVICE_NAME, clu_device_path(be, opts), code, info->name,
               info->message);
        ret = CLU_EXIT_OK;
    } else {
        ret = clu_fail_result("injecting the driver code", &res);
    }
    cca_backend_free(be);
    return ret;
}

/* ---------------------------------------------------------------------- */
/* acp                                                                     */

static void print_acp_table(FILE *out, const struct cca_acp *points,
                            size_t count)
{
    for (size_t i = 0; i < count; i++)
        fprintf(out, "  %-22s %-9s %s\n", points[i].name,
                points[i].enabled ? "enabled" : "DISABLED",
                points[i].description);
}

void clu_print_acps(FILE *out, struct cca_backend *be)
{
    struct cca_acp points[CCA_ACP_MAX];
    struct cca_result res;
    size_t count = 0;
    char text[1024];

    fprintf(out, "\nAccess Control Points\n");
    if (!cca_acp_query(be, CLU_DEVICE_INDEX, points, CCA_ACP_MAX, &count,
                       &res)) {
        fprintf(out, "  not available: %s\n",
                cca_result_text(&res, text, sizeof(text)));
        return;
    }
    print_acp_table(out, points, count);
}

static int acp_list(struct cca_backend *be)
{
    struct cca_acp points[CCA_ACP_MAX];
    struct cca_result res;
    size_t count = 0;

    if (!cca_acp_query(be, CLU_DEVICE_INDEX, points, CCA_ACP_MAX, &count,
                       &res))
        return clu_fail_result("listing the access control points", &res);
    print_acp_table(stdout, points, count);
    return CLU_EXIT_OK;
}

static int acp_change(struct cca_backend *be, const char *name, int enable)
{
    struct cca_result res;

    if (!cca_acp_set(be, CLU_DEVICE_INDEX, name, enable, &res))
        return clu_fail_result(enable ? "enabling the access control point"
                                      : "disabling the access control point",
                               &res);
    printf("access control point %s %s\n", name,
           enable ? "enabled" : "disabled");
    return CLU_EXIT_OK;
}

int clu_acp(const struct clu_options *opts)
{
    const char *action = opts->operand_count > 0 ? opts->operands[0]
                                                 : "list";
    struct cca_backend *be;
    int enable, ret;

    if (strcmp(action, "list") == 0) {
        if (opts->operand_count > 1)
            return clu_usage_error("'acp list' takes no NAME");
        enable = -1;
    } else if (strcmp(action, "enable") == 0
               || strcmp(action, "disable") == 0) {
        if (opts->operand_count != 2)
            return clu_usage_error("'acp %s' needs the NAME of a point; "
                                   "'acp list' shows them", action);
        enable = action[0] == 'e';
    } else {
        return clu_usage_error("unknown acp action '%s': use list, enable "
                               "or disable", action);
    }

    be = clu_open_backend(opts);
    if (be == NULL)
        return CLU_EXIT_FAILED;
    if (enable < 0)
        ret = acp_list(be);
    else
        ret = acp_change(be, opts->operands[1], enable);
    cca_backend_free(be);
    return ret;
}
