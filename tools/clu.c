/*
 * ibm4767-clu command line: options, configuration and the command table.
 * Exit codes: 0 success, 1 failed operation, 2 usage error.
 */
#include <config.h>

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <ibm4767/cca.h>
#include <ibm4767/log.h>

#include "clu.h"

/* Upper bound for --ready-timeout: one day, far above any self-test. */
#define CLU_READY_TIMEOUT_MAX_S 86400L

/* The build passes where it installs the pinned root key
 * (emulator/local.mk). */
#ifndef IBM4767_VALIDATION_DIR
#define IBM4767_VALIDATION_DIR "/usr/local/share/ibm4767/validation"
#endif
#define CLU_VALIDATION_ENV "IBM4767_VALIDATION_DIR"

/* Options that only some commands take. */
#define CLU_OPT_COUNTERS       0x01u
#define CLU_OPT_TYPE           0x02u
#define CLU_OPT_PART           0x04u
#define CLU_OPT_VALIDATION_DIR 0x08u

struct clu_command {
    const char *name;
    const char *alias;           /* the card CLU's two-letter name, or NULL */
    int operands_min;
    int operands_max;
    unsigned options;            /* CLU_OPT_* the command accepts */
    int (*run)(const struct clu_options *opts);
};

static const struct clu_command commands[] = {
    { "status", "st", 0, 0, CLU_OPT_COUNTERS, clu_status },
    { "validate", "va", 0, 0, CLU_OPT_VALIDATION_DIR, clu_validate },
    { "reset", "rs", 0, 0, 0, clu_reset },
    { "load", "pl", 0, 0, 0, clu_load },
    { "unload", NULL, 0, 0, 0, clu_unload },
    { "inject", NULL, 1, 1, 0, clu_inject },
    { "battery-replaced", NULL, 0, 0, 0, clu_battery_replaced },
    { "acp", NULL, 0, 2, 0, clu_acp },
    { "mk", NULL, 1, 2, CLU_OPT_TYPE | CLU_OPT_PART, clu_mk },
    { "retained", NULL, 0, 2, 0, clu_retained },
};

#define COMMAND_COUNT (sizeof(commands) / sizeof(commands[0]))

static void print_usage(FILE *out)
{
    fprintf(out,
        "Usage: " CLU_PROGRAM " [OPTIONS] COMMAND [ARGUMENTS]\n"
        "\n"
        "Show and administer an IBM 4767 coprocessor (the ibm4767-emud "
        "emulator).\n"
        "\n"
        "Commands:\n"
        "  status, st             print the status report: vital product data,\n"
        "                         code segments, master key registers, warnings,\n"
        "                         counters and access control points; waits\n"
        "                         while a self-test runs\n"
        "    --counters           print only the counters, one name=value line each\n"
        "  validate, va           check the device's certificate chain against the\n"
        "                         pinned root key, a signed status over a fresh\n"
        "                         nonce, and the code segment hashes\n"
        "    --validation-dir DIR root.pem and segments to check against\n"
        "                         (default: IBM4767_VALIDATION_DIR, else %s)\n"
        "  reset, rs              reset the coprocessor: work in flight is dropped\n"
        "                         and the self-test runs again\n"
        "  load, pl               load the CCA firmware (the device resets)\n"
        "  unload                 unload the CCA firmware; verbs then get 12/338\n"
        "  inject CODE            make the device act on device-driver code CODE\n"
        "                         (8 hex digits, e.g. 8040FFFE); tamper codes\n"
        "                         zeroize it for good\n"
        "  battery-replaced       clear the battery warning 8040FFFE\n"
        "  acp [list]             list the access control points\n"
        "  acp enable|disable NAME\n"
        "                         allow or forbid the operations of point NAME\n"
        "  mk show                print the master key registers\n"
        "  mk load --type aes|apka --part first|middle|last HEX|-\n"
        "                         load a 32-byte master key part (64 hex digits,\n"
        "                         or '-' to read them from standard input)\n"
        "  mk set --type aes|apka make the new master key current; the current\n"
        "                         one becomes old\n"
        "  mk clear --type aes|apka\n"
        "                         empty the new master key register\n"
        "  retained [list [PATTERN]]\n"
        "                         list the keys retained inside the device\n"
        "                         (PATTERN as for ibm4767-keys list)\n"
        "  retained delete LABEL  erase the retained key LABEL in the device\n"
        "\n"
        "Options:\n"
        "  --device PATH          socket of the coprocessor (default: the first\n"
        "                         entry of IBM4767_DEVICES, else %s)\n"
        "  --ready-timeout SECONDS\n"
        "                         maximum time to wait for a running self-test\n"
        "                         (default: IBM4767_READY_TIMEOUT, else %d)\n"
        "  -h, --help             print this help and exit\n"
        "  --version              print the version and exit\n"
        "\n"
        "Administration commands need the user the daemon runs as, or root.\n"
        "Environment: IBM4767_DEVICES (comma-separated sockets),\n"
        "IBM4767_READY_TIMEOUT (seconds), IBM4767_DEBUG (level[,file:PATH]),\n"
        "IBM4767_VALIDATION_DIR.\n"
        "Exit status: 0 success, 1 the operation failed or the device is not\n"
        "ready, 2 usage error.\n",
        IBM4767_VALIDATION_DIR, CCA_DEFAULT_SOCKET,
        CCA_DEFAULT_READY_TIMEOUT);
}

