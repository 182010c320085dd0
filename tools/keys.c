/*
 * ibm4767-keys command line: global options, the subcommand table, shared
 * helpers and the delete subcommand.  Exit codes: 0 success, 1 failed
 * operation, 2 usage error.
 */
#include <config.h>

#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ibm4767/log.h>

#include "keys.h"

static void print_usage(FILE *out);

static const struct keys_command commands[] = {
    { "generate", "--label NAME --type rsa|ec|aes [--bits N | --curve NAME]\n"
      "                [--usage sign|keymgmt|derive|both] [--retain] "
      "[--out FILE]", keys_generate },
    { "import", "--label NAME --in FILE [--usage ...] [--out FILE]",
      keys_import },
    { "list", "[PATTERN]", keys_list },
    { "show", "LABEL", keys_show },
    { "export-token", "LABEL --out FILE", keys_export_token },
    { "export-ref", "LABEL --out FILE", keys_export_ref },
    { "delete", "LABEL [--record-only]", keys_delete },
    { "reencipher", "[PATTERN] [--file FILE]...", keys_reencipher },
};

#define COMMAND_COUNT (sizeof(commands) / sizeof(commands[0]))

static void print_usage(FILE *out)
{
    fprintf(out,
        "Usage: " KEYS_PROGRAM " [OPTIONS] COMMAND [ARGUMENTS]\n"
        "\n"
        "Manage keys of an IBM 4767 coprocessor (the ibm4767-emud emulator)\n"
        "in key storage, where the provider finds them by label\n"
        "(ibm4767:label=NAME, or a CCA KEY LABEL PEM file).\n"
        "\n"
        "Commands:\n");
    for (size_t i = 0; i < COMMAND_COUNT; i++)
        fprintf(out, "  %-13s %s\n", commands[i].name, commands[i].synopsis);
    fprintf(out,
        "Run '" KEYS_PROGRAM " COMMAND --help' for a command's options.\n"
        "\n"
        "Options (before or after the command):\n"
        "  --device PATH       socket of the coprocessor (default: the first\n"
        "                      entry of IBM4767_DEVICES, else %s);\n"
        "                      with transport cca an adapter name (CRP01)\n"
        "  --key-storage PATH  key storage database (default:\n"
        "                      IBM4767_KEY_STORAGE, else %s);\n"
        "                      transport socket only\n"
        "  -h, --help          print this help and exit\n"
        "  --version           print the version and exit\n"
        "\n"
        "A label is 1 to 7 parts separated by dots, each 1 to 8 characters\n"
        "from A-Z, 0-9, #, $ and @, not starting with a digit (lower case is\n"
        "folded to upper case).\n"
        "With IBM4767_TRANSPORT=cca the keys are made through the CCA host\n"
        "library (IBM4767_CCA_LIBRARY) and kept in its key storage, where\n"
        "other CCA applications see them.\n"
        "Environment: IBM4767_DEVICES, IBM4767_READY_TIMEOUT, IBM4767_DEBUG\n"
        "(level[,file:PATH]), IBM4767_KEY_STORAGE, CSUCACHE,\n"
        "IBM4767_TRANSPORT, IBM4767_CCA_LIBRARY.\n"
        "Exit status: 0 success, 1 failed operation, 2 usage error.\n",
        CCA_DEFAULT_SOCKET, CCA_KEYSTORE_DEFAULT_PATH);
}

int keys_usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;

    fprintf(stderr, KEYS_PROGRAM "%s%s: ", cmd != NULL ? " " : "",
            cmd != NULL ? cmd : "");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nRun '" KEYS_PROGRAM "%s%s --help' for the options.\n",
            cmd != NULL ? " " : "", cmd != NULL ? cmd : "");
    return KEYS_EXIT_USAGE;
}

int keys_fail(const char *cmd, const char *fmt, ...)
{
    va_list ap;

    fprintf(stderr, KEYS_PROGRAM " %s: ", cmd);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return KEYS_EXIT_FAILED;
}

