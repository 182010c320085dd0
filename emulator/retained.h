/*
 * Retained keys: RSA and EC private keys that the device generates with
 * CCA's RETAIN rule and keeps inside, by label.  They never leave the
 * device, wrapped or otherwise.  The host gets a retained-key token
 * (ibm4767/token.h) with the public key, the label and the device's
 * serial number, and every request with that token must come to this
 * device.
 *
 * retained.c keeps the store.  The keys are held ready as EVP_PKEY
 * objects, so the unwrapped-key cache is not involved.  The state
 * directory keeps one file per key, retained-key.LABEL (mode 0600, written
 * atomically like the other state files), with the token and the private
 * key in the form a wrapped token carries it.  A master key change leaves
 * them alone, since nothing wraps them; a tamper event erases them with
 * the master keys (admin_state.c).  retained_verbs.c contains the generate,
 * list and delete verbs.
 *
 * Locking: lookups take the store's read lock.  A create or delete takes
 * a mutex of its own while it writes or erases the file, and the write
 * lock only to change the table.  Every verb runs under the shared
 * administration lock, and zeroize under the exclusive one, so no verb
 * runs while the store is cleared.
 */
#ifndef IBM4767_EMUD_RETAINED_H
#define IBM4767_EMUD_RETAINED_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/types.h>

#include <ibm4767/keystore.h>
#include <ibm4767/protocol.h>

#include "emud.h"

/* File name prefix of the retained keys in the state directory. */
#define EMU_STATE_RETAINED_PREFIX "retained-key."

/* Load the retained keys of the state directory into dev->retained (a
 * zeroized device has none).  Returns 0 with a message in err when a file
 * is damaged or memory runs out. */
int emu_retained_open(struct emu_device *dev, char *err, size_t err_len);
void emu_retained_free(struct emu_device *dev);
/* Drop every key from memory; the caller erases the files. */
void emu_retained_clear(struct emu_device *dev);

/* Resolve a parsed retained-key token to its key (a new reference in
 * *pkey).  Fails with 8/4787 when the token names another device, or
 * when this device keeps no key under its label or another key than the
 * token's. */
int emu_retained_get(struct emu_device *dev, const uint8_t *token,
                     size_t len, const struct cca_pka_token *tok,
                     EVP_PKEY **pkey, struct emu_result *res);

/* Keep the key of internal token (just generated, wrapped under the
 * current APKA master key) as retained key label, and return its
 * retained-key token in *out (OPENSSL_malloc).  Fails with 8/44 when
 * label is taken and 8/4788 when the store is full. */
int emu_retained_create(struct emu_device *dev, const char *label,
                        const uint8_t *token, size_t token_len,
                        uint8_t **out, size_t *out_len,
                        struct emu_result *res);
/* 1 when the store contains a key under label. */
int emu_retained_exists(struct emu_device *dev, const char *label);
/* Erase retained key label, file first; 8/4787 when there is none. */
int emu_retained_delete(struct emu_device *dev, const char *label,
                        struct emu_result *res);
/* Append the list reply of RETAINED_KEY_LIST (protocol.h). */
int emu_retained_put_list(struct emu_device *dev, struct ibm4767_wbuf *wb);

emu_handler_fn emu_verb_pka_key_generate_retained;
emu_handler_fn emu_verb_retained_key_list;
emu_handler_fn emu_verb_retained_key_delete;

#endif
