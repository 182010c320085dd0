/*
 * libcsulcca-emu.so: set-up on the first verb, the adapters and each
 * thread's selection among them, rule array parsing and the helpers that
 * write results back with CCA's conventions.
 */
#include <config.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include <ibm4767/log.h>
#include <ibm4767/token.h>

#include "emu.h"

/* The library's state, set up once by emu_init(). */
struct emu_state {
    int ready;                        /* set-up succeeded */
    char error[1024];                 /* why it failed */
    long error_rc;
    long error_reason;
    unsigned int version;
    unsigned int release;
    int adapter_count;
    int default_adapter;
    struct cca_backend *backends[CCA_MAX_DEVICES];
    struct cca_keystore *keystore;
};

static struct emu_state state;
static pthread_once_t init_once = PTHREAD_ONCE_INIT;

/* The adapter CSUACRA selected for this thread, -1 for the default. */
static _Thread_local int thread_adapter = -1;

static void init_fail(long rc, long reason, const char *message)
{
    snprintf(state.error, sizeof(state.error), "%s", message);
    state.error_rc = rc;
    state.error_reason = reason;
    /* A library has no other way to tell why every verb fails. */
    fprintf(stderr, "libcsulcca-emu: %s\n", state.error);
}

static int parse_level(const char *text)
{
    unsigned int version, release;
    char tail;

    if (sscanf(text, "%u.%u%c", &version, &release, &tail) != 2
        || version == 0 || version > 99 || release > 99)
        return 0;
    state.version = version;
    state.release = release;
    return 1;
}

/* CSU_DEFAULT_ADAPTER: CRPnn names the default adapter; unset or DEV-ANY
 * means CRP01. */
static int parse_default_adapter(void)
{
    const char *value = getenv("CSU_DEFAULT_ADAPTER");
    char message[256];
    int n;

    state.default_adapter = 0;
    if (value == NULL || value[0] == '\0' || strcmp(value, "DEV-ANY") == 0)
        return 1;
    if (strlen(value) == 5 && strncmp(value, "CRP", 3) == 0
        && sscanf(value + 3, "%2d", &n) == 1 && n >= 1
        && n <= state.adapter_count) {
        state.default_adapter = n - 1;
        return 1;
    }
    snprintf(message, sizeof(message), "CSU_DEFAULT_ADAPTER=%.32s names no "
             "adapter: use CRP01 to CRP%02d or DEV-ANY", value,
             state.adapter_count);
    init_fail(CCA_RC_SETUP, CCA_RS_HOST_NO_DEVICE, message);
    return 0;
}

/* One backend per socket of the device list, so that each adapter is
 * one device and a thread's selection picks its backend. */
static int open_adapters(const struct cca_config *base)
{
    struct cca_config cfg = *base;
    const char *p = base->devices;
    char message[768];

    while (*p != '\0' && state.adapter_count < CCA_MAX_DEVICES) {
        size_t len = strcspn(p, ",");
        struct cca_backend *be;
        char err[512];

        if (len > 0 && len < sizeof(cfg.devices)) {
            memcpy(cfg.devices, p, len);
            cfg.devices[len] = '\0';
            be = cca_backend_open(&cfg, err, sizeof(err));
            if (be == NULL) {
                snprintf(message, sizeof(message), "adapter CRP%02d: %s",
                         state.adapter_count + 1, err);
                init_fail(CCA_RC_SETUP, CCA_RS_HOST_NO_DEVICE, message);
                return 0;
            }
            state.backends[state.adapter_count++] = be;
        }
        p += len;
        if (*p == ',')
            p++;
    }
    if (state.adapter_count == 0) {
        init_fail(CCA_RC_SETUP, CCA_RS_HOST_NO_DEVICE,
                  "no adapter: set IBM4767_DEVICES to the emulator's socket "
                  "paths");
        return 0;
    }
    return 1;
}

