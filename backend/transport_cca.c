/*
 * The cca transport: loading IBM's CCA host library, choosing an adapter
 * for each call, turning the verbs' return and reason codes into
 * struct cca_result, and what each CCA level supports.
 *
 * The library is opened with RTLD_LOCAL, so its symbols never interpose
 * on the process's, and every verb the backend calls is resolved at once:
 * a library without one of them fails at start, not at the first key
 * operation.
 */
#include <config.h>

#include <dlfcn.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include <ibm4767/log.h>

#include "backend_int.h"
#include "ccaverbs.h"

/* Most adapters CCA addresses: CRP01 to CRP65. */
#define CCA_ADAPTERS_MAX 65
/* Rule array elements CSUACFQ may return, which the buffer must fit. */
#define FACILITY_RULE_MAX 32

/* Ids of opened libraries; 0 is never used. */
static atomic_ulong next_lib_id = 1;

/* ---- Rule arrays ---------------------------------------------------- */

void cca_rule_init(struct cca_rule *rule)
{
    memset(rule, ' ', sizeof(*rule));
    rule->count = 0;
}

void cca_rule_add(struct cca_rule *rule, const char *keyword)
{
    size_t len = strlen(keyword);

    if (rule->count >= CCA_RULE_MAX || len == 0 || len > CCA_KEYWORD_LEN)
        return;
    memcpy(rule->keywords + rule->count * CCA_KEYWORD_LEN, keyword, len);
    rule->count++;
}

/* ---- Loading ---------------------------------------------------------- */

/* A verb's name and the offset of its pointer in struct cca_lib. */
struct verb_slot {
    const char *name;
    size_t offset;
    int required;
};

#define VERB(name, required) { #name, offsetof(struct cca_lib, name), required }

static const struct verb_slot verb_slots[] = {
    VERB(CSUACFQ, 1),
    VERB(CSUACFV, 0),
    VERB(CSUACRA, 1),
    VERB(CSNDPKB, 1),
    VERB(CSNDPKG, 1),
    VERB(CSNDPKI, 1),
    VERB(CSNDPKX, 1),
    VERB(CSNDDSG, 1),
    VERB(CSNDDSV, 1),
    VERB(CSNDPKE, 1),
    VERB(CSNDPKD, 1),
    VERB(CSNDEDH, 1),
    VERB(CSNBKTB2, 1),
    VERB(CSNBKGN2, 1),
    VERB(CSNBKPI2, 1),
    VERB(CSNBSAE, 1),
    VERB(CSNBSAD, 1),
    VERB(CSNBRNGL, 1),
    VERB(CSNDKRC, 1),
    VERB(CSNDKRR, 1),
    VERB(CSNDKRW, 1),
    VERB(CSNDKRD, 1),
    VERB(CSNDKRL, 1),
    VERB(CSNBAKRC, 1),
    VERB(CSNBAKRR, 1),
    VERB(CSNBAKRW, 1),
    VERB(CSNBAKRD, 1),
    VERB(CSNBAKRL, 1),
};

/* Resolve every verb of verb_slots.  dlsym returns data pointers; POSIX
 * guarantees that a function's address survives the round trip. */
static int resolve_verbs(struct cca_lib *lib, char *err, size_t err_len)
{
    void *extension;

    for (size_t i = 0; i < sizeof(verb_slots) / sizeof(verb_slots[0]); i++) {
        const struct verb_slot *slot = &verb_slots[i];
        void *sym;

        dlerror();
        sym = dlsym(lib->handle, slot->name);
        if (sym == NULL && slot->required) {
            snprintf(err, err_len, "CCA library %s has no verb %s, which the "
                     "cca transport needs: install a CCA release that has "
                     "it, or use transport socket", lib->path, slot->name);
            return 0;
        }
        memcpy((char *)lib + slot->offset, &sym, sizeof(sym));
    }

    /* Only this project's emulator library has the status extension. */
    extension = dlsym(lib->handle, CCA_EMU_STATUS_SYMBOL);
    memcpy(&lib->emu_status, &extension, sizeof(extension));
    return 1;
}

