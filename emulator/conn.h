/*
 * One client connection, shared by conn.c (frames, replies, reference
 * counting) and server.c (the lists the I/O thread keeps).
 *
 * Ownership: the I/O thread holds one reference while the connection is
 * open, every job read from it holds one, and so does an entry on the
 * server's notify list.  The descriptor is closed only when the last
 * reference goes, so a worker can never write to a reused descriptor.
 */
#ifndef IBM4767_EMUD_CONN_H
#define IBM4767_EMUD_CONN_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "emud.h"

/* Bytes read from the socket at a time. */
#define CONN_INBUF            16384u
/* Requests one connection may have queued or running at once. */
#define CONN_MAX_IN_FLIGHT    256u
/* Payload bytes one connection may have queued or running at once (a
 * single frame of any allowed size is always accepted). */
#define CONN_MAX_IN_FLIGHT_BYTES (8u * 1024u * 1024u)
/* Unsent reply bytes above which reading stops until the peer catches
 * up, and the level at which it starts again. */
#define CONN_OUT_HIGH_WATER   (1024u * 1024u)
#define CONN_OUT_LOW_WATER    (256u * 1024u)
/* Bytes read per readable event before other connections get a turn. */
#define CONN_READ_BUDGET      (256u * 1024u)

enum conn_pause {
    CONN_RUNNING = 0,
    CONN_PAUSED_QUEUE,     /* an engine queue is full (server's list) */
    CONN_PAUSED_IN_FLIGHT, /* too many requests outstanding */
    CONN_PAUSED_OUTPUT,    /* the peer does not read its replies */
};

struct emu_conn {
    struct emu_server *srv;
    int fd;
    int epoll_fd;
    unsigned long id;

    /* Guarded by lock. */
    pthread_mutex_t lock;
    unsigned refs;
    unsigned in_flight;
    size_t in_flight_bytes;
    int closed;              /* shut down: replies are dropped */
    int reading;             /* EPOLLIN wanted */
    uint32_t armed;          /* events registered with epoll */
    int notify_when_done;    /* a finished job wakes the I/O thread */
    uint8_t *out;            /* replies not yet written */
    size_t out_off;
    size_t out_len;
    size_t out_cap;

    /* I/O thread only. */
    uint8_t in[CONN_INBUF];
    size_t in_start;
    size_t in_end;
    struct emu_job *job;     /* frame whose payload is being read */
    size_t job_have;
    struct emu_job *pending; /* complete frame waiting for queue room */
    enum conn_pause pause;
    int peer_done;           /* the peer sent EOF */
    int draining;            /* reply to what was read, then close */

    /* Server lists (I/O thread only, except notify_* under the server's
     * notify lock). */
    struct emu_conn *prev;
    struct emu_conn *next;
    struct emu_conn *paused_next;
    int on_paused_list;
    struct emu_conn *notify_next;
    int on_notify_list;
    struct emu_conn *closed_next;
};

/* Check whether the I/O thread may run a request itself in this event
 * round (server.c).  It may only in a round with one ready descriptor, so
 * that requests from several clients at once still spread over the
 * workers. */
int emu_server_inline_round(const struct emu_server *srv);

#endif
