/*
 * Error reporting of the provider: reason strings, and the helpers that
 * push an error onto OpenSSL's error queue through the core functions and
 * log the same text.
 */
#include <stdarg.h>
#include <stdio.h>

#include <openssl/core_dispatch.h>

#include "prov.h"

static const OSSL_ITEM reason_strings[] = {
    { IBM4767_R_DEVICE_ERROR, "coprocessor request failed" },
    { IBM4767_R_NOT_EXPORTABLE, "private key is not exportable" },
    { IBM4767_R_INVALID_KEY, "invalid key" },
    { IBM4767_R_INVALID_TOKEN, "invalid CCA key token" },
    { IBM4767_R_INVALID_PARAMETER, "invalid parameter" },
    { IBM4767_R_UNSUPPORTED, "unsupported" },
    { IBM4767_R_BUFFER_TOO_SMALL, "output buffer too small" },
    { IBM4767_R_NO_KEY, "no key" },
    { IBM4767_R_OPERATION_NOT_INITIALIZED, "operation not initialized" },
    { IBM4767_R_MALLOC_FAILURE, "out of memory" },
    { IBM4767_R_DIGEST_FAILED, "digest computation failed" },
    { IBM4767_R_KEY_USAGE, "key usage does not allow this operation" },
    { IBM4767_R_BAD_SIGNATURE, "signature did not verify" },
    { IBM4767_R_DECRYPT_FAILED, "decryption failed" },
    { IBM4767_R_CONFIG, "invalid provider configuration" },
    { IBM4767_R_INVALID_PEM, "invalid PEM" },
    { 0, NULL },
};

const OSSL_ITEM *ibm4767_reason_strings(void)
{
    return reason_strings;
}

/*
 * Log level of a raised reason.  OpenSSL 3.0 tries to export a key to the
 * provider that serves an operation by default before it falls back to
 * this provider, so "not exportable" is routine.  A signature that does
 * not verify is a result, not a fault of the provider.
 */
static int log_level_for(int reason)
{
    switch (reason) {
    case IBM4767_R_NOT_EXPORTABLE:
        return IBM4767_LOG_DEBUG;
    case IBM4767_R_BAD_SIGNATURE:
        return IBM4767_LOG_INFO;
    default:
        return IBM4767_LOG_ERROR;
    }
}

__attribute__((format(printf, 6, 0)))
static void raise_v(const struct ibm4767_provctx *ctx, int reason,
                    const char *file, int line, const char *func,
                    const char *fmt, va_list ap)
{
    int level = log_level_for(reason);
    char msg[1024];
    va_list log_ap;

    if (ibm4767_log_enabled(level)) {
        va_copy(log_ap, ap);
        vsnprintf(msg, sizeof(msg), fmt, log_ap);
        va_end(log_ap);
        ibm4767_log(level, "%s: %s", func, msg);
    }

    if (ctx == NULL || ctx->core_new_error == NULL
        || ctx->core_set_error_debug == NULL || ctx->core_vset_error == NULL)
        return;
    ctx->core_new_error(ctx->handle);
    ctx->core_set_error_debug(ctx->handle, file, line, func);
    ctx->core_vset_error(ctx->handle, (uint32_t)reason, fmt, ap);
}

void ibm4767_raise(const struct ibm4767_provctx *ctx, int reason,
                   const char *file, int line, const char *func,
                   const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    raise_v(ctx, reason, file, line, func, fmt, ap);
    va_end(ap);
}

/* Picks the provider reason for a device result, so that programs can tell
 * a bad signature or a key usage violation from other device errors. */
static int reason_for_result(const struct cca_result *res)
{
    if (res->rc == CCA_RC_WARNING && res->reason == CCA_RS_SIGNATURE_INVALID)
        return IBM4767_R_BAD_SIGNATURE;
    if (res->rc == CCA_RC_ERROR && res->reason == CCA_RS_KEY_USAGE)
        return IBM4767_R_KEY_USAGE;
    if (res->rc == CCA_RC_ERROR && res->reason == CCA_RS_DECRYPT_FAILED)
        return IBM4767_R_DECRYPT_FAILED;
    if (res->rc == CCA_RC_ERROR
        && (res->reason == CCA_RS_TOKEN_TVV_INVALID
            || res->reason == CCA_RS_PKA_TOKEN_INVALID
            || res->reason == CCA_RS_MKVP_MISMATCH))
        return IBM4767_R_INVALID_TOKEN;
    return IBM4767_R_DEVICE_ERROR;
}

void ibm4767_raise_cca(const struct ibm4767_provctx *ctx,
                       const struct cca_result *res, const char *what,
                       const char *file, int line, const char *func)
{
    char text[1024];

    cca_result_text(res, text, sizeof(text));
    ibm4767_raise(ctx, reason_for_result(res), file, line, func, "%s: %s",
                  what, text);
}
