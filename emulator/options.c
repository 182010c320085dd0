/*
 * Command line of ibm4767-emud.
 */
#include <config.h>

#include <errno.h>
#include <getopt.h>
#include <grp.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <ibm4767/log.h>

#include "admin.h"

/* The build passes the installed location (emulator/local.mk). */
#ifndef IBM4767_VALIDATION_DIR
#define IBM4767_VALIDATION_DIR "/usr/local/share/ibm4767/validation"
#endif
#define EMU_DEFAULT_VALIDATION_DIR IBM4767_VALIDATION_DIR

enum option_id {
    OPT_SOCKET = 0x100,
    OPT_SOCKET_GROUP,
    OPT_STATE_DIR,
    OPT_POST_SECONDS,
    OPT_NO_FIRMWARE,
    OPT_FOREGROUND,
    OPT_LOG_LEVEL,
    OPT_LOG_FILE,
    OPT_KEY_CACHE_ENTRIES,
    OPT_SPIN_US,
    OPT_PKA_WORKERS,
    OPT_PROFILE,
    OPT_VALIDATION_DIR,
    OPT_REINITIALIZE,
    OPT_PRINT_SEGMENTS,
    OPT_TEST_HOOK,
    OPT_HELP,
};

static const struct option long_options[] = {
    { "socket", required_argument, NULL, OPT_SOCKET },
    { "socket-group", required_argument, NULL, OPT_SOCKET_GROUP },
    { "state-dir", required_argument, NULL, OPT_STATE_DIR },
    { "post-seconds", required_argument, NULL, OPT_POST_SECONDS },
    { "no-firmware", no_argument, NULL, OPT_NO_FIRMWARE },
    { "foreground", no_argument, NULL, OPT_FOREGROUND },
    { "log-level", required_argument, NULL, OPT_LOG_LEVEL },
    { "log-file", required_argument, NULL, OPT_LOG_FILE },
    { "key-cache-entries", required_argument, NULL, OPT_KEY_CACHE_ENTRIES },
    { "spin-us", required_argument, NULL, OPT_SPIN_US },
    { "pka-workers", required_argument, NULL, OPT_PKA_WORKERS },
    { "profile", required_argument, NULL, OPT_PROFILE },
    { "validation-dir", required_argument, NULL, OPT_VALIDATION_DIR },
    { "reinitialize", no_argument, NULL, OPT_REINITIALIZE },
    { "print-segments", no_argument, NULL, OPT_PRINT_SEGMENTS },
    { "test-hook", required_argument, NULL, OPT_TEST_HOOK },
    { "help", no_argument, NULL, OPT_HELP },
    { NULL, 0, NULL, 0 },
};

static void print_help(void)
{
    printf("Usage: " EMU_PROGRAM " [OPTION]...\n"
           "Emulated IBM 4767 cryptographic coprocessor (CCA firmware): "
           "serves the\nibm4767 wire protocol on a Unix socket.\n\n"
           "  --socket PATH            socket to listen on (default %s)\n"
           "  --socket-group GROUP     let GROUP use the socket: directory "
           "0750, socket\n"
           "                           0660 (default: owner only, 0700 and "
           "0600)\n"
           "  --state-dir DIR          master keys, serial number and device "
           "key\n"
           "                           (default %s)\n"
           "  --post-seconds N         seconds of power-on self-test before "
           "the device\n"
           "                           is ready (default %u, at most %u)\n"
           "  --no-firmware            act as a card without CCA firmware: "
           "every verb\n"
           "                           but status gets 12/338\n"
           "  --foreground             stay in the foreground (default: run "
           "as a daemon)\n"
           "  --log-level LEVEL        error, warn, info, debug or off "
           "(default warn)\n"
           "  --log-file PATH          append the log to PATH (default: "
           "standard error)\n"
           "  --key-cache-entries N    unwrapped keys kept ready (default "
           "%u; 0 turns\n"
           "                           the cache off)\n"
           "  --spin-us N              while one client sends request after "
           "request,\n"
           "                           check for the next one for N "
           "microseconds\n"
           "                           before sleeping (default %u, at most "
           "%u; 0: off)\n"
           "  --pka-workers N          RSA and EC worker threads (default: "
           "one per online\n"
           "                           CPU)\n"
           "  --profile MODEL          add the modelled service times of "
           "MODEL (4767)\n"
           "                           to every request (default: off)\n"
           "  --validation-dir DIR     class key and certificate that "
           "certify a new\n"
           "                           device's key (default %s)\n"
           "  --reinitialize           replace a zeroized device in "
           "--state-dir with a new\n"
           "                           one (new master keys and device "
           "key); an intact\n"
           "                           device is left alone\n"
           "  --print-segments         print the code segment hashes that "
           "ibm4767-clu\n"
           "                           validate expects, and exit\n"
           "  --test-hook NAME         make validation fail on purpose "
           "(tests only):\n"
           "                           replace-device-key, "
           "alter-signed-status or\n"
           "                           segment-hash; may be repeated\n"
           "  --help                   show this help and exit\n\n"
           "SIGTERM or SIGINT stops the daemon and removes the socket.\n",
           CCA_DEFAULT_SOCKET, EMU_DEFAULT_STATE_DIR,
           EMU_DEFAULT_POST_SECONDS, EMU_MAX_POST_SECONDS,
           EMU_DEFAULT_KEY_CACHE, EMU_DEFAULT_SPIN_US, EMU_MAX_SPIN_US,
           EMU_DEFAULT_VALIDATION_DIR);
}