static void init_state(void)
{
    struct cca_config cfg;
    char err[256] = "";
    char message[320];
    const char *level = getenv("IBM4767_EMU_CCA_LEVEL");

    cca_config_defaults(&cfg);
    if (!cca_config_apply_env(&cfg, err, sizeof(err))) {
        init_fail(CCA_RC_SETUP, CCA_RS_HOST_INVALID_ARGUMENT, err);
        return;
    }
    /* This library is the far end of the cca transport: it must never
     * load itself, and it applies CSU_DEFAULT_ADAPTER itself. */
    cfg.transport = CCA_TRANSPORT_SOCKET;
    cfg.ignore_default_adapter = 1;
    if (cfg.log_level > IBM4767_LOG_OFF)
        ibm4767_log_open("libcsulcca-emu", cfg.log_level, cfg.log_file);

    if (!parse_level(level != NULL && level[0] != '\0' ? level
                                                        : EMU_DEFAULT_LEVEL)) {
        snprintf(message, sizeof(message), "IBM4767_EMU_CCA_LEVEL=%.32s is "
                 "invalid: use version.release, for example 5.4 or 8.1",
                 level);
        init_fail(CCA_RC_SETUP, CCA_RS_HOST_INVALID_ARGUMENT, message);
        return;
    }
    if (!open_adapters(&cfg) || !parse_default_adapter())
        return;

    state.keystore = cca_keystore_new(cca_keystore_choose_path(NULL),
                                      CCA_KEYSTORE_CREATE);
    if (state.keystore == NULL) {
        init_fail(CCA_RC_SETUP, CCA_RS_HOST_KEY_STORAGE,
                  "cannot set up key storage: the path in "
                  "IBM4767_KEY_STORAGE is empty or too long");
        return;
    }
    IBM4767_INFO("CCA emulator library ready: CCA level %u.%u, %d "
                 "adapter%s", state.version, state.release,
                 state.adapter_count, state.adapter_count == 1 ? "" : "s");
    state.ready = 1;
}

/* Release the adapters and key storage when the library is unloaded
 * (dlclose by the cca transport, or process exit). */
static void __attribute__((destructor)) release_state(void)
{
    for (int i = 0; i < state.adapter_count; i++)
        cca_backend_free(state.backends[i]);
    cca_keystore_free(state.keystore);
    memset(&state, 0, sizeof(state));
}

int emu_init(struct emu_status_code *sc)
{
    pthread_once(&init_once, init_state);
    if (state.ready)
        return 1;
    emu_set(sc, state.error_rc, state.error_reason);
    return 0;
}

int emu_adapter(void)
{
    return thread_adapter >= 0 ? thread_adapter : state.default_adapter;
}

struct cca_backend *emu_backend(void)
{
    return state.backends[emu_adapter()];
}

struct cca_backend *emu_backend_of(int adapter)
{
    if (adapter < 0 || adapter >= state.adapter_count)
        return NULL;
    return state.backends[adapter];
}

int emu_adapter_count(void)
{
    return state.adapter_count;
}

int emu_default_adapter(void)
{
    return state.default_adapter;
}

void emu_select_adapter(int adapter)
{
    thread_adapter = adapter;
}

void emu_level(unsigned int *version, unsigned int *release)
{
    *version = state.version;
    *release = state.release;
}

int emu_level_at_least(unsigned int version, unsigned int release)
{
    return state.version > version
           || (state.version == version && state.release >= release);
}

struct cca_keystore *emu_keystore(void)
{
    return state.keystore;
}

/* ---- Rule arrays ------------------------------------------------------ */

/* Find keyword in groups; sets *group and *index, or returns 0. */
static int find_keyword(const char *keyword, const struct emu_group *groups,
                        int ngroups, int *group, int *index)
{
    for (int g = 0; g < ngroups; g++) {
        for (int i = 0; groups[g].keywords[i].name != NULL; i++) {
            if (strcmp(groups[g].keywords[i].name, keyword) == 0) {
                *group = g;
                *index = i;
                return 1;
            }
        }
    }
    return 0;
}

int emu_parse_rules(const long *rule_count, const unsigned char *rule,
                    int min, int max, const struct emu_group *groups,
                    int ngroups, int *found, struct emu_status_code *sc)
{
    long count = rule_count != NULL ? *rule_count : 0;

    for (int g = 0; g < ngroups; g++)
        found[g] = -1;
    if (count < min || count > max || count > EMU_RULE_MAX
        || (count > 0 && rule == NULL)) {
        emu_set(sc, CCA_RC_ERROR, CCA_RS_RULE_COUNT);
        return 0;
    }

    for (long k = 0; k < count; k++) {
        char keyword[EMU_KEYWORD_LEN + 1];
        const struct emu_keyword *kw;
        int g, i, len = EMU_KEYWORD_LEN;

        memcpy(keyword, rule + k * EMU_KEYWORD_LEN, EMU_KEYWORD_LEN);
        while (len > 0 && keyword[len - 1] == ' ')
            len--;
        keyword[len] = '\0';
        if (!find_keyword(keyword, groups, ngroups, &g, &i)) {
            emu_set(sc, CCA_RC_ERROR, CCA_RS_KEYWORD_INVALID);
            return 0;
        }
        kw = &groups[g].keywords[i];
        if (!emu_level_at_least(kw->version, kw->release)) {
            emu_set(sc, CCA_RC_ERROR, CCA_RS_KEYWORD_INVALID);
            return 0;
        }
        if (found[g] >= 0) {
            emu_set(sc, CCA_RC_ERROR, CCA_RS_KEYWORD_COMBINATION);
            return 0;
        }
        if (kw->unsupported) {
            emu_set(sc, CCA_RC_ERROR, EMU_RS_UNSUPPORTED);
            return 0;
        }
        found[g] = i;
    }

    for (int g = 0; g < ngroups; g++) {
        if (groups[g].required && found[g] < 0) {
            emu_set(sc, CCA_RC_ERROR, CCA_RS_KEYWORD_COMBINATION);
            return 0;
        }
    }
    return 1;
}

