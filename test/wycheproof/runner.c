/*
 * Command line, provider set-up and the file loop shared by the Wycheproof
 * runners.  Each file is parsed with Jansson, its schema picks the family
 * that runs it, and every test case ends as passed, failed, acceptable or
 * skipped:
 *   valid       the operation must succeed with the vector's output;
 *   invalid     the operation, or the import of its key, must fail;
 *   acceptable  either outcome passes, but a success must give the
 *               vector's output; each one is listed with what happened.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <openssl/err.h>

#include "wycheproof.h"

#define WP_DIR_HELP \
    "configure --with-wycheproof=DIR or the WYCHEPROOF_DIR variable"

/* Skipped groups of one file, counted by reason so that a file with many
 * skipped groups prints one line per reason. */
#define MAX_SKIP_REASONS 8

struct skip_list {
    struct {
        char reason[WP_TEXT_LEN];
        unsigned long groups;
        unsigned long cases;
    } items[MAX_SKIP_REASONS];
    size_t count;
    unsigned long other_groups;  /* groups with reasons past the table */
    unsigned long other_cases;
};

struct wp_case {
    long tc_id;
    const char *comment;
    enum wp_expect expect;
    char flags[256];
};

static const char *expect_name(enum wp_expect e)
{
    switch (e) {
    case WP_EXPECT_VALID:
        return "valid";
    case WP_EXPECT_INVALID:
        return "invalid";
    case WP_EXPECT_ACCEPTABLE:
        return "acceptable";
    }
    return "?";
}

static void usage(FILE *out, const char *program)
{
    fprintf(out,
            "Usage: %s [OPTION]... [FILE]...\n"
            "Run Wycheproof test vectors through an OpenSSL provider.\n"
            "\n"
            "  --provider NAME    provider under test: ibm4767 (default), or\n"
            "                     default to check the runner itself\n"
            "  --module-dir DIR   directory of ibm4767.so (default: the\n"
            "                     OPENSSL_MODULES variable)\n"
            "  --dir DIR          vector directory (default: the\n"
            "                     WYCHEPROOF_DIR variable)\n"
            "  --no-operation-propq\n"
            "                     fetch the operations without a property\n"
            "                     query, as most applications do; keys are\n"
            "                     still imported with provider=NAME\n"
            "  --test-case ID     run only the test case with this tcId\n"
            "  --verbose          print every test case, not only failures\n"
            "                     and acceptable cases\n"
            "  --help             print this help and exit\n"
            "\n"
            "FILE is a vector file name inside the vector directory; without\n"
            "one, every file of this runner's families runs.  ibm4767 reaches\n"
            "the device named by IBM4767_DEVICES.\n"
            "\n"
            "Exit status: 0 when every case passed, 1 when a case failed or a\n"
            "file could not be run, 2 on a usage error, 77 when the vector\n"
            "directory is missing (1 with CI=true in the environment).\n",
            program);
}

static int parse_case(const json_t *test, struct wp_case *c)
{
    const char *result = wp_json_string(test, "result");
    const json_t *flags = json_object_get(test, "flags");
    size_t i, pos = 0;
    const json_t *flag;

    if (!wp_json_long(test, "tcId", &c->tc_id) || result == NULL)
        return 0;
    c->comment = wp_json_string(test, "comment");
    if (c->comment == NULL)
        c->comment = "";
    if (strcmp(result, "valid") == 0)
        c->expect = WP_EXPECT_VALID;
    else if (strcmp(result, "invalid") == 0)
        c->expect = WP_EXPECT_INVALID;
    else if (strcmp(result, "acceptable") == 0)
        c->expect = WP_EXPECT_ACCEPTABLE;
    else
        return 0;

    c->flags[0] = '\0';
    json_array_foreach(flags, i, flag) {
        const char *name = json_string_value(flag);
        int n;

        if (name == NULL || pos >= sizeof(c->flags))
            continue;
        n = snprintf(c->flags + pos, sizeof(c->flags) - pos, "%s%s",
                     pos == 0 ? "" : ",", name);
        if (n > 0)
            pos += (size_t)n;
    }
    return 1;
}

/* Applies the expectation of case c to what the operation did. */
static void record_case(struct wp_file *f, const struct wp_case *c,
                        enum wp_outcome outcome, const char *what)
{
    const char *verdict = NULL;
    int failed = 0;

    switch (outcome) {
    case WP_OUTCOME_SUCCESS:
        failed = c->expect == WP_EXPECT_INVALID;
        verdict = failed ? "succeeded on an invalid case" : "succeeded";
        break;
    case WP_OUTCOME_REJECTED:
        failed = c->expect == WP_EXPECT_VALID;
        verdict = "rejected";
        break;
    case WP_OUTCOME_MISMATCH:
        failed = 1;
        verdict = "succeeded with a wrong output";
        break;
    case WP_OUTCOME_ERROR:
        failed = 1;
        verdict = "runner error";
        break;
    }