/* Parse "V.R" or "V.R.M..." into lib->version and lib->release. */
static int parse_level(struct cca_lib *lib, const char *text)
{
    unsigned int version, release;

    if (sscanf(text, "%u.%u", &version, &release) != 2)
        return 0;
    lib->version = version;
    lib->release = release;
    snprintf(lib->level, sizeof(lib->level), "%u.%u", version, release);
    return 1;
}

/* The library's CCA level: CSUACFV where the library has it, else the
 * version field of CSUACFQ STATCCA (the fourth rule array element). */
static int query_level(struct cca_lib *lib, char *err, size_t err_len)
{
    unsigned char text[FACILITY_RULE_MAX * CCA_KEYWORD_LEN + 1];
    long rc = 0, reason = 0, exit_len = 0, len, count = 1;
    long verb_data_len = 0;

    memset(text, 0, sizeof(text));
    if (lib->CSUACFV != NULL) {
        len = (long)sizeof(text) - 1;
        lib->CSUACFV(&rc, &reason, &exit_len, NULL, &len, text);
        if (rc == 0 && len > 0 && len < (long)sizeof(text)) {
            text[len] = '\0';
            if (parse_level(lib, (const char *)text))
                return 1;
        }
    }

    /* NOTE: the version field's format in STATCCA is unconfirmed; it is
     * read as "V.R.M" like CSUACFV returns it. */
    memset(text, ' ', sizeof(text) - 1);
    memcpy(text, "STATCCA ", CCA_KEYWORD_LEN);
    lib->CSUACFQ(&rc, &reason, &exit_len, NULL, &count, text,
                 &verb_data_len, NULL);
    text[sizeof(text) - 1] = '\0';
    if (rc == 0 && count >= 4) {
        char field[CCA_KEYWORD_LEN + 1];

        memcpy(field, text + 3 * CCA_KEYWORD_LEN, CCA_KEYWORD_LEN);
        field[CCA_KEYWORD_LEN] = '\0';
        if (parse_level(lib, field))
            return 1;
    }
    snprintf(err, err_len, "CCA library %s reports no CCA level: CSUACFV "
             "%s and CSUACFQ STATCCA returned %ld/%ld", lib->path,
             lib->CSUACFV != NULL ? "failed" : "is missing", rc, reason);
    return 0;
}

struct cca_lib *cca_lib_open(const struct cca_config *cfg, char *err,
                             size_t err_len)
{
    struct cca_lib *lib = OPENSSL_zalloc(sizeof(*lib));
    const char *why;

    if (lib == NULL) {
        snprintf(err, err_len, "out of memory for the CCA library handle");
        return NULL;
    }
    snprintf(lib->path, sizeof(lib->path), "%s", cfg->cca_library);
    lib->id = atomic_fetch_add(&next_lib_id, 1);

    lib->handle = dlopen(lib->path, RTLD_NOW | RTLD_LOCAL);
    if (lib->handle == NULL) {
        why = dlerror();
        snprintf(err, err_len, "cannot load CCA library %s: %s; install "
                 "IBM's CCA host library or set cca-library "
                 "(IBM4767_CCA_LIBRARY) to its path", lib->path,
                 why != NULL ? why : "unknown dlopen error");
        goto err;
    }
    if (!resolve_verbs(lib, err, err_len) || !query_level(lib, err, err_len))
        goto err;

    IBM4767_INFO("CCA library %s loaded: CCA level %s%s", lib->path,
                 lib->level,
                 lib->emu_status != NULL ? " (this project's emulator "
                                           "library)" : "");
    return lib;

err:
    IBM4767_ERROR("%s", err);
    cca_lib_close(lib);
    return NULL;
}