int keys_fail_result(const char *cmd, const char *what,
                     const struct cca_result *res)
{
    char text[1024];

    return keys_fail(cmd, "%s: %s", what,
                     cca_result_text(res, text, sizeof(text)));
}

/* --key-storage names a database, which transport cca does not use.
 * Returns -1 to go on, or 2 after the usage error. */
static int check_key_storage_option(const struct keys_options *opts,
                                    const char *cmd)
{
    if (opts->key_storage == NULL
        || opts->config.transport != CCA_TRANSPORT_CCA)
        return -1;
    return keys_usage_error(cmd, "--key-storage '%s' applies to transport "
                            "socket: with transport cca the CCA library "
                            "keeps the key records (libcsulcca-emu.so in the "
                            "database IBM4767_KEY_STORAGE names); leave out "
                            "--key-storage", opts->key_storage);
}

int keys_common_option(struct keys_options *opts, const char *cmd, int code,
                       char **argv, void (*help)(void))
{
    switch (code) {
    case KEYS_OPT_DEVICE:
        if (optarg[0] == '\0' || strchr(optarg, ',') != NULL)
            return keys_usage_error(cmd, "invalid --device '%s': expected "
                                    "one socket path, without commas",
                                    optarg);
        opts->device = optarg;
        return -1;
    case KEYS_OPT_KEY_STORAGE:
        if (optarg[0] == '\0')
            return keys_usage_error(cmd, "invalid --key-storage '': "
                                    "expected a file path");
        opts->key_storage = optarg;
        return check_key_storage_option(opts, cmd);
    case KEYS_OPT_HELP:
    case 'h':
        help();
        exit(KEYS_EXIT_OK);
    case ':':
        return keys_usage_error(cmd, "option '%s' requires a value",
                                argv[optind - 1]);
    default:
        return keys_usage_error(cmd, "unknown option '%s'",
                                argv[optind - 1]);
    }
}

int keys_parse_label(const char *cmd, const char *text,
                     char out[CCA_LABEL_TEXT_MAX + 1])
{
    char detail[512];

    if (!cca_label_parse(text, out, detail, sizeof(detail))) {
        keys_usage_error(cmd, "%u/%u: %s", CCA_RC_ERROR,
                         CCA_RS_LABEL_INVALID, detail);
        return 0;
    }
    return 1;
}

int keys_label_operand(const char *cmd, int argc, char **argv,
                       char out[CCA_LABEL_TEXT_MAX + 1])
{
    if (optind >= argc)
        return keys_usage_error(cmd, "missing LABEL");
    if (optind + 1 < argc)
        return keys_usage_error(cmd, "unexpected argument '%s'",
                                argv[optind + 1]);
    if (!keys_parse_label(cmd, argv[optind], out))
        return KEYS_EXIT_USAGE;
    return -1;
}

/* The key storage handle that keys_open_storage() attached to a CCA
 * library, and its description.  The tool has one handle open at a
 * time. */
static struct {
    const struct cca_keystore *ks;
    char name[1100];
} cca_storage;

/* Transport cca: key storage through the key record verbs of the CCA
 * library of opts->storage_backend. */
static struct cca_keystore *open_cca_storage(struct keys_options *opts,
                                             const char *cmd)
{
    struct cca_keystore *ks;

    if (opts->storage_backend == NULL) {
        opts->storage_backend = keys_open_backend(opts, cmd);
        if (opts->storage_backend == NULL)
            return NULL;
    }
    /* The database path is never opened: the verbs go to the library. */
    ks = cca_keystore_new(cca_keystore_choose_path(NULL), 0);
    if (ks == NULL) {
        keys_fail(cmd, "out of memory for the key storage handle");
        return NULL;
    }
    cca_keystore_use_backend(ks, opts->storage_backend);
    cca_storage.ks = ks;
    snprintf(cca_storage.name, sizeof(cca_storage.name),
             "CCA key storage (CCA library %s)", opts->config.cca_library);
    return ks;
}