int clu_usage_error(const char *fmt, ...)
{
    va_list ap;

    fprintf(stderr, CLU_PROGRAM ": ");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nRun '" CLU_PROGRAM " --help' for the options.\n");
    return CLU_EXIT_USAGE;
}

/* Parse SECONDS, a whole number as IBM4767_READY_TIMEOUT takes it, into
 * milliseconds.  Returns 1, or 0 when the text is not a number in range. */
static int parse_timeout(const char *text, long *ms)
{
    char *end = NULL;
    long seconds;

    errno = 0;
    seconds = strtol(text, &end, 10);
    if (errno != 0 || end == text || *end != '\0')
        return 0;
    if (seconds < 0 || seconds > CLU_READY_TIMEOUT_MAX_S)
        return 0;

    *ms = seconds * 1000L;
    return 1;
}

/* Check that path names one socket.  The device list is comma-separated,
 * so a comma would split the path in two. */
static int valid_device_path(const char *path)
{
    size_t len = strlen(path);

    if (len == 0 || len >= sizeof(((struct cca_config *)0)->devices))
        return 0;
    return strchr(path, ',') == NULL;
}

/* Join argv into opts->invocation for the report header, truncating with
 * "..." when it does not fit. */
static void record_invocation(struct clu_options *opts, int argc,
                              char **argv)
{
    size_t used = 0;
    size_t cap = sizeof(opts->invocation);
    int i;

    opts->invocation[0] = '\0';
    for (i = 0; i < argc; i++) {
        int n = snprintf(opts->invocation + used, cap - used, "%s%s",
                         i > 0 ? " " : "", argv[i]);

        if (n < 0 || (size_t)n >= cap - used) {
            memcpy(opts->invocation + cap - 4, "...", 4);
            return;
        }
        used += (size_t)n;
    }
}

/* Values given on the command line, applied after the environment. */
struct cli_args {
    const char *device;          /* --device, or NULL */
    long ready_timeout_ms;       /* --ready-timeout, or -1 */
    unsigned given;              /* CLU_OPT_* seen */
};

enum {
    OPT_DEVICE = 256,
    OPT_READY_TIMEOUT,
    OPT_COUNTERS,
    OPT_VALIDATION_DIR,
    OPT_TYPE,
    OPT_PART,
    OPT_VERSION,
};

static const struct option long_options[] = {
    { "device", required_argument, NULL, OPT_DEVICE },
    { "ready-timeout", required_argument, NULL, OPT_READY_TIMEOUT },
    { "counters", no_argument, NULL, OPT_COUNTERS },
    { "validation-dir", required_argument, NULL, OPT_VALIDATION_DIR },
    { "type", required_argument, NULL, OPT_TYPE },
    { "part", required_argument, NULL, OPT_PART },
    { "help", no_argument, NULL, 'h' },
    { "version", no_argument, NULL, OPT_VERSION },
    { NULL, 0, NULL, 0 },
};

/* Store an option that only some commands take. */
static void command_option(struct clu_options *opts, struct cli_args *args,
                           int c, const char *value)
{
    switch (c) {
    case OPT_COUNTERS:
        opts->counters_only = 1;
        args->given |= CLU_OPT_COUNTERS;
        break;
    case OPT_VALIDATION_DIR:
        opts->validation_dir = value;
        args->given |= CLU_OPT_VALIDATION_DIR;
        break;
    case OPT_TYPE:
        opts->mk_type = value;
        args->given |= CLU_OPT_TYPE;
        break;
    default:
        opts->mk_part = value;
        args->given |= CLU_OPT_PART;
        break;
    }
}

/*
 * Parse the options into opts and args.  Options may stand before or after
 * the command.  Returns -1 to go on, or the exit code when the program
 * should stop (help, version, usage error).
 */
