/*
 * Label lookups in the host key storage, for the operations label-read
 * (host record cache on) and label-read-nocache (cache off, as with
 * CSUCACHE=N).  The records live in a new SQLite database in a temporary
 * directory, removed again by bench_labels_free().  Every thread reads
 * the same few labels over and over, as a server does with its keys.
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include <ibm4767/keystore.h>
#include <ibm4767/token.h>

#include "bench.h"

#define LABEL_COUNT   16u
#define MODULUS_BYTES 256u   /* the public token of an RSA-2048 key */

struct bench_labels {
    char dir[64];
    char path[96];
    struct cca_keystore *ks[2];   /* [0] cached, [1] uncached */
};

static void label_name(unsigned i, char *out, size_t out_len)
{
    snprintf(out, out_len, "BENCH.LABEL.K%02u", i % LABEL_COUNT);
}

/* Store LABEL_COUNT records, each an RSA-2048 public key token. */
static int fill_records(struct cca_keystore *ks)
{
    static const uint8_t e[] = { 0x01, 0x00, 0x01 };
    uint8_t n[MODULUS_BYTES];
    uint8_t token[1024];
    struct cca_result res;
    char label[32];

    for (unsigned i = 0; i < LABEL_COUNT; i++) {
        size_t len;

        if (RAND_bytes(n, sizeof(n)) != 1)
            return 0;
        n[0] |= 0x80;
        n[sizeof(n) - 1] |= 0x01;
        len = cca_token_build_rsa_public(n, sizeof(n), e, sizeof(e), token,
                                         sizeof(token));
        label_name(i, label, sizeof(label));
        memset(&res, 0, sizeof(res));
        if (len == 0
            || !cca_key_record_create(ks, label, CCA_KEY_TYPE_RSA, token, len,
                                      &res)) {
            fprintf(stderr, BENCH_PROGRAM ": creating key record %s failed: "
                    "%u/%u %s\n", label, res.rc, res.reason, res.detail);
            return 0;
        }
    }
    return 1;
}

struct bench_labels *bench_labels_new(void)
{
    struct bench_labels *lb = OPENSSL_zalloc(sizeof(*lb));
    const char *tmp = getenv("TMPDIR");

    if (lb == NULL)
        return NULL;
    if (tmp == NULL || tmp[0] == '\0' || strlen(tmp) > 32)
        tmp = "/tmp";
    snprintf(lb->dir, sizeof(lb->dir), "%s/ibm4767-bench-XXXXXX", tmp);
    if (mkdtemp(lb->dir) == NULL) {
        fprintf(stderr, BENCH_PROGRAM ": cannot create a directory for the "
                "label database under %s; set TMPDIR to a writable "
                "directory\n", tmp);
        lb->dir[0] = '\0';
        goto err;
    }
    snprintf(lb->path, sizeof(lb->path), "%s/keys.db", lb->dir);
    lb->ks[0] = cca_keystore_new(lb->path, CCA_KEYSTORE_CREATE);
    lb->ks[1] = cca_keystore_new(lb->path, CCA_KEYSTORE_NO_CACHE);
    if (lb->ks[0] == NULL || lb->ks[1] == NULL || !fill_records(lb->ks[0]))
        goto err;
    return lb;

err:
    bench_labels_free(lb);
    return NULL;
}

int bench_label_read(struct bench_labels *lb, int no_cache, unsigned *next)
{
    struct cca_key_record rec;
    struct cca_result res;
    char label[32];
    int ok;

    label_name((*next)++, label, sizeof(label));
    memset(&rec, 0, sizeof(rec));
    memset(&res, 0, sizeof(res));
    ok = cca_key_record_read(lb->ks[no_cache ? 1 : 0], label, &rec, &res);
    if (!ok)
        fprintf(stderr, BENCH_PROGRAM ": reading key record %s failed: "
                "%u/%u %s\n", label, res.rc, res.reason, res.detail);
    cca_key_record_clear(&rec);
    return ok;
}

void bench_labels_free(struct bench_labels *lb)
{
    char wal[112];

    if (lb == NULL)
        return;
    cca_keystore_free(lb->ks[0]);
    cca_keystore_free(lb->ks[1]);
    if (lb->dir[0] != '\0') {
        unlink(lb->path);
        snprintf(wal, sizeof(wal), "%s-wal", lb->path);
        unlink(wal);
        snprintf(wal, sizeof(wal), "%s-shm", lb->path);
        unlink(wal);
        rmdir(lb->dir);
    }
    OPENSSL_free(lb);
}
