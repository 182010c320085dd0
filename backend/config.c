/*
 * Backend configuration: built-in defaults and the environment variables
 * that override what openssl.cnf or a command line set.
 */
#include <config.h>

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ibm4767/cca.h>
#include <ibm4767/log.h>

/* Largest ready timeout accepted, in seconds (one day), so that the value
 * in milliseconds fits a long on every platform. */
#define READY_TIMEOUT_MAX_S 86400L

void cca_config_defaults(struct cca_config *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
    snprintf(cfg->devices, sizeof(cfg->devices), "%s", CCA_DEFAULT_SOCKET);
    cfg->ready_timeout_ms = CCA_DEFAULT_READY_TIMEOUT * 1000L;
    cfg->log_level = IBM4767_LOG_OFF;
    cfg->log_file[0] = '\0';
    cfg->transport = CCA_TRANSPORT_SOCKET;
    snprintf(cfg->cca_library, sizeof(cfg->cca_library), "%s",
             CCA_DEFAULT_CCA_LIBRARY);
    cfg->spin_wait_us = CCA_DEFAULT_SPIN_WAIT_US;
}

int cca_parse_spin_wait(const char *value, unsigned *us)
{
    char *end = NULL;
    unsigned long v;

    if (value == NULL || !isdigit((unsigned char)value[0]))
        return 0;
    errno = 0;
    v = strtoul(value, &end, 10);
    if (*end != '\0' || errno == ERANGE || v > CCA_SPIN_WAIT_MAX_US)
        return 0;
    *us = (unsigned)v;
    return 1;
}

int cca_transport_parse(const char *name)
{
    if (name == NULL)
        return -1;
    if (strcmp(name, "socket") == 0)
        return CCA_TRANSPORT_SOCKET;
    if (strcmp(name, "cca") == 0)
        return CCA_TRANSPORT_CCA;
    return -1;
}

const char *cca_transport_name(int transport)
{
    return transport == CCA_TRANSPORT_CCA ? "cca" : "socket";
}

static int apply_transport(struct cca_config *cfg, const char *value,
                           char *err, size_t err_len)
{
    int transport = cca_transport_parse(value);

    if (transport < 0) {
        snprintf(err, err_len, "IBM4767_TRANSPORT=%s is invalid: use socket "
                 "(the emulator) or cca (IBM's CCA host library)", value);
        return 0;
    }
    cfg->transport = transport;
    return 1;
}

static int apply_cca_library(struct cca_config *cfg, const char *value,
                             char *err, size_t err_len)
{
    size_t len = strlen(value);

    if (len >= sizeof(cfg->cca_library)) {
        snprintf(err, err_len, "IBM4767_CCA_LIBRARY is %zu characters long, "
                 "over the limit of %zu; use a shorter path", len,
                 sizeof(cfg->cca_library) - 1);
        return 0;
    }
    memcpy(cfg->cca_library, value, len + 1);
    return 1;
}

static int apply_devices(struct cca_config *cfg, const char *value,
                         char *err, size_t err_len)
{
    size_t len = strlen(value);

    if (len >= sizeof(cfg->devices)) {
        snprintf(err, err_len, "IBM4767_DEVICES is %zu characters long, "
                 "over the limit of %zu; list fewer or shorter socket paths",
                 len, sizeof(cfg->devices) - 1);
        return 0;
    }
    memcpy(cfg->devices, value, len + 1);
    return 1;
}

static int apply_ready_timeout(struct cca_config *cfg, const char *value,
                               char *err, size_t err_len)
{
    char *end = NULL;
    long seconds;

    /* strtol would skip leading blanks and take a sign; neither is a
     * plain number of seconds. */
    errno = 0;
    seconds = strtol(value, &end, 10);
    if (!isdigit((unsigned char)value[0]) || *end != '\0' ||
        errno == ERANGE || seconds > READY_TIMEOUT_MAX_S) {
        snprintf(err, err_len, "IBM4767_READY_TIMEOUT=%s is invalid: expected "
                 "a whole number of seconds from 0 to %ld", value,
                 READY_TIMEOUT_MAX_S);
        return 0;
    }
    cfg->ready_timeout_ms = seconds * 1000L;
    return 1;
}

