/*
 * A scripted stand-in for ibm4767-emud, for the backend's unit tests.  It
 * serves the wire protocol on a Unix socket in a private temporary
 * directory, one thread per connection, and builds its replies from the
 * fields of struct fake_script, which tests change between requests.  It implements
 * no cryptography: replies carry fixed patterns.
 */
#ifndef IBM4767_FAKE_DEVICE_H
#define IBM4767_FAKE_DEVICE_H

#include <stddef.h>
#include <stdint.h>

#define FAKE_SIGNATURE_LEN 64
#define FAKE_TOKEN_LEN     40
/* Output of import, extract, decrypt, encrypt and ECDH replies. */
#define FAKE_OUTPUT        "out"

struct fake_script {
    uint32_t state;               /* enum cca_device_state */
    int self_test_polls;          /* status replies still saying
                                   * SELF_TEST before READY */
    uint32_t status_driver_code;
    int verb_self_test;           /* verbs still to get 12/4767 */
    int drop_requests;            /* verbs to drop by closing the
                                   * connection without a reply */
    int wrong_id;                 /* next verb reply gets another id */
    int trailing_bytes;           /* next verb reply gets 2 extra bytes */
    uint32_t verb_rc, verb_reason;     /* next verb reply's code, once */
    uint32_t verb_driver_code;         /* next verb reply's driver code */
    int verb_fail_count;          /* verb replies that carry verb_rc */
    uint32_t ok_driver_code;      /* driver code on successful replies */
    int close_idle;               /* close a connection after its reply */
};

struct fake_stats {
    int connections;
    int status_requests;
    int verb_requests;            /* every verb except status */
    int random_requests;
    int sign_requests;
    int keygen_requests;
    size_t random_bytes;
    uint8_t last_request[512];    /* the start of the last verb payload */
    size_t last_request_len;
};

struct fake_device;

/* Start a device serving a socket in a new temporary directory. */
struct fake_device *fake_device_start(void);
/* Stop it, join its threads and remove the directory. */
void fake_device_stop(struct fake_device *fd);
const char *fake_device_path(const struct fake_device *fd);

/* Change the script or read the counters under the device's lock. */
void fake_device_set(struct fake_device *fd, const struct fake_script *s);
void fake_device_get(struct fake_device *fd, struct fake_script *s);
void fake_device_stats(struct fake_device *fd, struct fake_stats *st);

#endif
