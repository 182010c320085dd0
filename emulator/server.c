/*
 * The I/O thread: one epoll loop over the listening socket, the client
 * connections, an eventfd that workers use to wake it, and a signalfd for
 * SIGTERM and SIGINT.  It owns the engines (worker pools) and the lists
 * of open, paused and closing connections.
 */
#include <config.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include <ibm4767/log.h>

#include "conn.h"

#define MAX_EVENTS        64
#define MAX_CONNECTIONS   4096u
/* Jobs queued per worker before back-pressure starts. */
#define QUEUE_PER_WORKER  64u
/* Pause after accept() runs out of descriptors. */
#define ACCEPT_BACKOFF_MS 100
/* Maximum earlier run time, in microseconds, of a kind of job that the
 * I/O thread runs itself instead of waking a worker (see engine.c).  It
 * bounds how long other connections can wait for the I/O thread.  A job
 * only runs there when it is the round's single event and a worker is
 * idle.  Measured on a 2-CPU test host: a P-256 signature takes about
 * 20 us, an RSA-2048 one about 250 us (up to 1 ms under load) and an
 * RSA-4096 one about 1.7 ms.  Handing a job to a worker costs a wake-up of
 * 20 to 40 us. */
#define INLINE_MAX_US     2000u
/* Rounds in a row with one request, all from the same connection, before
 * the I/O thread starts to spin (see next_events()). */
#define SPIN_STREAK       4u

struct emu_server {
    struct emu_device *dev;
    struct emu_engine *engines[EMU_ENGINE_COUNT];
    int epoll_fd;
    int listen_fd;
    int wake_fd;
    int signal_fd;
    int stopping;
    int inline_round;            /* see emu_server_inline_round() */
    unsigned spin_us;            /* 0: never spin */
    const void *streak_tag;      /* connection of the last one-event round */
    unsigned streak;             /* one-event rounds in a row from it */
    int64_t accept_resume_ms;    /* 0: accepting */
    unsigned long next_conn_id;
    size_t conn_count;
    struct emu_conn *conns;      /* open connections */
    struct emu_conn *paused;     /* waiting for queue room */
    struct emu_conn *closing;    /* closed this round, unref'd after it */
    pthread_mutex_t notify_lock;
    struct emu_conn *notify;
};

/* Distinct addresses that tag the non-connection descriptors in epoll. */
static char tag_listen, tag_wake, tag_signal;

static int64_t now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

struct emu_device *emu_server_device(struct emu_server *srv)
{
    return srv->dev;
}

struct emu_engine *emu_server_engine(struct emu_server *srv,
                                     enum emu_engine_id id)
{
    return srv->engines[id];
}

int emu_server_inline_round(const struct emu_server *srv)
{
    return srv->inline_round;
}

void emu_server_wake(void *arg)
{
    struct emu_server *srv = arg;
    uint64_t one = 1;

    /* A full counter means a wake-up is already pending. */
    if (write(srv->wake_fd, &one, sizeof(one)) < 0 && errno != EAGAIN)
        IBM4767_ERROR("cannot wake the I/O thread: %s", strerror(errno));
}

void emu_server_notify(struct emu_server *srv, struct emu_conn *conn)
{
    int queued = 0;

    pthread_mutex_lock(&srv->notify_lock);
    if (!conn->on_notify_list) {
        emu_conn_ref(conn);
        conn->on_notify_list = 1;
        conn->notify_next = srv->notify;
        srv->notify = conn;
        queued = 1;
    }
    pthread_mutex_unlock(&srv->notify_lock);
    if (queued)
        emu_server_wake(srv);
}

void emu_server_pause(struct emu_server *srv, struct emu_conn *conn)
{
    if (conn->on_paused_list)
        return;
    conn->on_paused_list = 1;
    conn->paused_next = srv->paused;
    srv->paused = conn;
}

/* ---------------------------------------------------------------------- */
/* Connection lists                                                        */

static void unlink_paused(struct emu_server *srv, struct emu_conn *conn)
{
    struct emu_conn **link = &srv->paused;

    if (!conn->on_paused_list)
        return;
    while (*link != conn)
        link = &(*link)->paused_next;
    *link = conn->paused_next;
    conn->on_paused_list = 0;
}

static void close_conn(struct emu_server *srv, struct emu_conn *conn)
{
    if (conn->closed)
        return;
    emu_conn_close(conn);
    unlink_paused(srv, conn);
    if (conn->prev != NULL)
        conn->prev->next = conn->next;
    else
        srv->conns = conn->next;
    if (conn->next != NULL)
        conn->next->prev = conn->prev;
    conn->prev = conn->next = NULL;
    srv->conn_count--;
    /* Events for it may still follow in this round; drop the I/O
     * thread's reference only after the round. */
    conn->closed_next = srv->closing;
    srv->closing = conn;
}

