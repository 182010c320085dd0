/*
 * ibm4767-bench: the command line, the order of the measurements and the
 * Markdown report.  doc/ibm4767-bench.1 describes the options and the
 * columns.
 */
#include <config.h>

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/provider.h>

#include "bench.h"

#define DEFAULT_SECONDS 0.25
#define MAX_THREADS     1024u
#define MAX_REPEAT      99u

static const unsigned default_levels[] = { 1, 2, 4, 16, 64 };

struct options {
    const struct bench_op *ops[64];
    size_t op_count;
    unsigned levels[BENCH_MAX_LEVELS];
    size_t level_count;
    double seconds;
    unsigned repeat;              /* measurements per side and level */
    const char *output;
    const char *provider_path;
    int profile;
    int measure[BENCH_SIDES];     /* sides to measure */
};

enum option_id {
    OPT_OPS = 0x100,
    OPT_THREADS,
    OPT_DURATION,
    OPT_REPEAT,
    OPT_OUTPUT,
    OPT_PROFILE,
    OPT_PROVIDER_PATH,
    OPT_SIDE,
    OPT_LIST,
    OPT_HELP,
};

static const struct option long_options[] = {
    { "ops", required_argument, NULL, OPT_OPS },
    { "threads", required_argument, NULL, OPT_THREADS },
    { "duration", required_argument, NULL, OPT_DURATION },
    { "repeat", required_argument, NULL, OPT_REPEAT },
    { "output", required_argument, NULL, OPT_OUTPUT },
    { "profile", no_argument, NULL, OPT_PROFILE },
    { "provider-path", required_argument, NULL, OPT_PROVIDER_PATH },
    { "side", required_argument, NULL, OPT_SIDE },
    { "list", no_argument, NULL, OPT_LIST },
    { "help", no_argument, NULL, OPT_HELP },
    { NULL, 0, NULL, 0 },
};

static void print_help(void)
{
    printf("Usage: " BENCH_PROGRAM " [OPTION]...\n"
           "Measure operations with keys in the IBM 4767 coprocessor (the "
           "ibm4767\n"
           "provider) against the same kind of key in OpenSSL's default "
           "provider,\n"
           "and write a Markdown table.  The devices come from "
           "IBM4767_DEVICES.\n\n"
           "  --ops LIST           comma-separated operations (default: "
           "all; see --list)\n"
           "  --threads LIST       comma-separated thread counts, 1 to %u "
           "(default\n"
           "                       1,2,4,16,64); for tls-async, handshakes "
           "in flight\n"
           "  --duration SECONDS   length of each measurement (default "
           "%.2f)\n"
           "  --repeat N           measure each side N times, alternating, "
           "and report\n"
           "                       the median run (default 1, at most %u)\n"
           "  --output FILE        write the table to FILE (default: "
           "standard output)\n"
           "  --profile            add the rate the device's timing profile "
           "predicts\n"
           "                       (run ibm4767-emud with --profile 4767)\n"
           "  --provider-path DIR  load the ibm4767 module from DIR "
           "(default:\n"
           "                       OPENSSL_MODULES or OpenSSL's module "
           "directory)\n"
           "  --side SIDE          measure only 'device' or 'default', or "
           "'both'\n"
           "                       (default both)\n"
           "  --list               list the operations and exit\n"
           "  --help               show this help and exit\n\n"
           "Exit status: 0 when every measurement ran, 1 when one failed, "
           "2 on a usage\nerror.\n", MAX_THREADS, DEFAULT_SECONDS,
           MAX_REPEAT);
}

