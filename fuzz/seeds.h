/*
 * fuzz-seeds: writes the seed corpora of the fuzz targets.  Key tokens in
 * the seeds come from the in-process emulator under the fixed master keys
 * of fuzz/emu_client.c, so that they unwrap when fuzz-frame replays them.
 */
#ifndef IBM4767_FUZZ_SEEDS_H
#define IBM4767_FUZZ_SEEDS_H

#include <stddef.h>
#include <stdint.h>

#include <ibm4767/protocol.h>

#include "emu_client.h"

/* Tokens and values made once by the emulator for every seed. */
struct seed_keys {
    struct fuzz_buf rsa;         /* internal RSA-2048, sign and keymgmt */
    struct fuzz_buf rsa_public;  /* its external token */
    struct fuzz_buf ec;          /* internal P-256, sign and derive */
    struct fuzz_buf ec_public;
    struct fuzz_buf ec384;       /* internal P-384 */
    struct fuzz_buf ec521;       /* internal P-521 */
    struct fuzz_buf aes128;      /* AES tokens, any mode */
    struct fuzz_buf aes256;
    struct fuzz_buf rsa_kvs;     /* key value structures for import */
    struct fuzz_buf ec_kvs;
};

/* Write len bytes to DIR/target/seed-name; exits when that fails. */
void seed_write(const char *target, const char *name, const void *data,
                size_t len);

/* Send one request; abort unless the reply has rc 0 or 4.  *out gets the
 * first bytes field of the reply when out is not NULL. */
void seed_call(uint16_t verb, const struct ibm4767_wbuf *req,
               struct fuzz_buf *out);

/* The frame seeds (seeds_frame.c). */
void seed_frames(const struct seed_keys *keys);

#endif