static void release_closed(struct emu_server *srv)
{
    struct emu_conn *conn = srv->closing;

    srv->closing = NULL;
    while (conn != NULL) {
        struct emu_conn *next = conn->closed_next;

        emu_conn_unref(conn);
        conn = next;
    }
}

/* Retry connections that waited for room in an engine queue. */
static void resume_paused(struct emu_server *srv)
{
    struct emu_conn *list = srv->paused;

    srv->paused = NULL;
    while (list != NULL) {
        struct emu_conn *conn = list;

        list = conn->paused_next;
        conn->on_paused_list = 0;
        if (conn->closed)
            continue;
        if (!emu_conn_resume(conn) || emu_conn_is_finished(conn))
            close_conn(srv, conn);
    }
}

/* Look again at every connection a worker asked about. */
static void process_notify_list(struct emu_server *srv)
{
    struct emu_conn *list;

    pthread_mutex_lock(&srv->notify_lock);
    list = srv->notify;
    srv->notify = NULL;
    for (struct emu_conn *c = list; c != NULL; c = c->notify_next)
        c->on_notify_list = 0;
    pthread_mutex_unlock(&srv->notify_lock);

    while (list != NULL) {
        struct emu_conn *conn = list;

        list = conn->notify_next;
        if (!conn->closed) {
            int ok = 1;

            if (emu_conn_is_paused(conn) && !conn->on_paused_list)
                ok = emu_conn_resume(conn);
            if (!ok || emu_conn_is_finished(conn))
                close_conn(srv, conn);
        }
        emu_conn_unref(conn);
    }
}

static void handle_wake(struct emu_server *srv)
{
    uint64_t count;

    if (read(srv->wake_fd, &count, sizeof(count)) < 0 && errno != EAGAIN)
        IBM4767_ERROR("cannot read the wake-up counter: %s", strerror(errno));
    process_notify_list(srv);
    resume_paused(srv);
}

/* ---------------------------------------------------------------------- */
/* Accepting                                                               */

static void log_peer(int fd, unsigned long id)
{
    struct ucred cred;
    socklen_t len = sizeof(cred);

    if (!ibm4767_log_enabled(IBM4767_LOG_DEBUG))
        return;
    if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0)
        IBM4767_DEBUG("conn %lu: accepted from pid %ld uid %ld", id,
                      (long)cred.pid, (long)cred.uid);
}

static void set_accepting(struct emu_server *srv, int on)
{
    struct epoll_event ev;

    memset(&ev, 0, sizeof(ev));
    ev.events = on ? EPOLLIN : 0;
    ev.data.ptr = &tag_listen;
    epoll_ctl(srv->epoll_fd, EPOLL_CTL_MOD, srv->listen_fd, &ev);
    srv->accept_resume_ms = on ? 0 : now_ms() + ACCEPT_BACKOFF_MS;
}