/* ---- Results and outputs ---------------------------------------------- */

void emu_set(struct emu_status_code *sc, long rc, long reason)
{
    sc->rc = rc;
    sc->reason = reason;
}

void emu_from_result(struct emu_status_code *sc, const struct cca_result *res)
{
    sc->rc = (long)res->rc;
    sc->reason = (long)res->reason;
    if (res->rc != CCA_RC_OK)
        IBM4767_DEBUG("%u/%u: %s", res->rc, res->reason, res->detail);
}

void emu_finish(const struct emu_status_code *sc, long *rc, long *reason)
{
    if (rc != NULL)
        *rc = sc->rc;
    if (reason != NULL)
        *reason = sc->reason;
}

int emu_output(const uint8_t *data, size_t len, unsigned char *out,
               long *cap, struct emu_status_code *sc)
{
    if (cap == NULL || *cap < 0 || (size_t)*cap < len
        || (out == NULL && len > 0)) {
        if (cap != NULL)
            *cap = (long)len;
        emu_set(sc, CCA_RC_ERROR, CCA_RS_LENGTH_INVALID);
        return 0;
    }
    if (len > 0)
        memcpy(out, data, len);
    *cap = (long)len;
    return 1;
}

int emu_label_text(const unsigned char *field, char text[CCA_LABEL_LEN + 1],
                   struct emu_status_code *sc)
{
    size_t len = CCA_LABEL_LEN;

    if (field == NULL) {
        emu_set(sc, CCA_RC_ERROR, CCA_RS_LABEL_INVALID);
        return 0;
    }
    memcpy(text, field, CCA_LABEL_LEN);
    while (len > 0 && (text[len - 1] == ' ' || text[len - 1] == '\0'))
        len--;
    text[len] = '\0';
    return 1;
}

int emu_sym_token(const unsigned char *token, long len,
                  struct cca_sym_token *tok, struct emu_status_code *sc)
{
    uint32_t token_reason = 0;

    if (token == NULL || len <= 0 || len > EMU_AES_TOKEN_MAX) {
        emu_set(sc, CCA_RC_ERROR, CCA_RS_LENGTH_INVALID);
        return 0;
    }
    if (!cca_sym_token_parse(token, (size_t)len, tok, &token_reason, NULL,
                             0)) {
        emu_set(sc, CCA_RC_ERROR, (long)token_reason);
        return 0;
    }
    return 1;
}

/* ---- This library's CSNDPKB tokens ------------------------------------ */

int emu_pka_build_parse(const uint8_t *token, size_t len,
                        struct emu_pka_build *out)
{
    const uint8_t *sec = token + CCA_TOKEN_HEADER_LEN;
    size_t sec_len, data_off;

    if (token == NULL || len < CCA_TOKEN_HEADER_LEN + 10
        || token[0] != CCA_TOKEN_EXTERNAL_PKA
        || (((size_t)token[2] << 8) | token[3]) != len)
        return 0;
    sec_len = ((size_t)sec[2] << 8) | sec[3];
    if (sec_len != len - CCA_TOKEN_HEADER_LEN
        || (sec[0] != EMU_SECTION_SKELETON && sec[0] != EMU_SECTION_CLEAR_KEY))
        return 0;

    out->section = sec[0];
    out->alg = sec[4];
    out->usage = sec[5];
    if (sec[0] == EMU_SECTION_SKELETON) {
        out->bits = (uint16_t)((sec[6] << 8) | sec[7]);
        out->data_len = ((size_t)sec[8] << 8) | sec[9];
        data_off = 10;
    } else {
        out->bits = 0;
        out->data_len = ((size_t)sec[6] << 8) | sec[7];
        data_off = 8;
    }
    if (data_off + out->data_len != sec_len)
        return 0;
    out->data = sec + data_off;
    return 1;
}