    if (failed) {
        f->tally.failed++;
        printf("FAIL %s tcId=%ld (%s) [%s] expected %s: %s%s%s\n", f->name,
               c->tc_id, c->comment, c->flags, expect_name(c->expect), verdict,
               what[0] != '\0' ? ": " : "", what);
    } else if (c->expect == WP_EXPECT_ACCEPTABLE) {
        f->tally.acceptable++;
        printf("ACCEPTABLE %s tcId=%ld (%s) [%s]: %s%s%s\n", f->name, c->tc_id,
               c->comment, c->flags, verdict, what[0] != '\0' ? ": " : "",
               what);
    } else {
        f->tally.passed++;
        if (f->runner->verbose)
            printf("ok %s tcId=%ld %s: %s%s%s\n", f->name, c->tc_id,
                   expect_name(c->expect), verdict,
                   what[0] != '\0' ? ": " : "", what);
    }
}

static void note_skip(struct skip_list *skips, const char *reason,
                      size_t cases)
{
    size_t i;

    for (i = 0; i < skips->count; i++) {
        if (strcmp(skips->items[i].reason, reason) == 0)
            break;
    }
    if (i == skips->count) {
        if (i == MAX_SKIP_REASONS) {
            skips->other_groups++;
            skips->other_cases += cases;
            return;
        }
        snprintf(skips->items[i].reason, sizeof(skips->items[i].reason), "%s",
                 reason);
        skips->count++;
    }
    skips->items[i].groups++;
    skips->items[i].cases += cases;
}

static void print_skips(const char *name, const struct skip_list *skips)
{
    size_t i;

    for (i = 0; i < skips->count; i++)
        printf("SKIP %s: %lu cases in %lu groups: %s\n", name,
               skips->items[i].cases, skips->items[i].groups,
               skips->items[i].reason);
    if (skips->other_groups > 0)
        printf("SKIP %s: %lu cases in %lu groups for other reasons\n", name,
               skips->other_cases, skips->other_groups);
}

static unsigned long run_group(struct wp_file *f, const struct wp_family *fam,
                               const json_t *group, size_t group_index,
                               struct skip_list *skips)
{
    struct wp_group g;
    const json_t *tests = json_object_get(group, "tests");
    const char *type = wp_json_string(group, "type");
    char setup_what[WP_TEXT_LEN] = "";
    enum wp_setup setup = WP_SETUP_ERROR;
    unsigned long seen = 0;
    const json_t *test;
    size_t i;

    memset(&g, 0, sizeof(g));
    g.file = f;
    g.json = group;

    if (!json_is_array(tests)) {
        snprintf(setup_what, sizeof(setup_what),
                 "group %zu has no \"tests\" array", group_index);
    } else if (type == NULL || strcmp(type, fam->group_type) != 0) {
        snprintf(setup_what, sizeof(setup_what),
                 "group %zu has type %s, expected %s", group_index,
                 type != NULL ? type : "(none)", fam->group_type);
    } else {
        ERR_clear_error();
        setup = fam->setup(&g, setup_what, sizeof(setup_what));
    }
    if (setup == WP_SETUP_SKIP)
        note_skip(skips, setup_what, json_array_size(tests));

    json_array_foreach(tests, i, test) {
        struct wp_case c;
        char what[WP_TEXT_LEN] = "";
        enum wp_outcome outcome;

        if (!parse_case(test, &c)) {
            f->tally.failed++;
            printf("FAIL %s group %zu case %zu: no valid tcId or result\n",
                   f->name, group_index, i);
            continue;
        }
        seen++;
        if (f->runner->only_tc_id >= 0 && c.tc_id != f->runner->only_tc_id)
            continue;

        switch (setup) {
        case WP_SETUP_READY:
            ERR_clear_error();
            outcome = fam->run(&g, test, what, sizeof(what));
            break;
        case WP_SETUP_SKIP:
            f->tally.skipped++;
            continue;
        case WP_SETUP_KEY_REJECTED:
            outcome = WP_OUTCOME_REJECTED;
            snprintf(what, sizeof(what), "%s", setup_what);
            break;
        default:
            outcome = WP_OUTCOME_ERROR;
            snprintf(what, sizeof(what), "%s", setup_what);
            break;
        }
        record_case(f, &c, outcome, what);
    }

    EVP_PKEY_free(g.key);
    return seen;
}

/* Counts every case of a file as skipped: without a property query on the
 * operations, a public-key operation may run in any provider. */
static void skip_file(struct wp_file *f, const json_t *root, const char *name)
{
    const json_t *group;
    size_t i;

    json_array_foreach(json_object_get(root, "testGroups"), i, group)
        f->tally.skipped += json_array_size(json_object_get(group, "tests"));
    printf("SKIP %s: %lu cases: without a property query on the operations, "
           "libcrypto may verify in another provider, because public keys "
           "export\n", name, f->tally.skipped);
}