static void accept_connections(struct emu_server *srv)
{
    for (int i = 0; i < MAX_EVENTS; i++) {
        struct emu_conn *conn;
        int fd = accept4(srv->listen_fd, NULL, NULL,
                         SOCK_NONBLOCK | SOCK_CLOEXEC);

        if (fd < 0 && (errno == EINTR || errno == ECONNABORTED))
            continue;
        if (fd < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return;
        if (fd < 0) {
            IBM4767_WARN("accept failed: %s; pausing new connections for "
                         "%d ms", strerror(errno), ACCEPT_BACKOFF_MS);
            set_accepting(srv, 0);
            return;
        }
        if (srv->conn_count >= MAX_CONNECTIONS) {
            IBM4767_WARN("refusing a connection: %u connections are open "
                         "already", MAX_CONNECTIONS);
            close(fd);
            continue;
        }
        conn = emu_conn_new(srv, fd, ++srv->next_conn_id, srv->epoll_fd);
        if (conn == NULL) {
            IBM4767_ERROR("cannot set up connection %lu: out of memory or "
                          "epoll failure", srv->next_conn_id);
            close(fd);
            continue;
        }
        log_peer(fd, conn->id);
        conn->next = srv->conns;
        if (srv->conns != NULL)
            srv->conns->prev = conn;
        srv->conns = conn;
        srv->conn_count++;
    }
}

/* ---------------------------------------------------------------------- */
/* The loop                                                                */

static void handle_signal(struct emu_server *srv)
{
    struct signalfd_siginfo si;

    if (read(srv->signal_fd, &si, sizeof(si)) != sizeof(si))
        return;
    if (si.ssi_signo == SIGTERM || si.ssi_signo == SIGINT) {
        IBM4767_INFO("received %s: stopping",
                     si.ssi_signo == SIGTERM ? "SIGTERM" : "SIGINT");
        srv->stopping = 1;
    }
}

static void handle_conn_event(struct emu_server *srv, struct emu_conn *conn,
                              uint32_t events)
{
    if (conn->closed)
        return;
    if (events & (EPOLLERR | EPOLLHUP)) {
        close_conn(srv, conn);
        return;
    }
    if ((events & EPOLLOUT) && !emu_conn_on_writable(conn)) {
        close_conn(srv, conn);
        return;
    }
    if ((events & EPOLLIN) && !emu_conn_on_readable(conn)) {
        close_conn(srv, conn);
        return;
    }
    if (emu_conn_is_finished(conn))
        close_conn(srv, conn);
}

/* Milliseconds until something time-driven is due, or -1. */
static int loop_timeout(struct emu_server *srv)
{
    int timeout = emu_selftest_poll(srv->dev);

    if (srv->accept_resume_ms != 0) {
        int64_t wait = srv->accept_resume_ms - now_ms();

        if (wait <= 0) {
            set_accepting(srv, 1);
        } else if (timeout < 0 || wait < timeout) {
            timeout = (int)wait;
        }
    }
    return timeout;
}

/* Count the rounds in a row whose single event came from the same
 * connection: one client sending request after request. */
static void note_round(struct emu_server *srv, int n,
                       const struct epoll_event *events)
{
    const void *tag = n == 1 ? events[0].data.ptr : NULL;

    if (tag == &tag_listen || tag == &tag_wake || tag == &tag_signal)
        tag = NULL;
    if (tag != NULL && tag == srv->streak_tag) {
        if (srv->streak < SPIN_STREAK)
            srv->streak++;
        return;
    }
    srv->streak_tag = tag;
    srv->streak = tag != NULL;
}

/*
 * Wait for the next events.  While one client sends request after request
 * (a single thread signing, an nginx worker at low load), its next request
 * follows a reply within a few tens of microseconds.  Going to sleep and
 * being woken costs about as much on a virtual machine, so the I/O thread
 * checks without sleeping for up to spin_us first.  With several busy
 * connections the streak breaks and the thread sleeps as usual.
 */
static int next_events(struct emu_server *srv, struct epoll_event *events)
{
    if (srv->spin_us != 0 && srv->streak >= SPIN_STREAK) {
        struct timespec ts;
        int64_t end;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        end = (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000 + srv->spin_us;
        for (;;) {
            int n = epoll_wait(srv->epoll_fd, events, MAX_EVENTS, 0);

            if (n != 0)
                return n;
            clock_gettime(CLOCK_MONOTONIC, &ts);
            if ((int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000 >= end)
                break;
        }
    }
    return epoll_wait(srv->epoll_fd, events, MAX_EVENTS, loop_timeout(srv));
}

int emu_server_run(struct emu_server *srv)
{
    struct epoll_event events[MAX_EVENTS];

    while (!srv->stopping) {
        int n = next_events(srv, events);

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            IBM4767_ERROR("epoll_wait failed: %s; stopping", strerror(errno));
            return 0;
        }
        srv->inline_round = n == 1;
        note_round(srv, n, events);
        for (int i = 0; i < n; i++) {
            void *tag = events[i].data.ptr;

            if (tag == &tag_listen)
                accept_connections(srv);
            else if (tag == &tag_wake)
                handle_wake(srv);
            else if (tag == &tag_signal)
                handle_signal(srv);
            else
                handle_conn_event(srv, tag, events[i].events);
        }
        srv->inline_round = 0;
        release_closed(srv);
    }
    epoll_ctl(srv->epoll_fd, EPOLL_CTL_DEL, srv->listen_fd, NULL);
    return 1;
}

/* ---------------------------------------------------------------------- */
/* Set-up and tear-down                                                    */

static int watch(struct emu_server *srv, int fd, void *tag)
{
    struct epoll_event ev;

    memset(&ev, 0, sizeof(ev));
    ev.events = EPOLLIN;
    ev.data.ptr = tag;
    return epoll_ctl(srv->epoll_fd, EPOLL_CTL_ADD, fd, &ev) == 0;
}

static int open_descriptors(struct emu_server *srv, char *err, size_t err_len)
{
    sigset_t stop_signals;

    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGTERM);
    sigaddset(&stop_signals, SIGINT);

    srv->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
    srv->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    srv->signal_fd = signalfd(-1, &stop_signals, SFD_NONBLOCK | SFD_CLOEXEC);
    if (srv->epoll_fd < 0 || srv->wake_fd < 0 || srv->signal_fd < 0
        || !watch(srv, srv->listen_fd, &tag_listen)
        || !watch(srv, srv->wake_fd, &tag_wake)
        || !watch(srv, srv->signal_fd, &tag_signal)) {
        snprintf(err, err_len, "cannot set up the event loop: %s",
                 strerror(errno));
        return 0;
    }
    return 1;
}

static unsigned online_cpus(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);

    return n > 0 ? (unsigned)n : 1u;
}

