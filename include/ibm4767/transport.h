/*
 * One connection to a device socket, below the verb API.  The backend's
 * connection pool and the tests that check pipelining use it directly.
 * A connection is not thread-safe by itself; callers serialise sends and
 * receives on it.
 */
#ifndef IBM4767_TRANSPORT_H
#define IBM4767_TRANSPORT_H

#include <stddef.h>
#include <stdint.h>

#include <ibm4767/protocol.h>

struct cca_conn;

/* Connect to the socket at path.  On failure returns NULL and writes a
 * message naming the path and the system error into err. */
struct cca_conn *cca_conn_open(const char *path, char *err, size_t err_len);
void cca_conn_close(struct cca_conn *c);
int cca_conn_fd(const struct cca_conn *c);

/* Send one request frame.  Returns 1, or 0 when the connection failed. */
int cca_conn_send(struct cca_conn *c, uint16_t verb, uint32_t request_id,
                  const uint8_t *payload, size_t len);

/* Receive one reply frame.  *payload is allocated (free with
 * OPENSSL_clear_free(*payload, *len)).  Returns 1, or 0 on a closed
 * connection, an I/O error or a malformed header, with a message in err.
 * timeout_ms < 0 waits without limit. */
int cca_conn_recv(struct cca_conn *c, struct ibm4767_header *hdr,
                  uint8_t **payload, size_t *len, int timeout_ms, char *err,
                  size_t err_len);

#endif