struct cca_keystore *keys_open_storage(struct keys_options *opts,
                                       const char *cmd, unsigned flags)
{
    const char *path;
    struct cca_keystore *ks;

    if (opts->config.transport == CCA_TRANSPORT_CCA)
        return open_cca_storage(opts, cmd);

    path = opts->key_storage != NULL ? opts->key_storage
                                     : cca_keystore_choose_path(NULL);
    ks = cca_keystore_new(path, flags);
    if (ks == NULL)
        keys_fail(cmd, "cannot use key storage '%s': the path is too long "
                  "or memory ran out", path);
    return ks;
}

const char *keys_storage_name(const struct cca_keystore *ks)
{
    if (ks != NULL && ks == cca_storage.ks)
        return cca_storage.name;
    return cca_keystore_path(ks);
}

struct cca_backend *keys_open_backend(struct keys_options *opts,
                                      const char *cmd)
{
    struct cca_backend *be;
    char err[768];

    if (opts->device != NULL)
        snprintf(opts->config.devices, sizeof(opts->config.devices), "%s",
                 opts->device);
    be = cca_backend_open(&opts->config, err, sizeof(err));
    if (be == NULL)
        keys_fail(cmd, "cannot set up the device connection for '%s': %s",
                  opts->config.devices, err);
    return be;
}

int keys_check_label_free(struct cca_keystore *ks, const char *cmd,
                          const char *label)
{
    struct cca_key_record rec;
    struct cca_result res;

    if (cca_key_record_read(ks, label, &rec, &res)) {
        cca_key_record_clear(&rec);
        return keys_fail(cmd, "%u/%u: key record %s already exists in %s; "
                         "delete it with '" KEYS_PROGRAM " delete %s' or "
                         "choose another label", CCA_RC_ERROR,
                         CCA_RS_LABEL_EXISTS, label, keys_storage_name(ks),
                         label);
    }
    if (res.reason != CCA_RS_NO_SUCH_LABEL)
        return keys_fail_result(cmd, "reading key storage", &res);
    return -1;
}

int keys_store_token(struct cca_keystore *ks, const char *cmd,
                     const char *label, uint32_t type, const uint8_t *token,
                     size_t token_len)
{
    struct cca_result res;

    if (!cca_key_record_create(ks, label, type, token, token_len, &res))
        return keys_fail_result(cmd, "storing the key", &res);
    printf("stored %s key %s in %s\n", cca_key_type_name(type), label,
           keys_storage_name(ks));
    return KEYS_EXIT_OK;
}

/* ---- delete ---- */

static void delete_help(void)
{
    printf("Usage: " KEYS_PROGRAM " delete LABEL [--record-only]\n"
           "\n"
           "Remove the key record LABEL from key storage.  Programs that\n"
           "loaded the key keep it until they reload; the token itself is\n"
           "gone unless a token PEM of it was exported.\n"
           "A retained key is deleted in the device that keeps it first;\n"
           "when that device cannot be reached, the record stays.\n"
           "\n"
           "  --record-only   remove only the record, and leave a retained\n"
           "                  key in its device (for a device gone for\n"
           "                  good)\n");
}