void cca_lib_close(struct cca_lib *lib)
{
    if (lib == NULL)
        return;
    if (lib->handle != NULL)
        dlclose(lib->handle);
    OPENSSL_free(lib);
}

/* ---- Adapters --------------------------------------------------------- */

/* Return the adapter number of "CRPnn" (1 to 65), else 0. */
static int adapter_number(const char *name, size_t len)
{
    int n = 0;

    if (len != 5 || strncmp(name, "CRP", 3) != 0)
        return 0;
    for (size_t i = 3; i < 5; i++) {
        if (name[i] < '0' || name[i] > '9')
            return 0;
        n = n * 10 + (name[i] - '0');
    }
    return n >= 1 && n <= CCA_ADAPTERS_MAX ? n : 0;
}

/* Return 1 when every non-empty entry of list names an adapter. */
static int list_names_adapters(const char *list)
{
    const char *p = list;
    int entries = 0;

    while (*p != '\0') {
        size_t len = strcspn(p, ",");
        const char *start = p;

        p += len;
        if (*p == ',')
            p++;
        while (len > 0 && (*start == ' ' || *start == '\t')) {
            start++;
            len--;
        }
        while (len > 0 && (start[len - 1] == ' ' || start[len - 1] == '\t'))
            len--;
        if (len == 0)
            continue;
        if (adapter_number(start, len) == 0)
            return 0;
        entries++;
    }
    return entries > 0;
}

/* The adapter count, from element 1 of CSUACFQ STATCRD2. */
static int adapter_count(struct cca_lib *lib, char *err, size_t err_len)
{
    unsigned char text[FACILITY_RULE_MAX * CCA_KEYWORD_LEN];
    long rc = 0, reason = 0, exit_len = 0, count = 1, verb_data_len = 0;
    char field[CCA_KEYWORD_LEN + 1];
    long n;

    memset(text, ' ', sizeof(text));
    memcpy(text, "STATCRD2", CCA_KEYWORD_LEN);
    lib->CSUACFQ(&rc, &reason, &exit_len, NULL, &count, text,
                 &verb_data_len, NULL);
    if (rc != 0 || count < 1) {
        snprintf(err, err_len, "CCA library %s: CSUACFQ STATCRD2 returned "
                 "%ld/%ld, so the number of adapters is unknown; name them "
                 "in devices (CRP01,CRP02,...)", lib->path, rc, reason);
        return 0;
    }
    memcpy(field, text, CCA_KEYWORD_LEN);
    field[CCA_KEYWORD_LEN] = '\0';
    n = strtol(field, NULL, 10);
    if (n < 1 || n > CCA_ADAPTERS_MAX) {
        snprintf(err, err_len, "CCA library %s reports %ld adapters; no "
                 "coprocessor is available to this host", lib->path, n);
        return 0;
    }
    return (int)n;
}

int cca_lib_device_list(struct cca_lib *lib, const char *devices,
                        char *list, size_t cap, char *err, size_t err_len)
{
    size_t used = 0;
    int count;

    if (list_names_adapters(devices)) {
        snprintf(list, cap, "%s", devices);
        return 1;
    }
    count = adapter_count(lib, err, err_len);
    if (count == 0)
        return 0;
    if (count > CCA_MAX_DEVICES) {
        IBM4767_WARN("CCA library %s reports %d adapters; using the first "
                     "%d", lib->path, count, CCA_MAX_DEVICES);
        count = CCA_MAX_DEVICES;
    }
    list[0] = '\0';
    for (int i = 1; i <= count; i++) {
        int n = snprintf(list + used, cap - used, "%sCRP%02d",
                         i > 1 ? "," : "", i);

        if (n < 0 || (size_t)n >= cap - used)
            break;
        used += (size_t)n;
    }
    return 1;
}

/* The adapter the calling thread last allocated, and the id of the
 * library it allocated it in: CCA keeps the selection per thread. */
static _Thread_local unsigned long thread_lib_id;
static _Thread_local int thread_adapter = -1;

