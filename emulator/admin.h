/*
 * Device administration inside ibm4767-emud: resets, injected device-driver
 * codes, firmware load and unload, master key loading and change, access
 * control points and validation (device key certificate, signed status,
 * test hooks).  admin.c keeps the run-time state and the checks every
 * request passes, admin_mk.c the master key verbs, admin_token.c the key
 * token change, admin_state.c what of it the state directory keeps,
 * acp.c the access control points and validation.c the certificates.
 *
 * Locking: every verb runs holding dev->admin->lock, shared by the verbs
 * that use keys and exclusively by the verbs that change master keys,
 * access control points or zeroize the device.  A reset takes no lock: it
 * moves the device to the next epoch, and a request that started in an
 * earlier epoch is dropped (its reply carries 12/4769 with driver code
 * 8040FFFB) whether it ran or not.
 */
#ifndef IBM4767_EMUD_ADMIN_H
#define IBM4767_EMUD_ADMIN_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/types.h>

#include "emud.h"

/* Test hooks (--test-hook NAME), for the validation tests only. */
#define EMU_HOOK_REPLACE_DEVICE_KEY 0x01u /* sign status with another key */
#define EMU_HOOK_ALTER_STATUS       0x02u /* change a signed status field */
#define EMU_HOOK_SEGMENT_HASH       0x04u /* report another segment 3 hash */

/* Access control points, stored in the state directory.  Every point is
 * enabled on a new device. */
enum emu_acp {
    EMU_ACP_NONE = -1,
    EMU_ACP_CLEAR_KEY_IMPORT = 0,
    EMU_ACP_KEY_GENERATE,
    EMU_ACP_DECRYPT_TLS,
    EMU_ACP_RETAINED_KEY_CREATE,
    EMU_ACP_KEY_TOKEN_CHANGE,
    EMU_ACP_RETAINED_KEY_DELETE,
    EMU_ACP_COUNT,
};

/* Run-time administration state of the device. */
struct emu_admin {
    pthread_rwlock_t lock;
    atomic_uint epoch;           /* +1 at each reset, unload or zeroize */
    atomic_int firmware_loaded;
    atomic_uint zeroized_code;   /* tamper driver code, 0 while intact */
    atomic_uint battery_warning; /* 8040FFFE until battery-replaced */
    atomic_uint report_once;     /* code the next status reports, then 0 */
    atomic_uint rng_fault;       /* 8340038F until a status reports it */
    atomic_uint acp_disabled;    /* bit (1 << enum emu_acp) per disabled */
    EVP_PKEY *hook_key;          /* replace-device-key hook's signing key */
};

/* ---------------------------------------------------------------------- */
/* admin.c                                                                 */

/* Create dev->admin from the loaded state.  Returns 0 with a message in
 * err when memory runs out. */
int emu_admin_init(struct emu_device *dev, char *err, size_t err_len);
void emu_admin_free(struct emu_device *dev);

/* 0, or the tamper driver code of a zeroized device. */
uint32_t emu_admin_zeroized_code(const struct emu_device *dev);
int emu_admin_firmware_loaded(const struct emu_device *dev);

/*
 * I/O thread: decide whether a request may be queued.  Checks the peer of
 * an administration verb and the device state the verb needs, and stamps
 * the job with the current epoch.  Returns 1, or 0 with the error reply's
 * code and a description.
 */
int emu_admin_admit(struct emu_device *dev, struct emu_job *job,
                    uint32_t *rc, uint32_t *reason, char *detail,
                    size_t detail_len);

/* Worker: take the administration lock and check the request again
 * (epoch, state, RNG fault, access control).  Returns 1 when the verb may
 * run, 0 with res set.  Call emu_admin_job_end() in both cases. */
int emu_admin_job_begin(struct emu_device *dev, const struct emu_job *job,
                        struct emu_result *res);
/* Worker: drop the result of a request that a reset or tamper event
 * overtook, and release the lock. */
void emu_admin_job_end(struct emu_device *dev, const struct emu_job *job,
                       struct emu_result *res);