/* IBM4767_DEBUG is "level" or "level,file:PATH". */
static int apply_debug(struct cca_config *cfg, const char *value, char *err,
                       size_t err_len)
{
    char level_name[16];
    const char *comma = strchr(value, ',');
    size_t level_len = comma != NULL ? (size_t)(comma - value) : strlen(value);
    const char *path = NULL;
    int level;

    if (level_len >= sizeof(level_name))
        level_len = sizeof(level_name) - 1;
    memcpy(level_name, value, level_len);
    level_name[level_len] = '\0';

    level = ibm4767_log_parse_level(level_name);
    if (level < 0) {
        snprintf(err, err_len, "IBM4767_DEBUG=%s is invalid: unknown level "
                 "'%s'; use off, error, warn, info or debug, optionally "
                 "followed by ,file:PATH", value, level_name);
        return 0;
    }

    if (comma != NULL) {
        if (strncmp(comma + 1, "file:", 5) != 0 || comma[6] == '\0') {
            snprintf(err, err_len, "IBM4767_DEBUG=%s is invalid: after the "
                     "level expected ',file:PATH' with a non-empty PATH",
                     value);
            return 0;
        }
        path = comma + 6;
        if (strlen(path) >= sizeof(cfg->log_file)) {
            snprintf(err, err_len, "IBM4767_DEBUG: log file path is over "
                     "%zu characters; use a shorter path",
                     sizeof(cfg->log_file) - 1);
            return 0;
        }
    }

    cfg->log_level = level;
    snprintf(cfg->log_file, sizeof(cfg->log_file), "%s",
             path != NULL ? path : "");
    return 1;
}

/*
 * Apply IBM4767_DEVICES, IBM4767_READY_TIMEOUT, IBM4767_DEBUG,
 * IBM4767_TRANSPORT, IBM4767_CCA_LIBRARY and IBM4767_SPIN_WAIT_US.
 * An unset or empty variable leaves the setting alone.  The variables are
 * checked in turn and the first invalid one is reported; cfg may then hold
 * the values applied before it.
 */
int cca_config_apply_env(struct cca_config *cfg, char *err, size_t err_len)
{
    const char *value;

    value = getenv("IBM4767_DEVICES");
    if (value != NULL && value[0] != '\0' &&
        !apply_devices(cfg, value, err, err_len))
        return 0;

    value = getenv("IBM4767_READY_TIMEOUT");
    if (value != NULL && value[0] != '\0' &&
        !apply_ready_timeout(cfg, value, err, err_len))
        return 0;

    value = getenv("IBM4767_DEBUG");
    if (value != NULL && value[0] != '\0' &&
        !apply_debug(cfg, value, err, err_len))
        return 0;

    value = getenv("IBM4767_TRANSPORT");
    if (value != NULL && value[0] != '\0' &&
        !apply_transport(cfg, value, err, err_len))
        return 0;

    value = getenv("IBM4767_CCA_LIBRARY");
    if (value != NULL && value[0] != '\0' &&
        !apply_cca_library(cfg, value, err, err_len))
        return 0;

    value = getenv("IBM4767_SPIN_WAIT_US");
    if (value != NULL && value[0] != '\0' &&
        !cca_parse_spin_wait(value, &cfg->spin_wait_us)) {
        snprintf(err, err_len, "IBM4767_SPIN_WAIT_US=%s is invalid: expected "
                 "a whole number of microseconds from 0 (never spin) to %d",
                 value, CCA_SPIN_WAIT_MAX_US);
        return 0;
    }

    return 1;
}