/* Allocate dev to the calling thread with CSUACRA DEVICE. */
static int allocate_adapter(struct cca_backend *be, struct cca_device *dev,
                            struct cca_result *res)
{
    struct cca_rule rule;
    unsigned char name[CCA_KEYWORD_LEN];
    long rc = 0, reason = 0, exit_len = 0, name_len = CCA_KEYWORD_LEN;

    if (thread_lib_id == be->cca->id && thread_adapter == dev->index)
        return 1;

    cca_rule_init(&rule);
    cca_rule_add(&rule, "DEVICE");
    memset(name, ' ', sizeof(name));
    memcpy(name, dev->path, strnlen(dev->path, sizeof(name)));
    be->cca->CSUACRA(&rc, &reason, &exit_len, NULL, &rule.count,
                     rule.keywords, &name_len, name);
    if (!cca_lib_result(be, dev, res, "CSUACRA DEVICE", rc, reason))
        return 0;
    thread_lib_id = be->cca->id;
    thread_adapter = dev->index;
    return 1;
}

/* The adapter with the fewest calls in flight, passing over one that
 * failed recently while another can serve; ties rotate. */
static struct cca_device *choose_adapter(struct cca_backend *be)
{
    struct cca_device *best = NULL;
    long long best_score = 0;
    long long now = cca_monotonic_ms();
    unsigned int start = atomic_fetch_add(&be->next_start, 1);

    for (int k = 0; k < be->device_count; k++) {
        struct cca_device *dev =
            &be->devices[(start + (unsigned int)k) %
                         (unsigned int)be->device_count];
        long long score = atomic_load(&dev->outstanding);

        if (atomic_load(&dev->down_until) > now)
            score += 1LL << 40;
        if (best == NULL || score < best_score) {
            best = dev;
            best_score = score;
        }
    }
    return best;
}

struct cca_device *cca_lib_begin(struct cca_backend *be, int want,
                                 struct cca_result *res)
{
    struct cca_device *dev;

    if (be == NULL || be->cca == NULL) {
        cca_result_set(res, CCA_RC_ERROR, CCA_RS_HOST_INVALID_ARGUMENT,
                       "no backend with transport cca given");
        return NULL;
    }
    if (be->pin_error[0] != '\0') {
        cca_result_set(res, CCA_RC_SETUP, CCA_RS_HOST_NO_DEVICE, "%s",
                       be->pin_error);
        return NULL;
    }
    if (want < 0)
        want = be->pinned;
    if (want >= be->device_count) {
        cca_result_set(res, CCA_RC_ERROR, CCA_RS_HOST_INVALID_ARGUMENT,
                       "adapter index %d is out of range: %d adapters are "
                       "configured", want, be->device_count);
        return NULL;
    }

    dev = want >= 0 ? &be->devices[want] : choose_adapter(be);
    atomic_fetch_add(&dev->outstanding, 1);
    if (!allocate_adapter(be, dev, res)) {
        atomic_fetch_sub(&dev->outstanding, 1);
        return NULL;
    }
    return dev;
}

void cca_lib_end(struct cca_backend *be, struct cca_device *dev)
{
    if (be == NULL || dev == NULL)
        return;
    atomic_fetch_sub(&dev->outstanding, 1);
}

int cca_lib_result(struct cca_backend *be, struct cca_device *dev,
                   struct cca_result *res, const char *verb, long rc,
                   long reason)
{
    cca_result_init(res);
    if (dev != NULL) {
        res->device = dev->index;
        snprintf(res->device_name, sizeof(res->device_name), "%s",
                 dev->name);
        snprintf(res->device_path, sizeof(res->device_path), "%.*s",
                 (int)sizeof(res->device_path) - 1, be->cca->path);
    }
    res->rc = (uint32_t)rc;
    res->reason = (uint32_t)reason;
    if (rc == CCA_RC_OK || rc == CCA_RC_WARNING)
        return 1;

    snprintf(res->detail, sizeof(res->detail), "%s returned %ld/%ld", verb,
             rc, reason);
    if (rc == CCA_RC_SETUP && dev != NULL)
        atomic_store(&dev->down_until,
                     cca_monotonic_ms() + CCA_DEVICE_HOLDOFF_MS);
    IBM4767_DEBUG("%s (%s): %s", dev != NULL ? dev->name : "-",
                  be->cca->path, res->detail);
    return 0;
}