static int usage_error(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

static int usage_error(const char *fmt, ...)
{
    va_list ap;

    fprintf(stderr, BENCH_PROGRAM ": ");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nTry '" BENCH_PROGRAM " --help' for the options.\n");
    return BENCH_EXIT_USAGE;
}

static void list_ops(void)
{
    for (size_t i = 0; i < bench_op_count; i++)
        printf("%-19s %s\n", bench_ops[i].name, bench_ops[i].description);
}

static int parse_ops(struct options *opts, const char *arg)
{
    char *copy = OPENSSL_strdup(arg), *save = NULL, *name;
    int ret = 0;

    if (copy == NULL)
        return usage_error("out of memory reading --ops");
    opts->op_count = 0;
    for (name = strtok_r(copy, ",", &save); name != NULL;
         name = strtok_r(NULL, ",", &save)) {
        const struct bench_op *op = bench_op_find(name);

        if (op == NULL) {
            ret = usage_error("--ops: unknown operation '%s'; --list shows "
                              "the operations", name);
            goto err;
        }
        if (opts->op_count == sizeof(opts->ops) / sizeof(opts->ops[0])) {
            ret = usage_error("--ops: more than %zu operations",
                              sizeof(opts->ops) / sizeof(opts->ops[0]));
            goto err;
        }
        opts->ops[opts->op_count++] = op;
    }
    if (opts->op_count == 0)
        ret = usage_error("--ops needs at least one operation");

err:
    OPENSSL_free(copy);
    return ret;
}

static int parse_levels(struct options *opts, const char *arg)
{
    const char *p = arg;

    opts->level_count = 0;
    while (*p != '\0') {
        char *end;
        unsigned long n;

        errno = 0;
        n = strtoul(p, &end, 10);
        if (end == p || errno != 0 || n < 1 || n > MAX_THREADS ||
            (*end != ',' && *end != '\0'))
            return usage_error("--threads: '%s' is not a list of numbers "
                               "from 1 to %u", arg, MAX_THREADS);
        if (opts->level_count == BENCH_MAX_LEVELS)
            return usage_error("--threads: more than %d counts",
                               BENCH_MAX_LEVELS);
        opts->levels[opts->level_count++] = (unsigned)n;
        p = *end == ',' ? end + 1 : end;
    }
    if (opts->level_count == 0)
        return usage_error("--threads needs at least one count");
    return 0;
}

static int parse_side(struct options *opts, const char *arg)
{
    int use_device = strcmp(arg, "device") == 0;
    int use_default = strcmp(arg, "default") == 0;

    if (strcmp(arg, "both") == 0)
        use_device = use_default = 1;
    if (!use_device && !use_default)
        return usage_error("--side: '%s' is not device, default or both",
                           arg);
    opts->measure[BENCH_DEVICE] = use_device;
    opts->measure[BENCH_DEFAULT] = use_default;
    return 0;
}

static int parse_repeat(struct options *opts, const char *arg)
{
    char *end;
    unsigned long n;

    errno = 0;
    n = strtoul(arg, &end, 10);
    if (end == arg || *end != '\0' || errno != 0 || n < 1 || n > MAX_REPEAT)
        return usage_error("--repeat: '%s' is not a number from 1 to %u",
                           arg, MAX_REPEAT);
    opts->repeat = (unsigned)n;
    return 0;
}

static int parse_seconds(struct options *opts, const char *arg)
{
    char *end;

    errno = 0;
    opts->seconds = strtod(arg, &end);
    if (end == arg || *end != '\0' || errno != 0 || opts->seconds < 0.01 ||
        opts->seconds > 3600)
        return usage_error("--duration: '%s' is not a number of seconds "
                           "from 0.01 to 3600", arg);
    return 0;
}

/* Returns -1 to run, or an exit status. */
static int parse_args(int argc, char **argv, struct options *opts)
{
    int opt, status = 0;

    memset(opts, 0, sizeof(*opts));
    for (size_t i = 0; i < bench_op_count; i++)
        opts->ops[opts->op_count++] = &bench_ops[i];
    for (size_t i = 0; i < sizeof(default_levels) / sizeof(*default_levels);
         i++)
        opts->levels[opts->level_count++] = default_levels[i];
    opts->seconds = DEFAULT_SECONDS;
    opts->repeat = 1;
    opts->measure[BENCH_DEVICE] = opts->measure[BENCH_DEFAULT] = 1;

    while ((opt = getopt_long(argc, argv, "", long_options, NULL)) != -1) {
        switch (opt) {
        case OPT_OPS:
            status = parse_ops(opts, optarg);
            break;
        case OPT_THREADS:
            status = parse_levels(opts, optarg);
            break;
        case OPT_DURATION:
            status = parse_seconds(opts, optarg);
            break;
        case OPT_REPEAT:
            status = parse_repeat(opts, optarg);
            break;
        case OPT_OUTPUT:
            opts->output = optarg;
            break;
        case OPT_PROFILE:
            opts->profile = 1;
            break;
        case OPT_PROVIDER_PATH:
            opts->provider_path = optarg;
            break;
        case OPT_SIDE:
            status = parse_side(opts, optarg);
            break;
        case OPT_LIST:
            list_ops();
            return BENCH_EXIT_OK;
        case OPT_HELP:
            print_help();
            return BENCH_EXIT_OK;
        default:
            fprintf(stderr, "Try '" BENCH_PROGRAM " --help' for the "
                    "options.\n");
            return BENCH_EXIT_USAGE;
        }
        if (status != 0)
            return status;
    }
    if (optind < argc)
        return usage_error("unexpected argument '%s'", argv[optind]);
    return -1;
}

/* ---------------------------------------------------------------------- */
/* Report                                                                  */

static void cpu_model(char *out, size_t len)
{
    FILE *f = fopen("/proc/cpuinfo", "r");
    char line[512];

    snprintf(out, len, "unknown CPU");
    if (f == NULL)
        return;
    while (fgets(line, sizeof(line), f) != NULL) {
        char *colon = strchr(line, ':');

        if (strncmp(line, "model name", 10) == 0 && colon != NULL) {
            colon += 2;
            colon[strcspn(colon, "\n")] = '\0';
            snprintf(out, len, "%s", colon);
            break;
        }
    }
    fclose(f);
}

static void print_header(FILE *out, const struct options *opts,
                         const struct bench_model *model)
{
    char when[64] = "", cpu[256];
    struct utsname uts;
    time_t now = time(NULL);
    struct tm tm;
    const char *devices = getenv("IBM4767_DEVICES");

    if (gmtime_r(&now, &tm) != NULL)
        strftime(when, sizeof(when), "%Y-%m-%d %H:%M UTC", &tm);
    cpu_model(cpu, sizeof(cpu));
    if (uname(&uts) != 0)
        snprintf(uts.release, sizeof(uts.release), "unknown");

    fprintf(out, "# " BENCH_PROGRAM " results\n\n");
    fprintf(out, "- Date: %s\n", when);
    fprintf(out, "- Host: %ld online CPUs, %s, Linux %s\n",
            sysconf(_SC_NPROCESSORS_ONLN), cpu, uts.release);
    fprintf(out, "- OpenSSL: %s\n", OpenSSL_version(OPENSSL_VERSION));
    fprintf(out, "- Devices: %s\n", devices != NULL ? devices
                                                     : "(default socket)");
    if (opts->profile)
        fprintf(out, "- Timing profile: %s\n",
                bench_model_profile(model)[0] != '\0'
                    ? bench_model_profile(model)
                    : "off (the device reports none)");
    fprintf(out, "- Each measurement: %.2f s, %u per side and thread "
            "count (alternating sides; the table shows the median run); "
            "latencies are per operation\n\n", opts->seconds, opts->repeat);

    fprintf(out, "| operation | threads | device ops/s | device p50 ms | "
            "device p99 ms | default ops/s | default p50 ms | "
            "default p99 ms | device/default | host CPU us/op device | "
            "host CPU us/op default |");
    if (opts->profile)
        fprintf(out, " modelled ops/s | of model |");
    fprintf(out, "\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    if (opts->profile)
        fprintf(out, "---:|---:|");
    fprintf(out, "\n");
}

static void print_cell(FILE *out, const struct bench_result *r,
                       int decimals, double value)
{
    if (r->skipped)
        fprintf(out, " - |");
    else if (r->failed)
        fprintf(out, " failed |");
    else
        fprintf(out, " %.*f |", decimals, value);
}

static void print_row(FILE *out, const struct options *opts,
                      const struct bench_op *op, unsigned level,
                      const struct bench_result r[BENCH_SIDES],
                      const struct bench_model *model)
{
    double modelled;

    fprintf(out, "| %s | %u |", op->name, level);
    for (int s = 0; s < BENCH_SIDES; s++) {
        print_cell(out, &r[s], 0, r[s].ops_per_second);
        print_cell(out, &r[s], 3, r[s].p50_ms);
        print_cell(out, &r[s], 3, r[s].p99_ms);
    }
    if (r[BENCH_DEVICE].failed || r[BENCH_DEFAULT].failed ||
        r[BENCH_DEVICE].skipped || r[BENCH_DEFAULT].skipped ||
        r[BENCH_DEFAULT].ops_per_second <= 0)
        fprintf(out, " - |");
    else
        fprintf(out, " %.2f |", r[BENCH_DEVICE].ops_per_second /
                                     r[BENCH_DEFAULT].ops_per_second);
    for (int s = 0; s < BENCH_SIDES; s++) {
        if (r[s].cpu_us_per_op > 0)
            print_cell(out, &r[s], 1, r[s].cpu_us_per_op);
        else
            fprintf(out, " - |");
    }
    if (opts->profile) {
        modelled = bench_model_rate(model, op, level);
        if (modelled <= 0 || r[BENCH_DEVICE].failed ||
            r[BENCH_DEVICE].skipped)
            fprintf(out, " - | - |");
        else
            fprintf(out, " %.0f | %.2f |", modelled,
                    r[BENCH_DEVICE].ops_per_second / modelled);
    }
    fprintf(out, "\n");
    fflush(out);
}

static void print_legend(FILE *out, const struct options *opts,
                         const struct bench_model *model)
{
    fprintf(out, "\nOperations:\n\n");
    for (size_t i = 0; i < opts->op_count; i++)
        fprintf(out, "- %s: %s\n", opts->ops[i]->name,
                opts->ops[i]->description);
    for (size_t i = 0; i < opts->op_count; i++) {
        if (opts->ops[i]->kind == BENCH_TLS_ASYNC) {
            fprintf(out, "\nFor tls-async the threads column is the number "
                    "of handshakes in flight on one thread.\n");
            break;
        }
    }
    fprintf(out, "\nHost CPU us/op: CPU time of this program (every thread, "
            "user and system)\nper operation.  On the default side that is "
            "all the work; on the device\nside it leaves out the device, "
            "which on a real card does not run on the host.\n");
    if (!opts->profile)
        return;
    fprintf(out, "Modelled ops/s: min(threads / (latency + service), units "
            "/ service) from the\ndevices' timing profile; 'of model' is "
            "device ops/s divided by it.\nModelled capacity (ops/s):");
    for (size_t i = 0; i < opts->op_count; i++)
        fprintf(out, "%s %s %.0f", i == 0 ? "" : ",", opts->ops[i]->name,
                bench_model_capacity(model, opts->ops[i]));
    fprintf(out, ".\n");
}

/* ---------------------------------------------------------------------- */
/* Running                                                                 */

/* The loaded providers.  They are unloaded at exit, so a leak checker
 * finds everything freed. */
static OSSL_PROVIDER *providers[2];

static void unload_providers(void)
{
    for (int i = 1; i >= 0; i--) {
        OSSL_PROVIDER_unload(providers[i]);
        providers[i] = NULL;
    }
}

static int load_providers(const struct options *opts)
{
    if (opts->provider_path != NULL &&
        !OSSL_PROVIDER_set_default_search_path(NULL, opts->provider_path)) {
        bench_print_errors("cannot set the provider search path");
        return 0;
    }
    if ((providers[0] = OSSL_PROVIDER_load(NULL, "default")) == NULL) {
        bench_print_errors("cannot load the default provider");
        return 0;
    }
    if ((providers[1] = OSSL_PROVIDER_load(NULL, "ibm4767")) == NULL) {
        bench_print_errors("cannot load the ibm4767 provider: pass "
                           "--provider-path or set OPENSSL_MODULES to the "
                           "directory of ibm4767.so");
        return 0;
    }
    return 1;
}

static int compare_rate(const void *a, const void *b)
{
    double x = ((const struct bench_result *)a)->ops_per_second;
    double y = ((const struct bench_result *)b)->ops_per_second;

    return (x > y) - (x < y);
}

/*
 * Measure op at one level: each side opts->repeat times, the sides taking
 * turns so that a change in the host's load hits both, then keep each
 * side's median run (by ops/s) in r.  A side fails when any run fails.
 */
static int measure_level(const struct options *opts, const struct bench_op *op,
                         struct bench_keys *keys, const int ready[BENCH_SIDES],
                         unsigned level, struct bench_result r[BENCH_SIDES])
{
    struct bench_result runs[BENCH_SIDES][MAX_REPEAT];
    int ok = 1;

    for (int s = 0; s < BENCH_SIDES; s++) {
        memset(&r[s], 0, sizeof(r[s]));
        r[s].skipped = !opts->measure[s]
                       || (op->kind == BENCH_LABEL_READ && s == BENCH_DEFAULT);
        r[s].failed = !r[s].skipped && !ready[s];
        ok &= !r[s].failed;
    }
    for (unsigned k = 0; k < opts->repeat; k++) {
        for (int s = 0; s < BENCH_SIDES; s++) {
            if (r[s].skipped || r[s].failed)
                continue;
            if (!bench_measure(op, (enum bench_side)s, keys, level,
                               opts->seconds, &runs[s][k])) {
                r[s].failed = 1;
                ok = 0;
            }
        }
    }
    for (int s = 0; s < BENCH_SIDES; s++) {
        if (r[s].skipped || r[s].failed)
            continue;
        qsort(runs[s], opts->repeat, sizeof(runs[s][0]), compare_rate);
        r[s] = runs[s][opts->repeat / 2];
    }
    return ok;
}

/* Measure one operation at every level on both sides; 0 when one
 * failed. */
static int run_op(FILE *out, const struct options *opts,
                  const struct bench_op *op, struct bench_keys *keys,
                  struct bench_model *model)
{
    struct bench_result r[BENCH_SIDES];
    int ready[BENCH_SIDES];
    int ok = 1;

    for (int s = 0; s < BENCH_SIDES; s++)
        ready[s] = opts->measure[s]
                   && !(op->kind == BENCH_LABEL_READ && s == BENCH_DEFAULT)
                   && bench_keys_prepare(keys, op, (enum bench_side)s);
    if (opts->profile && ready[BENCH_DEVICE] &&
        !bench_model_calibrate(model, op, keys))
        ok = 0;

    for (size_t i = 0; i < opts->level_count; i++) {
        ok &= measure_level(opts, op, keys, ready, opts->levels[i], r);
        fprintf(stderr, BENCH_PROGRAM ": %s x%u:", op->name,
                opts->levels[i]);
        for (int s = 0; s < BENCH_SIDES; s++) {
            if (!r[s].skipped)
                fprintf(stderr, " %s %.0f/s", s == BENCH_DEVICE ? "device"
                                                                : "default",
                        r[s].ops_per_second);
        }
        fprintf(stderr, "\n");
        print_row(out, opts, op, opts->levels[i], r, model);
    }
    return ok;
}

int main(int argc, char **argv)
{
    struct options opts;
    struct bench_keys keys;
    struct bench_model *model = NULL;
    FILE *out = stdout;
    int status, ok = 1;

    status = parse_args(argc, argv, &opts);
    if (status >= 0)
        return status;

    memset(&keys, 0, sizeof(keys));
    if (!load_providers(&opts)) {
        unload_providers();
        return BENCH_EXIT_FAILED;
    }
    if (opts.profile && (model = bench_model_load()) == NULL) {
        unload_providers();
        return BENCH_EXIT_FAILED;
    }
    if (opts.output != NULL && (out = fopen(opts.output, "w")) == NULL) {
        fprintf(stderr, BENCH_PROGRAM ": cannot open %s for writing: %s\n",
                opts.output, strerror(errno));
        bench_model_free(model);
        unload_providers();
        return BENCH_EXIT_FAILED;
    }

    print_header(out, &opts, model);
    for (size_t i = 0; i < opts.op_count; i++)
        ok &= run_op(out, &opts, opts.ops[i], &keys, model);
    print_legend(out, &opts, model);

    if (out != stdout && fclose(out) != 0) {
        fprintf(stderr, BENCH_PROGRAM ": writing %s failed: %s\n", opts.output,
                strerror(errno));
        ok = 0;
    }
    bench_keys_free(&keys);
    bench_model_free(model);
    unload_providers();
    return ok ? BENCH_EXIT_OK : BENCH_EXIT_FAILED;
}
