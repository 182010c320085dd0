/*
 * The bad-input catalogue: tables of malformed frames, damaged and
 * misused key tokens, bad PEM files, bad parameters and bad labels, each
 * with the exact error it must get.  After every case the daemon must
 * still serve a good request.  badinput.sh starts the emulators; the
 * program takes their sockets:
 *
 *   badinput MAIN_SOCKET OTHER_SOCKET WORK_DIR
 *
 * OTHER_SOCKET is a second emulator with other master keys, for a token
 * of another coprocessor.  WORK_DIR contains the PEM files and key
 * storage.
 */
#ifndef IBM4767_BADINPUT_H
#define IBM4767_BADINPUT_H

#include <stddef.h>
#include <stdint.h>

#include <ibm4767/protocol.h>

/* A growable byte string; appending aborts when memory runs out. */
struct bi_buf {
    uint8_t *data;
    size_t len;
    size_t cap;
};

void bi_append(struct bi_buf *b, const void *p, size_t n);
void bi_u32(struct bi_buf *b, uint32_t v);
/* A byte string field: u32 length, then the bytes. */
void bi_bytes(struct bi_buf *b, const void *p, size_t n);
void bi_free(struct bi_buf *b);
/* Append a request frame header for a payload of len bytes. */
void bi_header(struct bi_buf *b, uint16_t verb, uint32_t request_id,
               uint32_t len);
/* Append a whole request frame. */
void bi_frame(struct bi_buf *b, uint16_t verb, const struct bi_buf *payload);

/* What came back for a request. */
struct bi_reply {
    int closed;              /* the daemon closed without a reply */
    uint32_t rc;
    uint32_t reason;
    struct bi_buf fields;    /* the payload after rc, reason, driver code */
};

int bi_connect(const char *path);
/* Write all of b; returns 1, or 0 when the daemon closed the socket. */
int bi_send(int fd, const struct bi_buf *b);
/* Read one reply frame.  Returns 1 with r filled (closed set when the
 * connection ended first), or 0 on a timeout or a malformed reply. */
int bi_read_reply(int fd, struct bi_reply *r);
/* One request on a new connection.  Returns 1 when a reply came. */
int bi_call(const char *path, uint16_t verb, const struct bi_buf *payload,
            struct bi_reply *r);
/* The first byte string field of a reply (a token, a signature). */
int bi_first_bytes(const struct bi_reply *r, struct bi_buf *out);
void bi_reply_free(struct bi_reply *r);

/* A good request (16 random bytes) on fd, or on a new connection when fd
 * is negative; returns 1 when the daemon served it. */
int bi_daemon_serves(const char *path, int fd);

/* Key tokens for the cases, made by the emulators at start. */
struct bi_keys {
    struct bi_buf rsa;           /* RSA-2048, signature and key management */
    struct bi_buf rsa_sign_only;
    struct bi_buf rsa_keymgmt_only;
    struct bi_buf rsa_public;    /* external token of rsa */
    struct bi_buf ec;            /* P-256, signature and key agreement */
    struct bi_buf ec_public;
    struct bi_buf aes;           /* AES-256, any mode */
    struct bi_buf other_rsa;     /* RSA token of the other emulator */
};

struct bi_env {
    const char *main_socket;
    const char *other_socket;
    const char *work_dir;
    struct bi_keys keys;
};

void bi_free_keys(struct bi_keys *keys);

/* Count of failed checks; every check prints "ok:" or "FAIL:". */
extern int bi_failures;
void bi_ok(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void bi_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The case groups.  Each runs its table and returns nothing; failures
 * are counted in bi_failures. */
int bi_make_keys(struct bi_env *env);
void bi_run_frame_cases(const struct bi_env *env);
void bi_run_token_cases(const struct bi_env *env);
void bi_run_size_cases(const struct bi_env *env);
void bi_run_provider_cases(const struct bi_env *env);

#endif
