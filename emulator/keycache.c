/*
 * Cache of unwrapped private keys, as the card keeps recently used keys
 * inside: a least-recently-used list of EVP_PKEY objects keyed by the
 * SHA-256 of the whole token.  Since a token's bytes are authenticated
 * when it is first unwrapped, a token with the same hash is the same,
 * already authenticated key.  Public keys are never stored here.
 *
 * One mutex guards the table; a lookup costs a hash-chain walk and a
 * list move, small next to any private-key operation.
 */
#include <config.h>

#include <pthread.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "emud.h"

struct cache_entry {
    uint8_t hash[EMU_TOKEN_HASH_LEN];
    EVP_PKEY *pkey;
    struct cache_entry *newer;   /* towards the most recently used end */
    struct cache_entry *older;
    struct cache_entry *chain;   /* next in the same bucket */
};

struct emu_keycache {
    pthread_mutex_t lock;
    size_t capacity;
    size_t count;
    size_t bucket_mask;
    struct cache_entry **buckets;
    struct cache_entry *newest;
    struct cache_entry *oldest;
    struct emu_counters *counters;
};

struct emu_keycache *emu_keycache_new(size_t entries,
                                      struct emu_counters *counters)
{
    struct emu_keycache *kc = OPENSSL_zalloc(sizeof(*kc));
    size_t buckets = 16;

    if (kc == NULL)
        return NULL;
    while (buckets < 2 * entries)
        buckets *= 2;
    kc->buckets = OPENSSL_zalloc(buckets * sizeof(*kc->buckets));
    if (kc->buckets == NULL) {
        OPENSSL_free(kc);
        return NULL;
    }
    pthread_mutex_init(&kc->lock, NULL);
    kc->capacity = entries;
    kc->bucket_mask = buckets - 1;
    kc->counters = counters;
    return kc;
}

static size_t bucket_of(const struct emu_keycache *kc, const uint8_t *hash)
{
    uint64_t v;

    /* The hash is SHA-256, so any 8 of its bytes are uniform. */
    memcpy(&v, hash, sizeof(v));
    return (size_t)v & kc->bucket_mask;
}

static void list_unlink(struct emu_keycache *kc, struct cache_entry *e)
{
    if (e->newer != NULL)
        e->newer->older = e->older;
    else
        kc->newest = e->older;
    if (e->older != NULL)
        e->older->newer = e->newer;
    else
        kc->oldest = e->newer;
    e->newer = e->older = NULL;
}

static void list_push_newest(struct emu_keycache *kc, struct cache_entry *e)
{
    e->older = kc->newest;
    e->newer = NULL;
    if (kc->newest != NULL)
        kc->newest->newer = e;
    kc->newest = e;
    if (kc->oldest == NULL)
        kc->oldest = e;
}

static struct cache_entry *find(struct emu_keycache *kc, const uint8_t *hash)
{
    struct cache_entry *e = kc->buckets[bucket_of(kc, hash)];

    while (e != NULL && memcmp(e->hash, hash, EMU_TOKEN_HASH_LEN) != 0)
        e = e->chain;
    return e;
}

static void chain_remove(struct emu_keycache *kc, struct cache_entry *e)
{
    struct cache_entry **link = &kc->buckets[bucket_of(kc, e->hash)];

    while (*link != e)
        link = &(*link)->chain;
    *link = e->chain;
}

EVP_PKEY *emu_keycache_get(struct emu_keycache *kc,
                           const uint8_t hash[EMU_TOKEN_HASH_LEN])
{
    struct cache_entry *e;
    EVP_PKEY *pkey = NULL;

    pthread_mutex_lock(&kc->lock);
    e = find(kc, hash);
    if (e != NULL && EVP_PKEY_up_ref(e->pkey)) {
        pkey = e->pkey;
        list_unlink(kc, e);
        list_push_newest(kc, e);
    }
    pthread_mutex_unlock(&kc->lock);

    emu_counter_add(kc->counters, pkey != NULL ? EMU_CTR_KEY_CACHE_HITS
                                               : EMU_CTR_KEY_CACHE_MISSES, 1);
    return pkey;
}

void emu_keycache_put(struct emu_keycache *kc,
                      const uint8_t hash[EMU_TOKEN_HASH_LEN], EVP_PKEY *pkey)
{
    struct cache_entry *e = NULL;
    struct cache_entry *victim = NULL;

    if (kc->capacity == 0 || !EVP_PKEY_up_ref(pkey))
        return;
    e = OPENSSL_zalloc(sizeof(*e));
    if (e == NULL) {
        EVP_PKEY_free(pkey);
        return;
    }
    memcpy(e->hash, hash, EMU_TOKEN_HASH_LEN);
    e->pkey = pkey;

    pthread_mutex_lock(&kc->lock);
    if (find(kc, hash) != NULL) {
        /* Another worker unwrapped the same token first. */
        victim = e;
        e = NULL;
    } else {
        if (kc->count == kc->capacity) {
            victim = kc->oldest;
            list_unlink(kc, victim);
            chain_remove(kc, victim);
            kc->count--;
            emu_counter_add(kc->counters, EMU_CTR_KEY_CACHE_EVICTIONS, 1);
        }
        e->chain = kc->buckets[bucket_of(kc, hash)];
        kc->buckets[bucket_of(kc, hash)] = e;
        list_push_newest(kc, e);
        kc->count++;
    }
    pthread_mutex_unlock(&kc->lock);

    /* Freeing a key takes a while; do it outside the lock. */
    if (victim != NULL) {
        EVP_PKEY_free(victim->pkey);
        OPENSSL_free(victim);
    }
}

void emu_keycache_clear(struct emu_keycache *kc)
{
    struct cache_entry *list;

    if (kc == NULL)
        return;
    pthread_mutex_lock(&kc->lock);
    list = kc->newest;
    kc->newest = kc->oldest = NULL;
    kc->count = 0;
    memset(kc->buckets, 0, (kc->bucket_mask + 1) * sizeof(*kc->buckets));
    pthread_mutex_unlock(&kc->lock);

    while (list != NULL) {
        struct cache_entry *next = list->older;

        EVP_PKEY_free(list->pkey);
        OPENSSL_free(list);
        list = next;
    }
}

void emu_keycache_free(struct emu_keycache *kc)
{
    if (kc == NULL)
        return;
    emu_keycache_clear(kc);
    pthread_mutex_destroy(&kc->lock);
    OPENSSL_free(kc->buckets);
    OPENSSL_free(kc);
}
