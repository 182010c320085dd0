/*
 * Host record cache: copies of key records this process has read, so a
 * server that loads the same label again costs no record lookup.
 *
 * The cache stays correct across processes without any time-based expiry.
 * SQLite's PRAGMA data_version changes on this connection whenever another
 * connection commits.  Only then is the storage generation read, a counter
 * that a trigger raises on every change to a record.  A generation other
 * than the one the cache was filled at empties the cache.  Checking
 * data_version opens a read transaction but looks up no record.  Changes
 * made through this handle update the cache directly.
 */
#include <config.h>

#include <string.h>

#include <openssl/crypto.h>

#include <ibm4767/log.h>

#include "keystore_int.h"

/* FNV-1a over the canonical label. */
static size_t cache_bucket(const char *label)
{
    uint32_t h = 2166136261u;

    for (const unsigned char *p = (const unsigned char *)label; *p != '\0';
         p++) {
        h ^= *p;
        h *= 16777619u;
    }
    return h & (KEYSTORE_CACHE_BUCKETS - 1);
}

static void cache_entry_free(struct keystore_cache_entry *e)
{
    cca_key_record_clear(&e->rec);
    OPENSSL_free(e);
}

static struct keystore_cache_entry **cache_find(struct cca_keystore *ks,
                                                const char *label)
{
    struct keystore_cache_entry **p = &ks->buckets[cache_bucket(label)];

    while (*p != NULL && strcmp((*p)->rec.label, label) != 0)
        p = &(*p)->next;
    return p;
}

void keystore_cache_remove(struct cca_keystore *ks, const char *label)
{
    struct keystore_cache_entry **p = cache_find(ks, label);
    struct keystore_cache_entry *e = *p;

    if (e == NULL)
        return;
    *p = e->next;
    cache_entry_free(e);
    ks->cache_count--;
}

void keystore_cache_flush(struct cca_keystore *ks)
{
    for (size_t i = 0; i < KEYSTORE_CACHE_BUCKETS; i++) {
        while (ks->buckets[i] != NULL) {
            struct keystore_cache_entry *e = ks->buckets[i];

            ks->buckets[i] = e->next;
            cache_entry_free(e);
        }
    }
    ks->cache_count = 0;
}

/* Drop the least recently used entry.  Runs only when the cache is full,
 * after a database read, so a linear scan is cheap by comparison. */
static void cache_evict_one(struct cca_keystore *ks)
{
    struct keystore_cache_entry *oldest = NULL;

    for (size_t i = 0; i < KEYSTORE_CACHE_BUCKETS; i++) {
        for (struct keystore_cache_entry *e = ks->buckets[i]; e != NULL;
             e = e->next) {
            if (oldest == NULL || e->last_use < oldest->last_use)
                oldest = e;
        }
    }
    if (oldest != NULL)
        keystore_cache_remove(ks, oldest->rec.label);
}

static int record_copy(struct cca_key_record *dst,
                       const struct cca_key_record *src)
{
    uint8_t *token = OPENSSL_memdup(src->token, src->token_len);

    if (token == NULL)
        return 0;
    *dst = *src;
    dst->token = token;
    return 1;
}

int keystore_cache_get(struct cca_keystore *ks, const char *label,
                       struct cca_key_record *rec)
{
    struct keystore_cache_entry *e;

    if (!ks->cache_enabled)
        return 0;
    e = *cache_find(ks, label);
    if (e == NULL)
        return 0;
    if (!record_copy(rec, &e->rec))
        return -1;
    e->last_use = ++ks->use_clock;
    return 1;
}

void keystore_cache_put(struct cca_keystore *ks,
                        const struct cca_key_record *rec)
{
    struct keystore_cache_entry *e;

    if (!ks->cache_enabled)
        return;
    keystore_cache_remove(ks, rec->label);
    if (ks->cache_count >= KEYSTORE_CACHE_MAX)
        cache_evict_one(ks);

    e = OPENSSL_zalloc(sizeof(*e));
    if (e == NULL || !record_copy(&e->rec, rec)) {
        OPENSSL_free(e);
        return;
    }
    e->last_use = ++ks->use_clock;
    e->next = ks->buckets[cache_bucket(rec->label)];
    ks->buckets[cache_bucket(rec->label)] = e;
    ks->cache_count++;
}

int keystore_cache_validate(struct cca_keystore *ks, struct cca_result *res)
{
    int rc;
    int64_t version;
    int64_t generation;

    if (!ks->cache_enabled)
        return 1;

    rc = sqlite3_step(ks->stmt_data_version);
    version = rc == SQLITE_ROW ? sqlite3_column_int64(ks->stmt_data_version,
                                                      0)
                               : -1;
    sqlite3_reset(ks->stmt_data_version);
    if (rc != SQLITE_ROW) {
        keystore_sqlite_failure(ks, res, "reading PRAGMA data_version");
        return 0;
    }
    if (version == ks->data_version && ks->cache_generation >= 0)
        return 1;

    if (!keystore_db_generation(ks, &generation, res))
        return 0;
    ks->data_version = version;
    if (generation == ks->cache_generation)
        return 1;

    if (ks->cache_count > 0) {
        IBM4767_DEBUG("key storage %s: changed by another process "
                      "(generation %lld, cached %lld); dropping %zu cached "
                      "records", ks->path, (long long)generation,
                      (long long)ks->cache_generation, ks->cache_count);
        keystore_cache_flush(ks);
        ks->flushes++;
    }
    ks->cache_generation = generation;
    return 1;
}

void cca_keystore_get_stats(struct cca_keystore *ks,
                            struct cca_keystore_stats *st)
{
    pthread_mutex_lock(&ks->lock);
    st->cache_enabled = ks->cache_enabled;
    st->cache_hits = ks->hits;
    st->cache_misses = ks->misses;
    st->cache_flushes = ks->flushes;
    st->cache_entries = ks->cache_count;
    pthread_mutex_unlock(&ks->lock);
}