static const struct wp_family *find_family(const struct wp_program *prog,
                                           const char *schema)
{
    size_t i;

    for (i = 0; i < prog->family_count; i++) {
        if (strcmp(prog->families[i]->schema, schema) == 0)
            return prog->families[i];
    }
    return NULL;
}

static double seconds_since(const struct timespec *start)
{
    struct timespec now;

    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - start->tv_sec) +
           (double)(now.tv_nsec - start->tv_nsec) / 1e9;
}

/* Runs one file and adds its counts to total.  Returns 1 when the file
 * could be run (its cases may still have failed). */
static int run_file(const struct wp_program *prog, const struct wp_runner *r,
                    const char *dir, const char *name, struct wp_tally *total)
{
    struct wp_file f;
    struct skip_list skips;
    json_t *root = NULL;
    json_error_t jerr;
    const struct wp_family *fam;
    const json_t *groups, *group;
    const char *schema;
    char path[4096];
    struct timespec start;
    unsigned long seen = 0;
    long declared = -1;
    size_t i;
    int ret = 0;

    memset(&f, 0, sizeof(f));
    memset(&skips, 0, sizeof(skips));
    f.runner = r;
    f.name = name;
    clock_gettime(CLOCK_MONOTONIC, &start);

    if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >=
        sizeof(path)) {
        printf("FAIL %s: path under %s is too long\n", name, dir);
        goto err;
    }
    root = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
    if (root == NULL) {
        printf("FAIL %s: reading the vectors at %s failed (line %d): %s\n", name,
               path, jerr.line, jerr.text);
        goto err;
    }
    schema = wp_json_string(root, "schema");
    fam = schema != NULL ? find_family(prog, schema) : NULL;
    if (fam == NULL) {
        printf("FAIL %s: schema %s is not run by %s\n", name,
               schema != NULL ? schema : "(none)", prog->name);
        goto err;
    }
    groups = json_object_get(root, "testGroups");
    if (!json_is_array(groups)) {
        printf("FAIL %s: no \"testGroups\" array\n", name);
        goto err;
    }
    if (r->op_propq == NULL && !fam->private_key) {
        skip_file(&f, root, name);
        ret = 1;
        goto err;
    }

    json_array_foreach(groups, i, group)
        seen += run_group(&f, fam, group, i, &skips);
    print_skips(name, &skips);

    /* A count below numberOfTests means a truncated or damaged file. */
    if (wp_json_long(root, "numberOfTests", &declared) &&
        (unsigned long)declared != seen) {
        printf("FAIL %s: found %lu test cases, the file declares %ld\n", name,
               seen, declared);
        f.tally.failed++;
    }
    printf("%-48s %5lu cases: %lu passed, %lu failed, %lu acceptable, "
           "%lu skipped (%.2f s)\n",
           name, seen, f.tally.passed, f.tally.failed, f.tally.acceptable,
           f.tally.skipped, seconds_since(&start));
    ret = 1;

err:
    total->passed += f.tally.passed;
    total->failed += f.tally.failed;
    total->acceptable += f.tally.acceptable;
    total->skipped += f.tally.skipped;
    wp_key_cache_free(f.keys);
    json_decref(root);
    fflush(stdout);
    return ret;
}

static int load_providers(struct wp_runner *r, const char *module_dir)
{
    r->libctx = OSSL_LIB_CTX_new();
    if (r->libctx == NULL) {
        fprintf(stderr, "creating an OpenSSL library context failed\n");
        return 0;
    }
    if (module_dir != NULL &&
        !OSSL_PROVIDER_set_default_search_path(r->libctx, module_dir)) {
        fprintf(stderr, "setting the provider search path to %s failed\n",
                module_dir);
        return 0;
    }
    r->base = OSSL_PROVIDER_load(r->libctx, "default");
    if (r->base == NULL) {
        fprintf(stderr, "loading the default provider failed\n");
        ERR_print_errors_fp(stderr);
        return 0;
    }
    if (!r->device) {
        r->target = r->base;
        return 1;
    }
    r->target = OSSL_PROVIDER_load(r->libctx, r->provider_name);
    if (r->target == NULL) {
        const char *dir = module_dir != NULL ? module_dir
                                             : getenv("OPENSSL_MODULES");

        fprintf(stderr,
                "loading provider %s from %s failed: build "
                "provider/ibm4767.la or pass --module-dir DIR\n",
                r->provider_name, dir != NULL ? dir : "OpenSSL's modules directory");
        ERR_print_errors_fp(stderr);
        return 0;
    }
    return 1;
}

