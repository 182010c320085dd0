/*
 * Shared declarations of the fuzz targets.  Each target defines
 * LLVMFuzzerTestOneInput and, where it needs a set-up step, also
 * LLVMFuzzerInitialize.  With --enable-fuzzing libFuzzer supplies main();
 * otherwise fuzz/driver.c does and runs the target over its corpus, so
 * `make check` replays every seed and every input that once crashed.
 *
 * A target returns 0 for every input.  It aborts only where it finds a
 * bug: a sanitizer report, or an assertion on a property that must hold
 * for any input (FUZZ_CHECK).
 */
#ifndef IBM4767_FUZZ_H
#define IBM4767_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* Abort with the failed property, file and line: a bug the fuzzer found. */
#define FUZZ_CHECK(cond)                                                    \
    do {                                                                    \
        if (!(cond)) {                                                      \
            fprintf(stderr, "%s:%d: property violated: %s\n", __FILE__,     \
                    __LINE__, #cond);                                       \
            abort();                                                        \
        }                                                                   \
    } while (0)

/* Sequential reader over the fuzz input: each get takes bytes from the
 * front and returns 0 (with a zero value) once the input is used up. */
struct fuzz_input {
    const uint8_t *data;
    size_t size;
};

uint8_t fuzz_get_u8(struct fuzz_input *in);
uint32_t fuzz_get_u32(struct fuzz_input *in);
/* Take up to max bytes, as many as the next byte says; *len gets the
 * count and the result points into the input. */
const uint8_t *fuzz_get_bytes(struct fuzz_input *in, size_t max,
                              size_t *len);

/* Make a private temporary directory for this process and return its
 * path (removed at exit); aborts when the system cannot make one. */
const char *fuzz_temp_dir(void);

#endif