static int parse_options(struct clu_options *opts, struct cli_args *args,
                         int argc, char **argv)
{
    int c;

    opterr = 0;
    while ((c = getopt_long(argc, argv, ":h", long_options, NULL)) != -1) {
        switch (c) {
        case OPT_DEVICE:
            if (!valid_device_path(optarg))
                return clu_usage_error("invalid --device '%s': expected one "
                                       "socket path, without commas",
                                       optarg);
            args->device = optarg;
            break;
        case OPT_READY_TIMEOUT:
            if (!parse_timeout(optarg, &args->ready_timeout_ms))
                return clu_usage_error("invalid --ready-timeout '%s': "
                                       "expected whole seconds from 0 to "
                                       "%ld", optarg,
                                       CLU_READY_TIMEOUT_MAX_S);
            break;
        case OPT_COUNTERS:
        case OPT_VALIDATION_DIR:
        case OPT_TYPE:
        case OPT_PART:
            command_option(opts, args, c, optarg);
            break;
        case 'h':
            print_usage(stdout);
            return CLU_EXIT_OK;
        case OPT_VERSION:
            printf(CLU_PROGRAM " " PACKAGE_VERSION "\n");
            return CLU_EXIT_OK;
        case ':':
            return clu_usage_error("option '%s' requires a value",
                                   argv[optind - 1]);
        default:
            return clu_usage_error("unknown option '%s'", argv[optind - 1]);
        }
    }
    return -1;
}

/*
 * Build opts->config: defaults, then IBM4767_* from the environment, then
 * the command line.  Opens the log that IBM4767_DEBUG requests.  Returns 1,
 * or 0 after printing why the environment is invalid.
 */
static int configure(struct clu_options *opts, const struct cli_args *args)
{
    struct cca_config *cfg = &opts->config;
    const char *env_dir = getenv(CLU_VALIDATION_ENV);
    char err[256] = "";

    cca_config_defaults(cfg);
    if (!cca_config_apply_env(cfg, err, sizeof(err))) {
        fprintf(stderr, CLU_PROGRAM ": invalid environment: %s\n", err);
        return 0;
    }
    if (args->device != NULL)
        snprintf(cfg->devices, sizeof(cfg->devices), "%s", args->device);
    if (args->ready_timeout_ms >= 0)
        cfg->ready_timeout_ms = args->ready_timeout_ms;
    if (opts->validation_dir == NULL)
        opts->validation_dir = env_dir != NULL && env_dir[0] != '\0'
                                   ? env_dir : IBM4767_VALIDATION_DIR;

    if (cfg->log_level > IBM4767_LOG_OFF
            && !ibm4767_log_open(CLU_PROGRAM, cfg->log_level, cfg->log_file))
        fprintf(stderr, CLU_PROGRAM ": cannot open log file '%s'; logging "
                "to stderr instead\n", cfg->log_file);
    return 1;
}

static const struct clu_command *find_command(const char *name)
{
    for (size_t i = 0; i < COMMAND_COUNT; i++) {
        if (strcmp(name, commands[i].name) == 0
            || (commands[i].alias != NULL
                && strcmp(name, commands[i].alias) == 0))
            return &commands[i];
    }
    return NULL;
}

/* Check the operand count and the command's options.  Returns -1 to go
 * on, or 2 after a usage error. */
static int check_command(const struct clu_command *cmd,
                         const struct cli_args *args, int operands)
{
    static const struct {
        unsigned bit;
        const char *name;
    } names[] = {
        { CLU_OPT_COUNTERS, "--counters" },
        { CLU_OPT_TYPE, "--type" },
        { CLU_OPT_PART, "--part" },
        { CLU_OPT_VALIDATION_DIR, "--validation-dir" },
    };

    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if ((args->given & names[i].bit) && !(cmd->options & names[i].bit))
            return clu_usage_error("option %s does not apply to '%s'",
                                   names[i].name, cmd->name);
    }
    if (operands < cmd->operands_min)
        return clu_usage_error("'%s' needs %s argument", cmd->name,
                               cmd->operands_min == 1 ? "an" : "more");
    if (operands > cmd->operands_max)
        return clu_usage_error("unexpected argument for '%s'", cmd->name);
    return -1;
}

int main(int argc, char **argv)
{
    struct clu_options opts;
    struct cli_args args = { NULL, -1, 0 };
    const struct clu_command *cmd;
    int ret;

    memset(&opts, 0, sizeof(opts));
    opts.started = time(NULL);
    record_invocation(&opts, argc, argv);

    ret = parse_options(&opts, &args, argc, argv);
    if (ret >= 0)
        return ret;
    if (optind >= argc)
        return clu_usage_error("missing command: try 'status'");

    cmd = find_command(argv[optind]);
    if (cmd == NULL)
        return clu_usage_error("unknown command '%s': try 'status'",
                               argv[optind]);
    opts.operands = argv + optind + 1;
    opts.operand_count = argc - optind - 1;
    ret = check_command(cmd, &args, opts.operand_count);
    if (ret >= 0)
        return ret;

    if (!configure(&opts, &args))
        return CLU_EXIT_USAGE;

    ret = cmd->run(&opts);
    ibm4767_log_close();
    return ret;
}