static void unload_providers(struct wp_runner *r)
{
    if (r->target != NULL && r->target != r->base)
        OSSL_PROVIDER_unload(r->target);
    if (r->base != NULL)
        OSSL_PROVIDER_unload(r->base);
    OSSL_LIB_CTX_free(r->libctx);
}

/* Returns WP_EXIT_OK when dir is a directory.  Otherwise prints the reason
 * and returns the exit code for a missing vector set. */
static int check_vector_dir(const char *dir)
{
    const char *ci = getenv("CI");
    int in_ci = ci != NULL && strcmp(ci, "true") == 0;
    struct stat st;

    if (dir != NULL && dir[0] != '\0' && stat(dir, &st) == 0 &&
        S_ISDIR(st.st_mode))
        return WP_EXIT_OK;

    if (dir == NULL || dir[0] == '\0')
        fprintf(stderr, "%s: no Wycheproof vector directory is set: use "
                WP_DIR_HELP " or --dir DIR\n",
                in_ci ? "FAIL" : "SKIP");
    else
        fprintf(stderr, "%s: Wycheproof vector directory %s not found (%s): "
                "set it with " WP_DIR_HELP "\n",
                in_ci ? "FAIL" : "SKIP", dir, strerror(errno));
    return in_ci ? WP_EXIT_FAIL : WP_EXIT_SKIP;
}

static int parse_tc_id(const char *text, long *out)
{
    char *end;
    long v;

    errno = 0;
    v = strtol(text, &end, 10);
    if (errno != 0 || end == text || *end != '\0' || v < 0)
        return 0;
    *out = v;
    return 1;
}

int wp_main(const struct wp_program *prog, int argc, char **argv)
{
    static const struct option options[] = {
        { "provider", required_argument, NULL, 'p' },
        { "module-dir", required_argument, NULL, 'm' },
        { "dir", required_argument, NULL, 'd' },
        { "test-case", required_argument, NULL, 't' },
        { "no-operation-propq", no_argument, NULL, 'n' },
        { "verbose", no_argument, NULL, 'v' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    struct wp_runner r;
    struct wp_tally total = { 0, 0, 0, 0 };
    const char *module_dir = NULL;
    int operation_propq = 1;
    const char *dir = getenv("WYCHEPROOF_DIR");
    unsigned long files_failed = 0;
    int opt, i, status;
    int ret = WP_EXIT_FAIL;

    memset(&r, 0, sizeof(r));
    r.provider_name = "ibm4767";
    r.only_tc_id = -1;

    while ((opt = getopt_long(argc, argv, "", options, NULL)) != -1) {
        switch (opt) {
        case 'p':
            r.provider_name = optarg;
            break;
        case 'm':
            module_dir = optarg;
            break;
        case 'd':
            dir = optarg;
            break;
        case 't':
            if (!parse_tc_id(optarg, &r.only_tc_id)) {
                fprintf(stderr, "%s: invalid --test-case %s: expected a tcId "
                        "(a non-negative integer)\n", prog->name, optarg);
                return WP_EXIT_USAGE;
            }
            break;
        case 'n':
            operation_propq = 0;
            break;
        case 'v':
            r.verbose = 1;
            break;
        case 'h':
            usage(stdout, prog->name);
            return WP_EXIT_OK;
        default:
            usage(stderr, prog->name);
            return WP_EXIT_USAGE;
        }
    }
    if (strcmp(r.provider_name, "ibm4767") != 0 &&
        strcmp(r.provider_name, "default") != 0) {
        fprintf(stderr, "%s: invalid --provider %s: expected ibm4767 or "
                "default\n", prog->name, r.provider_name);
        return WP_EXIT_USAGE;
    }
    r.device = strcmp(r.provider_name, "ibm4767") == 0;
    snprintf(r.propq, sizeof(r.propq), "provider=%s", r.provider_name);
    r.op_propq = operation_propq ? r.propq : NULL;

    status = check_vector_dir(dir);
    if (status != WP_EXIT_OK)
        return status;
    if (!load_providers(&r, module_dir))
        goto err;

    printf("%s: provider %s, operations fetched with %s, vectors in %s\n",
           prog->name, r.provider_name,
           r.op_propq != NULL ? r.op_propq : "no property query", dir);
    if (optind < argc) {
        for (i = optind; i < argc; i++)
            files_failed += !run_file(prog, &r, dir, argv[i], &total);
    } else {
        for (i = 0; (size_t)i < prog->file_count; i++)
            files_failed += !run_file(prog, &r, dir, prog->files[i], &total);
    }

    printf("%s total: %lu passed, %lu failed, %lu acceptable, %lu skipped; "
           "%lu files could not be run\n",
           prog->name, total.passed, total.failed, total.acceptable,
           total.skipped, files_failed);
    if (total.failed == 0 && files_failed == 0)
        ret = WP_EXIT_OK;

err:
    unload_providers(&r);
    return ret;
}
