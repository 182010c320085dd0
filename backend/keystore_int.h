/*
 * Internals of key storage, shared by keystore.c (the verbs),
 * keystore_db.c (the database connection) and keystore_cache.c (the host
 * record cache).  Every function here expects ks->lock to be held.
 */
#ifndef IBM4767_KEYSTORE_INT_H
#define IBM4767_KEYSTORE_INT_H

#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <sys/types.h>

#include <sqlite3.h>

#include <ibm4767/keystore.h>

/* Buckets of the host record cache; a power of two. */
#define KEYSTORE_CACHE_BUCKETS 64
/* Records kept per process before the least recently used is dropped.
 * A server uses a handful of keys, so this only bounds a process that walks
 * a large storage. */
#define KEYSTORE_CACHE_MAX     256

struct keystore_cache_entry {
    struct keystore_cache_entry *next;   /* bucket chain */
    struct cca_key_record rec;
    uint64_t last_use;
};

struct cca_keystore {
    pthread_mutex_t lock;
    char path[PATH_MAX];
    unsigned flags;
    struct cca_keystore *next_open;      /* registry for fork handling */

    /* The connection, opened by the first verb of this process. */
    sqlite3 *db;
    pid_t db_pid;
    sqlite3_stmt *stmt_data_version;
    sqlite3_stmt *stmt_generation;
    sqlite3_stmt *stmt_select;
    int64_t data_version;                /* last PRAGMA data_version seen */

    /* Host record cache. */
    int cache_enabled;
    int64_t cache_generation;            /* storage generation cached, -1 */
    struct keystore_cache_entry *buckets[KEYSTORE_CACHE_BUCKETS];
    size_t cache_count;
    uint64_t use_clock;
    uint64_t hits;
    uint64_t misses;
    uint64_t flushes;

    /* Transport cca: the backend whose CCA library keeps the records;
     * NULL to use the database. */
    struct cca_backend *backend;
};

/* Fill res with a key storage result; detail is printf-style. */
void keystore_result(struct cca_result *res, uint32_t rc, uint32_t reason,
                     const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Fill res with a failed SQLite call on ks: 12/CCA_RS_HOST_KEY_STORAGE. */
void keystore_sqlite_failure(struct cca_keystore *ks, struct cca_result *res,
                             const char *what);

/* Open the connection when this process has none (first use, or after a
 * fork).  Returns 1, or 0 with res filled. */
int keystore_db_ensure(struct cca_keystore *ks, struct cca_result *res);
/* Close the connection and finalize its statements. */
void keystore_db_close(struct cca_keystore *ks);
/* Read the storage generation, which every change to a record raises.
 * Returns 1, or 0 with res filled. */
int keystore_db_generation(struct cca_keystore *ks, int64_t *generation,
                           struct cca_result *res);
/* Add ks to, or remove it from, the registry that fork handling walks. */
void keystore_registry_add(struct cca_keystore *ks);
void keystore_registry_remove(struct cca_keystore *ks);

/* Empty the cache if another connection committed a change since the
 * last check.  Returns 1, or 0 with res filled. */
int keystore_cache_validate(struct cca_keystore *ks, struct cca_result *res);
/* Copy a cached record into rec.  Returns 1 on a hit, 0 on a miss, -1
 * when memory runs out. */
int keystore_cache_get(struct cca_keystore *ks, const char *label,
                       struct cca_key_record *rec);
/* Store a copy of rec, replacing any entry for its label.  A failed
 * allocation only leaves the record uncached. */
void keystore_cache_put(struct cca_keystore *ks,
                        const struct cca_key_record *rec);
void keystore_cache_remove(struct cca_keystore *ks, const char *label);
void keystore_cache_flush(struct cca_keystore *ks);

#endif