/* Device-driver code of a reply with this rc/reason: the tamper code, the
 * reset bit, the RNG fault, or the battery warning on a success. */
uint32_t emu_admin_reply_driver_code(const struct emu_device *dev,
                                     uint32_t rc, uint32_t reason);
/* The status reply's warning field.  Reading it clears an RNG fault and
 * a code reported once (intrusion latch, communication faults). */
uint32_t emu_admin_status_warning(struct emu_device *dev);

/* Start the self-test again and drop the requests in flight. */
void emu_admin_reset(struct emu_device *dev, const char *why);

emu_handler_fn emu_verb_admin_reset;
emu_handler_fn emu_verb_admin_inject;
emu_handler_fn emu_verb_admin_firmware_load;
emu_handler_fn emu_verb_admin_firmware_unload;
emu_handler_fn emu_verb_admin_battery_replaced;

/* ---------------------------------------------------------------------- */
/* admin_mk.c and admin_token.c                                            */

emu_handler_fn emu_verb_mk_load_part;
emu_handler_fn emu_verb_mk_set;
emu_handler_fn emu_verb_mk_clear;
emu_handler_fn emu_verb_key_token_change;

/* ---------------------------------------------------------------------- */
/* admin_state.c: files of the state directory                             */

/* --reinitialize: erase every file of a zeroized device (the lock
 * stays), so that a new device is made; an intact device is left alone. */
int emu_state_reinitialize(struct emu_state *st, char *err, size_t err_len);
/* Read the zeroized marker into st->zeroized_code (0 when absent) and,
 * on a zeroized device, erase any key file a crash left behind. */
int emu_state_load_zeroized(struct emu_state *st, char *err,
                            size_t err_len);
/* Write the zeroized marker, then overwrite and remove the master keys,
 * the retained keys, the device key and its certificates. */
int emu_state_zeroize(struct emu_state *st, uint32_t code, char *err,
                      size_t err_len);
/* Overwrite and remove one file of the state directory, and sync the
 * directory; a file that does not exist counts as removed. */
int emu_state_erase_file(const struct emu_state *st, const char *name,
                         char *err, size_t err_len);
/* Read and write the disabled access control points. */
int emu_state_load_acp(struct emu_state *st, char *err, size_t err_len);
int emu_state_save_acp(const struct emu_state *st, unsigned disabled,
                       char *err, size_t err_len);

/* ---------------------------------------------------------------------- */
/* acp.c                                                                   */

const char *emu_acp_name(enum emu_acp point);
/* The point named name (len bytes, not NUL-terminated), or EMU_ACP_NONE. */
enum emu_acp emu_acp_find(const char *name, size_t len);
/* The point a request needs, read from its verb and, for PKA_DECRYPT,
 * its padding field; EMU_ACP_NONE when none. */
enum emu_acp emu_acp_for_request(const struct emu_job *job);
/* Fail with 8/90 when point is disabled. */
int emu_acp_check(struct emu_device *dev, enum emu_acp point,
                  struct emu_result *res);

emu_handler_fn emu_verb_acp_query;
emu_handler_fn emu_verb_acp_set;

/* ---------------------------------------------------------------------- */
/* validation.c                                                            */

/* Load the device certificate and the class certificate from the state
 * directory, certifying the device key with the class key from
 * cfg->validation_dir when the state has no certificate yet, and set up
 * the test hooks.  A missing class key only leaves the device key
 * uncertified (logged); other failures return 0 with a message. */
int emu_validation_open(struct emu_device *dev, char *err, size_t err_len);
/* The key that signs status replies. */
EVP_PKEY *emu_validation_status_key(struct emu_device *dev);
/* Apply the alter-signed-status hook to signed status fields. */
void emu_validation_alter_status(struct emu_device *dev, uint8_t *fields,
                                 size_t len);
/* Apply the segment-hash hook to dev->segments. */
void emu_validation_apply_segment_hook(struct emu_device *dev);
/* --print-segments: print the segment hashes of this binary. */
int emu_validation_print_segments(const struct emu_config *cfg);

emu_handler_fn emu_verb_validation_chain;

#endif
