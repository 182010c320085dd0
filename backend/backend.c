/*
 * The backend object: the configured devices, CSU_DEFAULT_ADAPTER, and
 * what keeps connections safe across fork.
 */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include <ibm4767/log.h>

#include "backend_int.h"
#include "ccaverbs.h"

/* ---- Registry of live backends and the fork handlers ---------------- */

static pthread_mutex_t live_lock = PTHREAD_MUTEX_INITIALIZER;
static struct cca_backend *live_list;
static pthread_once_t atfork_once = PTHREAD_ONCE_INIT;
/* Counts the forks this process image went through: the child handler
 * adds one, so a backend can tell without a system call whether it still
 * runs in the process that opened its connections. */
static atomic_uint fork_generation;

/* Take every pool lock before fork, so that neither side of the fork can
 * inherit a lock held by a thread that only exists in the parent. */
static void atfork_prepare(void)
{
    pthread_mutex_lock(&live_lock);
    for (struct cca_backend *be = live_list; be != NULL; be = be->next_live) {
        pthread_mutex_lock(&be->fork_lock);
        for (int i = 0; i < be->device_count; i++)
            pthread_mutex_lock(&be->devices[i].lock);
    }
}

static void atfork_release(void)
{
    for (struct cca_backend *be = live_list; be != NULL; be = be->next_live) {
        for (int i = 0; i < be->device_count; i++)
            pthread_mutex_unlock(&be->devices[i].lock);
        pthread_mutex_unlock(&be->fork_lock);
    }
    pthread_mutex_unlock(&live_lock);
}

static void atfork_child(void)
{
    atomic_fetch_add(&fork_generation, 1);
    atfork_release();
}

static void register_atfork(void)
{
    pthread_atfork(atfork_prepare, atfork_release, atfork_child);
}

static void live_add(struct cca_backend *be)
{
    pthread_mutex_lock(&live_lock);
    be->next_live = live_list;
    live_list = be;
    pthread_mutex_unlock(&live_lock);
}

static void live_remove(struct cca_backend *be)
{
    pthread_mutex_lock(&live_lock);
    for (struct cca_backend **p = &live_list; *p != NULL;
         p = &(*p)->next_live) {
        if (*p == be) {
            *p = be->next_live;
            break;
        }
    }
    pthread_mutex_unlock(&live_lock);
}

/* A forked child drops the connections it inherited: they are the
 * parent's, and a reply meant for one process must never reach the
 * other.  The child reconnects on first use. */
void cca_backend_check_fork(struct cca_backend *be)
{
    unsigned int generation = atomic_load(&fork_generation);
    int pid;

    if (atomic_load(&be->owner_generation) == generation)
        return;

    pid = (int)getpid();
    pthread_mutex_lock(&be->fork_lock);
    if (atomic_load(&be->owner_generation) != generation) {
        for (int i = 0; i < be->device_count; i++) {
            cca_pool_drop_all(&be->devices[i]);
            atomic_store(&be->devices[i].outstanding, 0);
        }
        IBM4767_DEBUG("process %d forked from %d: dropped the inherited "
                      "device connections", pid,
                      atomic_load(&be->owner_pid));
        atomic_store(&be->owner_pid, pid);
        atomic_store(&be->owner_generation, generation);
    }
    pthread_mutex_unlock(&be->fork_lock);
}

/* ---- Construction ---------------------------------------------------- */

static int device_init(struct cca_device *dev, int index, const char *path,
                       size_t path_len)
{
    dev->index = index;
    dev->path = OPENSSL_strndup(path, path_len);
    if (dev->path == NULL)
        return 0;
    /* index < CCA_MAX_DEVICES, so the number has two digits. */
    snprintf(dev->name, sizeof(dev->name), "CRP%02u",
             (unsigned int)(index + 1) % 100u);
    pthread_mutex_init(&dev->lock, NULL);
    atomic_init(&dev->outstanding, 0);
    atomic_init(&dev->readiness, CCA_READINESS_UNKNOWN);
    atomic_init(&dev->down_until, 0);
    atomic_init(&dev->last_warning, 0);
    atomic_init(&dev->warning_logged_ms, 0);
    return 1;
}

/* Split the comma-separated list; blanks around a path are dropped and
 * empty entries skipped.  Paths past CCA_MAX_DEVICES are ignored with a
 * warning. */
static int parse_devices(struct cca_backend *be, const char *list)
{
    const char *p = list;

    while (*p != '\0') {
        const char *end = strchr(p, ',');
        size_t len = end != NULL ? (size_t)(end - p) : strlen(p);
        const char *start = p;

        p = end != NULL ? end + 1 : p + len;
        while (len > 0 && (*start == ' ' || *start == '\t')) {
            start++;
            len--;
        }
        while (len > 0 && (start[len - 1] == ' ' || start[len - 1] == '\t'))
            len--;
        if (len == 0)
            continue;

        if (be->device_count == CCA_MAX_DEVICES) {
            IBM4767_WARN("more than %d devices configured; ignoring %.*s "
                         "and the ones after it", CCA_MAX_DEVICES, (int)len,
                         start);
            break;
        }
        if (!device_init(&be->devices[be->device_count], be->device_count,
                         start, len))
            return 0;
        be->device_count++;
    }
    return 1;
}

