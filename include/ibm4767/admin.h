/*
 * Backend verbs of device administration (libibm4767): reset, injected
 * device-driver codes, firmware load and unload, master keys, access
 * control points, key token change and validation.  ibm4767-clu and
 * ibm4767-keys use them; protocol.h documents the wire fields and
 * doc/administration.md what each verb does to the device.
 *
 * device is an index into the configured devices, or -1 for the device
 * CSU_DEFAULT_ADAPTER pins, else the first one.  Every function returns 1
 * when the device returned rc 0 or 4 and 0 otherwise, with the codes in
 * res, like the verbs of cca.h.  Requests that change the device are sent
 * once and never resent: after a lost connection or a reset (12/4769)
 * the caller checks the device and decides.
 */
#ifndef IBM4767_ADMIN_H
#define IBM4767_ADMIN_H

#include <stddef.h>
#include <stdint.h>

#include <ibm4767/cca.h>
#include <ibm4767/protocol.h>

/* Reset: the device drops the requests in flight and runs its self-test
 * again.  Does not wait for the self-test to end. */
int cca_admin_reset(struct cca_backend *be, int device,
                    struct cca_result *res);

/* Make the device act on a device-driver code (8xxxxxxx), as after the
 * hardware event it stands for.  A tamper code zeroizes the device. */
int cca_admin_inject(struct cca_backend *be, int device,
                     uint32_t driver_code, struct cca_result *res);

/* Load (load != 0) or unload the CCA firmware. */
int cca_admin_firmware(struct cca_backend *be, int device, int load,
                       struct cca_result *res);

/* Clear the battery warning after the batteries were replaced. */
int cca_admin_battery_replaced(struct cca_backend *be, int device,
                               struct cca_result *res);

/* Load a master key part (CSNBMKP FIRST, MIDDLE, LAST) of type
 * IBM4767_MK_TYPE_* into the new register; reg receives the register's
 * state and, once it is full, its MKVP. */
int cca_master_key_load_part(struct cca_backend *be, int device,
                             uint32_t type, uint32_t part,
                             const uint8_t value[IBM4767_MK_PART_LEN],
                             struct cca_mk_register *reg,
                             struct cca_result *res);
/* CSNBMKP SET: new -> current -> old.  mkvp receives the current MKVP. */
int cca_master_key_set(struct cca_backend *be, int device, uint32_t type,
                       uint8_t mkvp[CCA_MKVP_LEN], struct cca_result *res);
/* CSNBMKP CLEAR: empty the new register. */
int cca_master_key_clear(struct cca_backend *be, int device, uint32_t type,
                         struct cca_result *res);

/* An access control point as ACP_QUERY lists it. */
struct cca_acp {
    char name[IBM4767_ACP_NAME_MAX + 1];
    int enabled;
    char description[160];
};

#define CCA_ACP_MAX 32

/* List the access control points into points (room for max); *count
 * receives how many the device reported (at most max are kept). */
int cca_acp_query(struct cca_backend *be, int device,
                  struct cca_acp *points, size_t max, size_t *count,
                  struct cca_result *res);
/* Enable or disable the point called name; 8/33 for an unknown name. */
int cca_acp_set(struct cca_backend *be, int device, const char *name,
                int enabled, struct cca_result *res);

/* CSNDKTC / CSNBKTC RTCMK: the token wrapped under the current master key
 * (a copy of it when it already is).  *out is allocated with
 * OPENSSL_malloc; the caller frees it.  Any ready device that holds the
 * token's master key can serve it. */
int cca_key_token_change(struct cca_backend *be, const uint8_t *token,
                         size_t token_len, uint8_t **out, size_t *out_len,
                         struct cca_result *res);

/* A retained key as the device lists it (CSNDRKL). */
struct cca_retained_key {
    char label[CCA_KEY_NAME_LEN + 1];  /* canonical label text */
    uint8_t *token;          /* its retained-key token (OPENSSL_malloc) */
    size_t token_len;
    int64_t created;         /* seconds since the Unix epoch (UTC) */
};

/* CSNDRKL: the retained keys of the device, sorted by label.  *keys is
 * NULL when there are none; free it with cca_retained_key_list_free(). */
int cca_retained_key_list(struct cca_backend *be, int device,
                          struct cca_retained_key **keys, size_t *count,
                          struct cca_result *res);
void cca_retained_key_list_free(struct cca_retained_key *keys, size_t count);

/* CSNDRKD: erase the retained key label in the device; 8/4787 when the
 * device keeps none with that label. */
int cca_retained_key_delete(struct cca_backend *be, int device,
                            const char *label, struct cca_result *res);

/* The index of the configured device that keeps the key of a
 * retained-key token, found by the serial number the token names (each
 * device is asked for its status once).  Fails with 12/4808 when no
 * device that answers has that serial number, and with 8/4806 when token
 * is not a retained-key token. */
int cca_retained_key_device(struct cca_backend *be, const uint8_t *token,
                            size_t token_len, int *device,
                            struct cca_result *res);

/* A status reply signed by the device key.  signed_data is what the
 * signature covers: the nonce, then the reply's fields from the state up
 * to the last counter.  Both buffers are allocated. */
struct cca_signed_status {
    struct cca_status status;
    uint8_t *signed_data;
    size_t signed_len;
    uint8_t *signature;
    size_t signature_len;
};

/* CSUACFQ with IBM4767_STATUS_SIGNED over nonce (at most 256 bytes).
 * Answers in every device state but ZEROIZED.  Clear ss with
 * cca_signed_status_clear() whatever the result. */
int cca_facility_query_signed(struct cca_backend *be, int device,
                              const uint8_t *nonce, size_t nonce_len,
                              struct cca_signed_status *ss,
                              struct cca_result *res);
void cca_signed_status_clear(struct cca_signed_status *ss);

/* The device's certificate chain: the class certificate and the device
 * certificate, DER, allocated with OPENSSL_malloc.  12/4785 when the
 * device key was never certified. */
int cca_validation_chain(struct cca_backend *be, int device,
                         uint8_t **class_der, size_t *class_len,
                         uint8_t **device_der, size_t *device_len,
                         struct cca_result *res);

#endif
