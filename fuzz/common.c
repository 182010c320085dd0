/*
 * Helpers shared by the fuzz targets: a reader over the input and a
 * temporary directory per process.
 */
#include <config.h>

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz.h"

uint8_t fuzz_get_u8(struct fuzz_input *in)
{
    uint8_t v;

    if (in->size == 0)
        return 0;
    v = in->data[0];
    in->data++;
    in->size--;
    return v;
}

uint32_t fuzz_get_u32(struct fuzz_input *in)
{
    uint32_t v = 0;

    for (int i = 0; i < 4; i++)
        v = (v << 8) | fuzz_get_u8(in);
    return v;
}

const uint8_t *fuzz_get_bytes(struct fuzz_input *in, size_t max,
                              size_t *len)
{
    const uint8_t *p;
    size_t n = fuzz_get_u8(in);

    if (n > max)
        n = max;
    if (n > in->size)
        n = in->size;
    p = in->data;
    in->data += n;
    in->size -= n;
    *len = n;
    return p;
}

static char temp_dir[256];
static pid_t temp_owner;

static int remove_entry(const char *path, const struct stat *st, int flag,
                        struct FTW *ftw)
{
    return remove(path);
}

/* Only the process that made the directory removes it: a forked child
 * that exits must leave it to its parent. */
static void remove_temp_dir(void)
{
    if (temp_dir[0] != '\0' && getpid() == temp_owner)
        nftw(temp_dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

const char *fuzz_temp_dir(void)
{
    const char *base = getenv("TMPDIR");

    if (temp_dir[0] != '\0')
        return temp_dir;
    snprintf(temp_dir, sizeof(temp_dir), "%s/ibm4767-fuzz.XXXXXX",
             base != NULL && base[0] != '\0' ? base : "/tmp");
    if (mkdtemp(temp_dir) == NULL) {
        perror("fuzz: cannot make a temporary directory");
        abort();
    }
    temp_owner = getpid();
    atexit(remove_temp_dir);
    return temp_dir;
}
