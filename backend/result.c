/*
 * struct cca_result: filling it in and rendering it as one line for error
 * messages and logs.
 */
#include <config.h>

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "backend_int.h"

void cca_result_init(struct cca_result *res)
{
    memset(res, 0, sizeof(*res));
    res->device = -1;
}

void cca_result_set_device(struct cca_result *res,
                           const struct cca_device *dev)
{
    res->device = dev->index;
    snprintf(res->device_name, sizeof(res->device_name), "%s", dev->name);
    snprintf(res->device_path, sizeof(res->device_path), "%s", dev->path);
}

/* Set a code found on the host side; fmt describes the failed value. */
void cca_result_set(struct cca_result *res, uint32_t rc, uint32_t reason,
                    const char *fmt, ...)
{
    va_list ap;

    res->rc = rc;
    res->reason = reason;
    res->driver_code = 0;
    va_start(ap, fmt);
    vsnprintf(res->detail, sizeof(res->detail), fmt, ap);
    va_end(ap);
}

int cca_result_ok(const struct cca_result *res)
{
    return res->rc == CCA_RC_OK || res->rc == CCA_RC_WARNING;
}

const char *cca_result_text(const struct cca_result *res, char *buf,
                            size_t len)
{
    char codes[512];
    int n = 0;

    if (buf == NULL || len == 0)
        return buf;
    buf[0] = '\0';
    if (res == NULL)
        return buf;

    cca_code_format(res->rc, res->reason, res->driver_code, codes,
                    sizeof(codes));
    if (res->device >= 0) {
        n = snprintf(buf, len, "%s (%s): ", res->device_name,
                     res->device_path);
        if (n < 0 || (size_t)n >= len)
            return buf;
    }
    if (res->detail[0] != '\0')
        snprintf(buf + n, len - (size_t)n, "%s (%s)", codes, res->detail);
    else
        snprintf(buf + n, len - (size_t)n, "%s", codes);
    return buf;
}

const char *cca_device_state_name(uint32_t state)
{
    switch (state) {
    case CCA_STATE_SELF_TEST:
        return "SELF_TEST";
    case CCA_STATE_READY:
        return "READY";
    case CCA_STATE_NO_FIRMWARE:
        return "NO_FIRMWARE";
    case CCA_STATE_ZEROIZED:
        return "ZEROIZED";
    }
    return "UNKNOWN";
}