/*
 * CSU_DEFAULT_ADAPTER=CRPnn pins the process to device nn, as IBM's host
 * library does; DEV-ANY or an unset variable leaves the choice to the
 * backend.  A value naming no configured device makes every request fail
 * with a message that names the variable.
 */
static void parse_pin(struct cca_backend *be, const struct cca_config *cfg)
{
    const char *value = getenv("CSU_DEFAULT_ADAPTER");
    char *end = NULL;
    long n;

    be->pinned = -1;
    be->pin_error[0] = '\0';
    if (cfg->ignore_default_adapter)
        return;
    if (value == NULL || value[0] == '\0' || strcmp(value, "DEV-ANY") == 0)
        return;

    if (strncmp(value, "CRP", 3) == 0) {
        errno = 0;
        n = strtol(value + 3, &end, 10);
        if (end != value + 3 && *end == '\0' && errno == 0 && n >= 1 &&
            n <= be->device_count) {
            be->pinned = (int)(n - 1);
            return;
        }
    }
    snprintf(be->pin_error, sizeof(be->pin_error),
             "CSU_DEFAULT_ADAPTER=%.32s names no configured device: use "
             "CRP01 to CRP%02d or DEV-ANY", value, be->device_count);
}

/*
 * Transport cca: load the library, and make its adapters the devices.  A
 * device's name is then the adapter's (a list of "CRP03" alone makes one
 * device named CRP03).
 */
static int open_cca_devices(struct cca_backend *be,
                            const struct cca_config *cfg, char *err,
                            size_t err_len)
{
    char *list = NULL;
    size_t cap = sizeof(cfg->devices);
    int ret = 0;

    be->cca = cca_lib_open(cfg, err, err_len);
    if (be->cca == NULL)
        goto err;
    list = OPENSSL_zalloc(cap);
    if (list == NULL) {
        snprintf(err, err_len, "out of memory for the adapter list");
        goto err;
    }
    if (!cca_lib_device_list(be->cca, cfg->devices, list, cap, err, err_len))
        goto err;
    if (!parse_devices(be, list)) {
        snprintf(err, err_len, "out of memory for the adapter list");
        goto err;
    }
    for (int i = 0; i < be->device_count; i++)
        snprintf(be->devices[i].name, sizeof(be->devices[i].name), "%.5s",
                 be->devices[i].path);
    ret = 1;

err:
    OPENSSL_free(list);
    return ret;
}

struct cca_backend *cca_backend_open(const struct cca_config *cfg, char *err,
                                     size_t err_len)
{
    struct cca_backend *be = NULL;
    char scratch[2];

    if (err == NULL || err_len == 0) {
        err = scratch;
        err_len = sizeof(scratch);
    }
    err[0] = '\0';
    if (cfg == NULL) {
        snprintf(err, err_len, "no backend configuration given");
        return NULL;
    }

    be = OPENSSL_zalloc(sizeof(*be));
    if (be == NULL) {
        snprintf(err, err_len, "out of memory for the backend");
        return NULL;
    }
    pthread_mutex_init(&be->fork_lock, NULL);
    be->ready_timeout_ms = cfg->ready_timeout_ms;
    /* Waiting for a reply without sleeping only pays when the device has
     * a CPU of its own to reply on. */
    be->spin_wait_us = sysconf(_SC_NPROCESSORS_ONLN) >= 2
                       ? cfg->spin_wait_us : 0;
    atomic_init(&be->next_request_id, 1);
    atomic_init(&be->next_start, 0);
    atomic_init(&be->owner_pid, (int)getpid());
    atomic_init(&be->owner_generation, atomic_load(&fork_generation));

    if (cfg->transport == CCA_TRANSPORT_CCA) {
        if (!open_cca_devices(be, cfg, err, err_len))
            goto err;
    } else if (!parse_devices(be, cfg->devices)) {
        snprintf(err, err_len, "out of memory for the device list");
        goto err;
    }
    if (be->device_count == 0) {
        snprintf(err, err_len, "no device configured: list the socket "
                 "paths in devices or IBM4767_DEVICES");
        goto err;
    }
    parse_pin(be, cfg);

    pthread_once(&atfork_once, register_atfork);
    live_add(be);
    return be;

err:
    cca_backend_free(be);
    return NULL;
}

struct cca_backend *cca_backend_new(const struct cca_config *cfg)
{
    char err[512];
    struct cca_backend *be = cca_backend_open(cfg, err, sizeof(err));

    if (be == NULL)
        IBM4767_ERROR("cannot set up the coprocessor backend: %s", err);
    return be;
}

/* Safe at process exit and in a forked child: it only closes descriptors
 * and frees memory, and sends nothing to the device. */
void cca_backend_free(struct cca_backend *be)
{
    if (be == NULL)
        return;

    live_remove(be);
    for (int i = 0; i < be->device_count; i++) {
        struct cca_device *dev = &be->devices[i];

        cca_pool_drop_all(dev);
        pthread_mutex_destroy(&dev->lock);
        OPENSSL_free(dev->path);
    }
    pthread_mutex_destroy(&be->fork_lock);
    cca_lib_close(be->cca);
    OPENSSL_free(be);
}

int cca_backend_device_count(const struct cca_backend *be)
{
    return be != NULL ? be->device_count : 0;
}

const char *cca_backend_device_path(const struct cca_backend *be, int device)
{
    if (be == NULL || device < 0 || device >= be->device_count)
        return NULL;
    return be->devices[device].path;
}