static int usage_error(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

/* Print a usage error; returns the exit status 2. */
static int usage_error(const char *fmt, ...)
{
    va_list ap;

    fprintf(stderr, EMU_PROGRAM ": ");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nTry '" EMU_PROGRAM " --help' for the options.\n");
    return 2;
}

/* Parse a decimal number in [min, max]; returns 0 on anything else. */
static int parse_number(const char *s, unsigned long min, unsigned long max,
                        unsigned long *out)
{
    char *end;
    unsigned long v;

    if (s[0] < '0' || s[0] > '9')
        return 0;
    errno = 0;
    v = strtoul(s, &end, 10);
    if (errno != 0 || *end != '\0' || v < min || v > max)
        return 0;
    *out = v;
    return 1;
}

/* A group name, or a numeric group id. */
static int resolve_group(const char *name, gid_t *gid)
{
    struct group grp, *found = NULL;
    char buf[4096];
    unsigned long id;

    if (getgrnam_r(name, &grp, buf, sizeof(buf), &found) == 0
        && found != NULL) {
        *gid = found->gr_gid;
        return 1;
    }
    if (parse_number(name, 0, (unsigned long)INT_MAX, &id)) {
        *gid = (gid_t)id;
        return 1;
    }
    return 0;
}

static void set_defaults(struct emu_config *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
    cfg->socket_path = CCA_DEFAULT_SOCKET;
    cfg->state_dir = EMU_DEFAULT_STATE_DIR;
    cfg->post_seconds = EMU_DEFAULT_POST_SECONDS;
    cfg->log_level = IBM4767_LOG_WARN;
    cfg->key_cache_entries = EMU_DEFAULT_KEY_CACHE;
    cfg->spin_us = EMU_DEFAULT_SPIN_US;
    cfg->validation_dir = EMU_DEFAULT_VALIDATION_DIR;
}

static const struct {
    const char *name;
    unsigned bit;
} test_hooks[] = {
    { "replace-device-key", EMU_HOOK_REPLACE_DEVICE_KEY },
    { "alter-signed-status", EMU_HOOK_ALTER_STATUS },
    { "segment-hash", EMU_HOOK_SEGMENT_HASH },
};

/* Options of device administration and validation (admin.h). */
static int apply_admin_option(struct emu_config *cfg, int opt,
                              const char *arg)
{
    switch (opt) {
    case OPT_VALIDATION_DIR:
        if (arg[0] == '\0')
            return usage_error("--validation-dir needs a directory");
        cfg->validation_dir = arg;
        return 0;
    case OPT_REINITIALIZE:
        cfg->reinitialize = 1;
        return 0;
    case OPT_PRINT_SEGMENTS:
        cfg->print_segments = 1;
        return 0;
    default:
        for (size_t i = 0; i < sizeof(test_hooks) / sizeof(test_hooks[0]);
             i++) {
            if (strcmp(arg, test_hooks[i].name) == 0) {
                cfg->test_hooks |= test_hooks[i].bit;
                return 0;
            }
        }
        return usage_error("--test-hook: '%s' is not replace-device-key, "
                           "alter-signed-status or segment-hash", arg);
    }
}

/* Apply one option; returns 0 to go on, or the exit status of
 * emu_options_parse. */
static int apply_option(struct emu_config *cfg, int opt, const char *arg)
{
    unsigned long n;

    switch (opt) {
    case OPT_SOCKET:
        if (arg[0] == '\0')
            return usage_error("--socket needs a path");
        cfg->socket_path = arg;
        return 0;
    case OPT_SOCKET_GROUP:
        if (!resolve_group(arg, &cfg->socket_gid))
            return usage_error("--socket-group: no group named '%s'", arg);
        cfg->socket_group = arg;
        return 0;
    case OPT_STATE_DIR:
        if (arg[0] == '\0')
            return usage_error("--state-dir needs a directory");
        cfg->state_dir = arg;
        return 0;
    case OPT_POST_SECONDS:
        if (!parse_number(arg, 0, EMU_MAX_POST_SECONDS, &n))
            return usage_error("--post-seconds: '%s' is not a number of "
                               "seconds from 0 to 3600", arg);
        cfg->post_seconds = (unsigned)n;
        return 0;
    case OPT_NO_FIRMWARE:
        cfg->no_firmware = 1;
        return 0;
    case OPT_FOREGROUND:
        cfg->foreground = 1;
        return 0;
    case OPT_LOG_LEVEL:
        cfg->log_level = ibm4767_log_parse_level(arg);
        if (cfg->log_level < 0)
            return usage_error("--log-level: '%s' is not one of error, warn, "
                               "info, debug, off", arg);
        return 0;
    case OPT_LOG_FILE:
        cfg->log_file = arg;
        return 0;
    case OPT_KEY_CACHE_ENTRIES:
        if (!parse_number(arg, 0, EMU_MAX_KEY_CACHE, &n))
            return usage_error("--key-cache-entries: '%s' is not a number "
                               "from 0 to 1048576", arg);
        cfg->key_cache_entries = n;
        return 0;
    case OPT_SPIN_US:
        if (!parse_number(arg, 0, EMU_MAX_SPIN_US, &n))
            return usage_error("--spin-us: '%s' is not a number from 0 to "
                               "%u", arg, EMU_MAX_SPIN_US);
        cfg->spin_us = (unsigned)n;
        return 0;
    case OPT_PKA_WORKERS:
        if (!parse_number(arg, 1, EMU_MAX_WORKERS, &n))
            return usage_error("--pka-workers: '%s' is not a number from 1 "
                               "to 1024", arg);
        cfg->pka_workers = (unsigned)n;
        return 0;
    case OPT_PROFILE:
        cfg->profile = emu_profile_find(arg);
        if (cfg->profile == NULL)
            return usage_error("--profile: no timing profile named '%s'; "
                               "the one available is 4767", arg);
        return 0;
    case OPT_VALIDATION_DIR:
    case OPT_REINITIALIZE:
    case OPT_PRINT_SEGMENTS:
    case OPT_TEST_HOOK:
        return apply_admin_option(cfg, opt, arg);
    case OPT_HELP:
        print_help();
        return 1;
    default:
        /* getopt_long has printed what was wrong. */
        fprintf(stderr, "Try '" EMU_PROGRAM " --help' for the options.\n");
        return 2;
    }
}

int emu_options_parse(int argc, char **argv, struct emu_config *cfg)
{
    int opt;

    set_defaults(cfg);
    while ((opt = getopt_long(argc, argv, "", long_options, NULL)) != -1) {
        int status = apply_option(cfg, opt, optarg);

        if (status != 0)
            return status;
    }
    if (optind < argc)
        return usage_error("unexpected argument '%s'", argv[optind]);
    return 0;
}
