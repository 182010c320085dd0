/*
 * An ibm4767-emud running inside the fuzz process, and a client that
 * talks to it over its Unix socket.  The daemon's own main() runs in a
 * thread (its sources are compiled with main renamed to
 * ibm4767_emud_main), so the fuzz input goes through the same code as
 * requests from a real host: frame reading, the verb table, the engines
 * and the verb handlers.
 *
 * After start-up the client loads fixed AES and APKA master keys, so that
 * key tokens in the seed corpus (made by fuzz-frame-seeds under the same
 * keys) unwrap in every run.
 */
#ifndef IBM4767_FUZZ_EMU_CLIENT_H
#define IBM4767_FUZZ_EMU_CLIENT_H

#include <stddef.h>
#include <stdint.h>

#include <ibm4767/protocol.h>

int ibm4767_emud_main(int argc, char **argv);

/* Start the daemon on a socket in the process's temporary directory and
 * load the fixed master keys; aborts when it does not come up. */
void fuzz_emu_start(void);

/*
 * Send len bytes on a new connection, close its sending side and read
 * until the daemon closes the connection.  *replies (free with free())
 * gets everything the daemon sent.  Aborts when the daemon neither
 * answers nor closes within the time limit: a hang is a finding.
 */
void fuzz_emu_exchange(const uint8_t *data, size_t len, uint8_t **replies,
                       size_t *replies_len);

/* A growable byte string; the append functions abort when memory runs
 * out. */
struct fuzz_buf {
    uint8_t *data;
    size_t len;
    size_t cap;
};

void fuzz_buf_append(struct fuzz_buf *b, const void *p, size_t n);
void fuzz_buf_free(struct fuzz_buf *b);

/* Append one request frame, header and payload, to out. */
void fuzz_frame_append(struct fuzz_buf *out, uint16_t verb,
                       uint32_t request_id, const uint8_t *payload,
                       size_t payload_len);

/* Send one request and return the reply's rc, reason and payload after
 * the three codes (*fields, free with free()). */
void fuzz_emu_call(uint16_t verb, const struct ibm4767_wbuf *payload,
                   uint32_t *rc, uint32_t *reason, uint8_t **fields,
                   size_t *fields_len);

#endif
