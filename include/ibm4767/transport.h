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
/* Bytes already read from the socket that no cca_conn_recv() took yet.
 * Waiting on the descriptor does not see them. */
size_t cca_conn_buffered(const struct cca_conn *c);

/* Send one request frame.  Returns 1, or 0 when the connection failed. */
int cca_conn_send(struct cca_conn *c, uint16_t verb, uint32_t request_id,
                  const uint8_t *payload, size_t len);

/* Try to read, without sleeping, again and again for at most max_us
 * microseconds.  Returns 1 as soon as bytes arrived (they wait in the
 * connection's buffer for cca_conn_recv) or the connection reports end of
 * file or an error, 0 when the time is up.  A caller that expects a reply within
 * a few tens of microseconds saves the cost of going to sleep and being
 * woken, which on a virtual machine is larger than such a reply. */
int cca_conn_spin_readable(struct cca_conn *c, unsigned max_us);

/* Receive one reply frame.  *payload is allocated (free with
 * OPENSSL_clear_free(*payload, *len)).  Returns 1, or 0 on a closed
 * connection, an I/O error or a malformed header, with a message in err.
 * timeout_ms < 0 waits without limit. */
int cca_conn_recv(struct cca_conn *c, struct ibm4767_header *hdr,
                  uint8_t **payload, size_t *len, int timeout_ms, char *err,
                  size_t err_len);

#endif
