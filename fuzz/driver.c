/*
 * main() for the fuzz targets when libFuzzer is not linked: runs the
 * target once over each input file, so `make check` replays the seeds and
 * the inputs that once made a target crash.  A finding aborts the program
 * (sanitizer report or failed FUZZ_CHECK) right after the name of the
 * input that caused it.
 *
 *   fuzz-NAME [FILE|DIRECTORY]...
 *
 * Without arguments it reads $top_srcdir/fuzz/corpus/NAME, NAME being the
 * program name without its "fuzz-" prefix.  Exit status: 0 when every
 * input ran, 2 on a usage error, 99 when an input cannot be read (the
 * Automake test driver's hard error).
 */
#include <config.h>

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>


#include "fuzz.h"

#define EXIT_USAGE 2
#define EXIT_HARD_ERROR 99
/* Larger inputs than any target reads; libFuzzer's own default limit is
 * 4096 bytes, and the seeds stay far below this. */
#define INPUT_MAX (4u * 1024u * 1024u)

static int run_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    uint8_t *buf = NULL;
    size_t len = 0;
    int ret = 0;

    if (f == NULL) {
        fprintf(stderr, "cannot open input %s: %s\n", path, strerror(errno));
        goto err;
    }
    buf = malloc(INPUT_MAX);
    if (buf == NULL) {
        fprintf(stderr, "out of memory reading input %s\n", path);
        goto err;
    }
    len = fread(buf, 1, INPUT_MAX, f);
    if (ferror(f)) {
        fprintf(stderr, "cannot read input %s: %s\n", path, strerror(errno));
        goto err;
    }
    fprintf(stderr, "running %s (%zu bytes)\n", path, len);
    LLVMFuzzerTestOneInput(buf, len);
    ret = 1;

err:
    free(buf);
    if (f != NULL)
        fclose(f);
    return ret;
}

static int skip_entry(const struct dirent *d)
{
    return d->d_name[0] != '.';
}

/* Run every file of dir, in name order; returns the count, or -1. */
static long run_dir(const char *dir)
{
    struct dirent **names = NULL;
    char path[4096];
    long count = 0;
    int n;

    n = scandir(dir, &names, skip_entry, alphasort);
    if (n < 0) {
        fprintf(stderr, "cannot read corpus directory %s: %s\n", dir,
                strerror(errno));
        return -1;
    }
    for (int i = 0; i < n; i++) {
        snprintf(path, sizeof(path), "%s/%s", dir, names[i]->d_name);
        if (count >= 0 && !run_file(path))
            count = -1;
        else if (count >= 0)
            count++;
        free(names[i]);
    }
    free(names);
    return count;
}

static long run_path(const char *path)
{
    struct stat st;

    if (stat(path, &st) != 0) {
        fprintf(stderr, "cannot find input %s: %s\n", path, strerror(errno));
        return -1;
    }
    if (S_ISDIR(st.st_mode))
        return run_dir(path);
    return run_file(path) ? 1 : -1;
}

/* "fuzz-token" or "lt-fuzz-token" gives "token". */
static const char *target_name(const char *argv0)
{
    const char *name = strrchr(argv0, '/');

    name = name != NULL ? name + 1 : argv0;
    if (strncmp(name, "lt-", 3) == 0)
        name += 3;
    if (strncmp(name, "fuzz-", 5) == 0)
        name += 5;
    return name;
}

int main(int argc, char **argv)
{
    const char *srcdir = getenv("top_srcdir");
    char corpus[4096];
    long total = 0, n;

    if (argc > 1 && argv[1][0] == '-') {
        fprintf(stderr, "usage: %s [FILE|DIRECTORY]...\n"
                "Run the fuzz target once over each input; without "
                "arguments over the target's corpus in the source tree.\n",
                argv[0]);
        return EXIT_USAGE;
    }
    LLVMFuzzerInitialize(&argc, &argv);

    if (argc < 2) {
        if (srcdir == NULL || srcdir[0] == '\0')
            srcdir = FUZZ_SRCDIR;
        snprintf(corpus, sizeof(corpus), "%s/fuzz/corpus/%s", srcdir,
                 target_name(argv[0]));
        total = run_path(corpus);
    }
    for (int i = 1; i < argc && total >= 0; i++) {
        n = run_path(argv[i]);
        total = n < 0 ? -1 : total + n;
    }
    if (total < 0)
        return EXIT_HARD_ERROR;
    printf("%s: %ld inputs ran without a finding\n", target_name(argv[0]),
           total);
    return 0;
}
