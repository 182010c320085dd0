/*
 * ibm4767-emud: an emulated IBM 4767 cryptographic coprocessor with CCA
 * firmware, serving the ibm4767 wire protocol on a Unix socket.
 *
 * Start-up does everything that can fail before it detaches: options,
 * log, state directory, self-test checks, socket.  Exit status: 0 after
 * a clean stop, 1 when start-up or the service fails, 2 on a usage error.
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include <ibm4767/log.h>

#include "admin.h"
#include "retained.h"

#define ERR_LEN 512

/* Say why start-up failed on standard error, and in the log file when
 * there is one (otherwise the log is standard error too). */
static int startup_failed(const struct emu_config *cfg, const char *msg)
{
    fprintf(stderr, EMU_PROGRAM ": %s\n", msg);
    if (cfg->log_file != NULL)
        IBM4767_ERROR("start-up failed: %s", msg);
    return 1;
}

/* Block the stop signals in every thread (the event loop reads them from
 * a signalfd) and ignore SIGPIPE (writes use MSG_NOSIGNAL anyway). */
static void setup_signals(void)
{
    sigset_t set;

    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);
}

/* A relative socket path would break after the daemon's chdir("/"). */
static char *absolute_socket_path(const char *path, char *err, size_t len)
{
    char cwd[4096];
    size_t need;
    char *abs;

    if (path[0] == '/')
        return OPENSSL_strdup(path);
    if (getcwd(cwd, sizeof(cwd)) == NULL) {
        snprintf(err, len, "cannot resolve socket path %s: %s", path,
                 strerror(errno));
        return NULL;
    }
    need = strlen(cwd) + 1 + strlen(path) + 1;
    abs = OPENSSL_malloc(need);
    if (abs != NULL)
        snprintf(abs, need, "%s/%s", cwd, path);
    return abs;
}

/*
 * Fork into the background.  The parent waits on a pipe until the child
 * reports that it serves (exit 0) or the pipe closes without a byte
 * (exit 1, after the child wrote the reason to standard error).
 */
static int daemonize(int *ready_fd, char *err, size_t len)
{
    int fds[2];
    pid_t pid;
    char byte;

    if (pipe2(fds, O_CLOEXEC) != 0) {
        snprintf(err, len, "cannot create a pipe: %s", strerror(errno));
        return 0;
    }
    pid = fork();
    if (pid < 0) {
        snprintf(err, len, "cannot fork: %s", strerror(errno));
        return 0;
    }
    if (pid > 0) {
        close(fds[1]);
        _exit(read(fds[0], &byte, 1) == 1 ? 0 : 1);
    }
    close(fds[0]);
    if (setsid() < 0 || chdir("/") != 0) {
        snprintf(err, len, "cannot detach from the terminal: %s",
                 strerror(errno));
        return 0;
    }
    *ready_fd = fds[1];
    return 1;
}

/* Tell the waiting parent that the daemon serves, and drop the
 * terminal. */
static void detach_done(int ready_fd)
{
    int null_fd;

    if (ready_fd < 0)
        return;
    null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
    if (null_fd >= 0) {
        dup2(null_fd, STDIN_FILENO);
        dup2(null_fd, STDOUT_FILENO);
        dup2(null_fd, STDERR_FILENO);
        close(null_fd);
    }
    if (write(ready_fd, "1", 1) != 1)
        IBM4767_WARN("cannot tell the parent process that the daemon runs");
    close(ready_fd);
}

/* Everything that reads or creates device state, before the socket. */
static int device_start(struct emu_device *dev, const struct emu_config *cfg,
                        char *err, size_t len)
{
    unsigned flags = cfg->reinitialize ? EMU_STATE_REINITIALIZE : 0;

    if (!emu_device_init(dev, cfg, err, len)
        || !emu_state_open(&dev->state, cfg->state_dir, dev->libctx, flags,
                           err, len)
        || !emu_admin_init(dev, err, len)
        || !emu_retained_open(dev, err, len)
        || !emu_validation_open(dev, err, len))
        return 0;
    dev->rng = emu_rng_new(dev->libctx, dev->state.serial, err, len);
    if (dev->rng == NULL)
        return 0;
    dev->keycache = emu_keycache_new(cfg->key_cache_entries,
                                     &dev->counters);
    if (dev->keycache == NULL) {
        snprintf(err, len, "out of memory creating a key cache of %zu "
                 "entries", cfg->key_cache_entries);
        return 0;
    }
    if (!emu_status_init(dev, err, len))
        return 0;
    emu_validation_apply_segment_hook(dev);
    return emu_selftest_run(dev, err, len);
}

/* Run the device on an open listening socket until a stop signal. */
static int serve(struct emu_device *dev, const struct emu_config *cfg,
                 int listen_fd)
{
    char err[ERR_LEN];
    struct emu_server *srv = NULL;
    int ready_fd = -1, ok;

    if (!cfg->foreground && !daemonize(&ready_fd, err, sizeof(err)))
        return startup_failed(cfg, err);
    srv = emu_server_new(dev, listen_fd, err, sizeof(err));
    if (srv == NULL)
        return startup_failed(cfg, err);

    IBM4767_INFO("started: serial %s, socket %s, state %s, self-test %u s, "
                 "key cache %zu entries%s", dev->state.serial,
                 cfg->socket_path, dev->state.dir, cfg->post_seconds,
                 cfg->key_cache_entries,
                 cfg->no_firmware ? ", no firmware" : "");
    detach_done(ready_fd);
    ok = emu_server_run(srv);
    emu_server_free(srv);
    return ok ? 0 : 1;
}

/*
 * The socket comes first, so that a second daemon fails before it touches
 * any state.  Connections made while the state loads wait in the listen
 * backlog.
 */
static int run(struct emu_config *cfg)
{
    struct emu_device dev;
    char err[ERR_LEN];
    int listen_fd = -1, status;
    dev_t sock_dev = 0;
    ino_t sock_ino = 0;

    memset(&dev, 0, sizeof(dev));
    dev.state.lock_fd = -1;
    if (!emu_listen_open(cfg, &listen_fd, &sock_dev, &sock_ino, err,
                         sizeof(err)))
        return startup_failed(cfg, err);

    if (device_start(&dev, cfg, err, sizeof(err)))
        status = serve(&dev, cfg, listen_fd);
    else
        status = startup_failed(cfg, err);

    emu_listen_remove(cfg->socket_path, sock_dev, sock_ino);
    close(listen_fd);
    emu_device_free(&dev);
    if (status == 0)
        IBM4767_INFO("stopped");
    return status;
}

int main(int argc, char **argv)
{
    struct emu_config cfg;
    char err[ERR_LEN];
    char *socket_path = NULL;
    int status;

    status = emu_options_parse(argc, argv, &cfg);
    if (status == 1)
        return 0;
    if (status != 0)
        return status;
    if (cfg.print_segments)
        return emu_validation_print_segments(&cfg);

    setup_signals();
    if (!ibm4767_log_open(EMU_PROGRAM, cfg.log_level, cfg.log_file)) {
        fprintf(stderr, EMU_PROGRAM ": cannot open log file %s: %s\n",
                cfg.log_file, strerror(errno));
        return 1;
    }
    socket_path = absolute_socket_path(cfg.socket_path, err, sizeof(err));
    if (socket_path == NULL)
        return startup_failed(&cfg, err);
    cfg.socket_path = socket_path;

    status = run(&cfg);
    OPENSSL_free(socket_path);
    ibm4767_log_close();
    return status;
}