static int start_engines(struct emu_server *srv, char *err, size_t err_len)
{
    static const char *const names[EMU_ENGINE_COUNT] = {
        [EMU_ENGINE_PKA] = "pka",
        [EMU_ENGINE_RNG] = "rng",
        [EMU_ENGINE_CPU] = "cpu",
        [EMU_ENGINE_SYM] = "sym",
    };
    unsigned workers[EMU_ENGINE_COUNT] = { 0 };

    workers[EMU_ENGINE_PKA] = srv->dev->cfg->pka_workers != 0
                                  ? srv->dev->cfg->pka_workers
                                  : online_cpus();
    workers[EMU_ENGINE_RNG] = 1;
    workers[EMU_ENGINE_CPU] = 1;
    /* The card has one AES engine; two workers let a short request pass
     * a long one. */
    workers[EMU_ENGINE_SYM] = 2;
    emu_profile_start(srv->dev->cfg->profile);

    for (int i = 0; i < EMU_ENGINE_COUNT; i++) {
        workers[i] = emu_profile_workers(srv->dev->cfg->profile,
                                         (enum emu_engine_id)i, workers[i]);
        srv->engines[i] = emu_engine_new(names[i], workers[i],
                                         QUEUE_PER_WORKER * workers[i],
                                         emu_job_run, srv->dev,
                                         emu_server_wake, srv);
        if (srv->engines[i] == NULL) {
            snprintf(err, err_len, "out of memory creating the %s engine",
                     names[i]);
            return 0;
        }
        if (!emu_engine_start(srv->engines[i], err, err_len))
            return 0;
    }
    /* Under the timing profile every request waits its modelled latency
     * and service time in a worker, so the I/O thread never runs one.
     * The CPU engine runs the administration verbs, which may wait for
     * every running request, so it always hands its jobs to its worker. */
    if (srv->dev->cfg->profile == NULL) {
        emu_engine_set_inline_max(srv->engines[EMU_ENGINE_PKA], INLINE_MAX_US);
        emu_engine_set_inline_max(srv->engines[EMU_ENGINE_RNG], INLINE_MAX_US);
    }
    return 1;
}

struct emu_server *emu_server_new(struct emu_device *dev, int listen_fd,
                                  char *err, size_t err_len)
{
    struct emu_server *srv = OPENSSL_zalloc(sizeof(*srv));

    if (srv == NULL) {
        snprintf(err, err_len, "out of memory creating the server");
        return NULL;
    }
    srv->dev = dev;
    /* Spinning needs a CPU to spare.  Under the timing profile workers
     * reply after a modelled delay, so spinning gains nothing there. */
    if (dev->cfg->profile == NULL && sysconf(_SC_NPROCESSORS_ONLN) >= 2)
        srv->spin_us = dev->cfg->spin_us;
    srv->listen_fd = listen_fd;
    srv->epoll_fd = srv->wake_fd = srv->signal_fd = -1;
    pthread_mutex_init(&srv->notify_lock, NULL);

    if (!open_descriptors(srv, err, err_len)
        || !start_engines(srv, err, err_len)) {
        emu_server_free(srv);
        return NULL;
    }
    return srv;
}

void emu_server_free(struct emu_server *srv)
{
    if (srv == NULL)
        return;

    /* Finish the queued jobs first, so that their replies go out as far
     * as the sockets take them without blocking. */
    for (int i = 0; i < EMU_ENGINE_COUNT; i++)
        emu_engine_stop(srv->engines[i]);
    while (srv->conns != NULL)
        close_conn(srv, srv->conns);
    process_notify_list(srv);
    release_closed(srv);
    for (int i = 0; i < EMU_ENGINE_COUNT; i++)
        emu_engine_free(srv->engines[i]);

    if (srv->signal_fd >= 0)
        close(srv->signal_fd);
    if (srv->wake_fd >= 0)
        close(srv->wake_fd);
    if (srv->epoll_fd >= 0)
        close(srv->epoll_fd);
    pthread_mutex_destroy(&srv->notify_lock);
    OPENSSL_free(srv);
}