void cca_lib_unsupported(const struct cca_backend *be, struct cca_result *res,
                         const char *what)
{
    cca_result_set(res, CCA_RC_ERROR, CCA_RS_ALGORITHM_UNSUPPORTED,
                   "%s is not supported by this card's CCA level %s (CCA "
                   "library %s); see doc/cca-verbs.md", what,
                   be->cca->level, be->cca->path);
}

void cca_lib_unavailable(const struct cca_backend *be, uint16_t verb,
                         struct cca_result *res)
{
    int emulator_only = verb == IBM4767_VERB_ADMIN_RESET
                        || verb == IBM4767_VERB_ADMIN_INJECT
                        || verb == IBM4767_VERB_ADMIN_FIRMWARE_LOAD
                        || verb == IBM4767_VERB_ADMIN_FIRMWARE_UNLOAD
                        || verb == IBM4767_VERB_ADMIN_BATTERY_REPLACED
                        || verb == IBM4767_VERB_VALIDATION_CHAIN;

    if (emulator_only)
        cca_result_set(res, CCA_RC_ERROR, CCA_RS_ALGORITHM_UNSUPPORTED,
                       "%s is an emulator request that IBM's CCA library "
                       "has no equivalent for (transport cca, CCA library "
                       "%s); use it with transport socket against "
                       "ibm4767-emud", ibm4767_verb_name(verb),
                       be->cca->path);
    else
        cca_result_set(res, CCA_RC_ERROR, CCA_RS_ALGORITHM_UNSUPPORTED,
                       "%s is not carried out over transport cca yet (CCA "
                       "library %s); use transport socket for it",
                       ibm4767_verb_name(verb), be->cca->path);
}

/* ---- Capabilities ----------------------------------------------------- */

int cca_lib_level_at_least(const struct cca_lib *lib, unsigned int version,
                           unsigned int release)
{
    return lib->version > version
           || (lib->version == version && lib->release >= release);
}

int cca_lib_supports(const struct cca_lib *lib, enum cca_capability cap)
{
    switch (cap) {
    case CCA_CAP_AES_GCM:
        return cca_lib_level_at_least(lib, 5, 2);
    case CCA_CAP_OAEP_SHA2:
        return cca_lib_level_at_least(lib, 8, 1);
    case CCA_CAP_EMULATOR_STATUS:
        return lib->emu_status != NULL;
    case CCA_CAP_AES_CTR:
    case CCA_CAP_OAEP_MGF1_OTHER:
    case CCA_CAP_OAEP_LABEL:
    case CCA_CAP_PSS_MGF1_OTHER:
    case CCA_CAP_RSA_TLS_PADDING:
    case CCA_CAP_RSA_RAW_DECRYPT:
    case CCA_CAP_ECDH_IMPORTED:
        return 0;
    }
    return 0;
}

int cca_backend_supports(const struct cca_backend *be,
                         enum cca_capability cap)
{
    if (be == NULL)
        return 0;
    if (be->cca == NULL)
        return 1;
    return cca_lib_supports(be->cca, cap);
}

const char *cca_backend_cca_level(const struct cca_backend *be)
{
    return be != NULL && be->cca != NULL ? be->cca->level : "";
}

int cca_backend_transport(const struct cca_backend *be)
{
    return be != NULL && be->cca != NULL ? CCA_TRANSPORT_CCA
                                         : CCA_TRANSPORT_SOCKET;
}