int keys_delete(struct keys_options *opts, int argc, char **argv)
{
    enum { OPT_RECORD_ONLY = 1 };
    static const struct option long_options[] = {
        { "record-only", no_argument, NULL, OPT_RECORD_ONLY },
        KEYS_COMMON_LONG_OPTIONS,
        { NULL, 0, NULL, 0 },
    };
    char label[CCA_LABEL_TEXT_MAX + 1];
    struct cca_keystore *ks;
    struct cca_result res;
    int record_only = 0;
    int c, ret;

    while ((c = getopt_long(argc, argv, ":h", long_options, NULL)) != -1) {
        if (c == OPT_RECORD_ONLY) {
            record_only = 1;
            continue;
        }
        ret = keys_common_option(opts, "delete", c, argv, delete_help);
        if (ret >= 0)
            return ret;
    }
    ret = keys_label_operand("delete", argc, argv, label);
    if (ret >= 0)
        return ret;

    ks = keys_open_storage(opts, "delete", 0);
    if (ks == NULL)
        return KEYS_EXIT_FAILED;
    ret = record_only ? -1 : keys_delete_retained(opts, ks, label);
    if (ret >= 0) {
        cca_keystore_free(ks);
        return ret;
    }
    if (cca_key_record_delete(ks, CCA_KRD_LABEL_DL, label, &res)) {
        printf("deleted %s from %s\n", label, keys_storage_name(ks));
        ret = KEYS_EXIT_OK;
    } else {
        ret = keys_fail_result("delete", "deleting the key record", &res);
    }
    cca_keystore_free(ks);
    return ret;
}

/* ---- main ---- */

static int parse_global_options(struct keys_options *opts, int argc,
                                char **argv)
{
    static const struct option long_options[] = {
        KEYS_COMMON_LONG_OPTIONS,
        { "version", no_argument, NULL, 'V' },
        { NULL, 0, NULL, 0 },
    };
    int c, ret;

    /* '+' stops at the command; its own options follow it. */
    while ((c = getopt_long(argc, argv, "+:h", long_options, NULL)) != -1) {
        if (c == 'V') {
            printf(KEYS_PROGRAM " " PACKAGE_VERSION "\n");
            return KEYS_EXIT_OK;
        }
        if (c == 'h' || c == KEYS_OPT_HELP) {
            print_usage(stdout);
            return KEYS_EXIT_OK;
        }
        ret = keys_common_option(opts, NULL, c, argv, NULL);
        if (ret >= 0)
            return ret;
    }
    return -1;
}

/* Apply the defaults, then IBM4767_* from the environment, and open the
 * log that IBM4767_DEBUG requests.  Returns 1, or 0 after printing why. */
static int configure(struct keys_options *opts)
{
    char err[256] = "";

    cca_config_defaults(&opts->config);
    if (!cca_config_apply_env(&opts->config, err, sizeof(err))) {
        fprintf(stderr, KEYS_PROGRAM ": invalid environment: %s\n", err);
        return 0;
    }
    if (opts->config.log_level > IBM4767_LOG_OFF &&
        !ibm4767_log_open(KEYS_PROGRAM, opts->config.log_level,
                          opts->config.log_file))
        fprintf(stderr, KEYS_PROGRAM ": cannot open log file '%s'; "
                "logging to stderr instead\n", opts->config.log_file);
    return 1;
}

int main(int argc, char **argv)
{
    struct keys_options opts;
    const char *name;
    int ret;

    memset(&opts, 0, sizeof(opts));
    opterr = 0;
    ret = parse_global_options(&opts, argc, argv);
    if (ret >= 0)
        return ret;
    if (optind >= argc)
        return keys_usage_error(NULL, "missing command: try 'list' or "
                                "'generate'");
    if (!configure(&opts))
        return KEYS_EXIT_USAGE;
    ret = check_key_storage_option(&opts, NULL);
    if (ret >= 0)
        return ret;

    name = argv[optind];
    for (size_t i = 0; i < COMMAND_COUNT; i++) {
        if (strcmp(name, commands[i].name) != 0)
            continue;
        /* The command parses argv from its own name on; optind 0 makes
         * glibc's getopt start over. */
        argc -= optind;
        argv += optind;
        optind = 0;
        ret = commands[i].run(&opts, argc, argv);
        cca_backend_free(opts.storage_backend);
        ibm4767_log_close();
        return ret;
    }
    return keys_usage_error(NULL, "unknown command '%s'", name);
}
