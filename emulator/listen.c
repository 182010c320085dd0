/*
 * The listening socket.  Its directory is created 0700 (0750 with
 * --socket-group) and the socket itself is 0600 (0660, group-owned, with
 * --socket-group).  A socket on which a live daemon accepts connections is
 * never replaced, and one left behind by a daemon that died is removed.
 */
#include <config.h>

#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include <ibm4767/log.h>

#include "emud.h"

/* Create the socket's directory when it is missing; an existing one is
 * left as it is. */
static int prepare_dir(const struct emu_config *cfg, char *err,
                       size_t err_len)
{
    char *copy = OPENSSL_strdup(cfg->socket_path);
    const char *dir;
    mode_t mode = cfg->socket_group != NULL ? 0750 : 0700;
    int ret = 0;

    if (copy == NULL) {
        snprintf(err, err_len, "out of memory");
        return 0;
    }
    dir = dirname(copy);
    if (mkdir(dir, mode) != 0) {
        if (errno == EEXIST) {
            ret = 1;
            goto err;
        }
        snprintf(err, err_len, "cannot create socket directory %s: %s", dir,
                 strerror(errno));
        goto err;
    }
    /* mkdir's mode passes through the umask; set it exactly. */
    if (chmod(dir, mode) != 0
        || (cfg->socket_group != NULL
            && chown(dir, (uid_t)-1, cfg->socket_gid) != 0)) {
        snprintf(err, err_len, "cannot set the mode or group of socket "
                 "directory %s: %s", dir, strerror(errno));
        goto err;
    }
    IBM4767_INFO("created socket directory %s (mode %04o)", dir,
                 (unsigned)mode);
    ret = 1;

err:
    OPENSSL_free(copy);
    return ret;
}

static void fill_address(struct sockaddr_un *sa, const char *path)
{
    memset(sa, 0, sizeof(*sa));
    sa->sun_family = AF_UNIX;
    memcpy(sa->sun_path, path, strlen(path) + 1);
}

/* Check a file already at the socket path: fail when a daemon accepts
 * connections on it, and remove it when the connection is refused.
 * NOTE: the check and the bind that follows are not atomic.  Two daemons
 * started at the same instant on one path can both find a stale socket,
 * and the later one then takes the path over. */
static int clear_stale_socket(const char *path, char *err, size_t err_len)
{
    struct sockaddr_un sa;
    struct stat sb;
    int fd, rc, connect_errno;

    if (lstat(path, &sb) != 0) {
        if (errno == ENOENT)
            return 1;
        snprintf(err, err_len, "cannot check socket path %s: %s", path,
                 strerror(errno));
        return 0;
    }
    if (!S_ISSOCK(sb.st_mode)) {
        snprintf(err, err_len, "%s exists and is not a socket; remove it or "
                 "choose another --socket", path);
        return 0;
    }

    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        snprintf(err, err_len, "cannot create a socket: %s", strerror(errno));
        return 0;
    }
    fill_address(&sa, path);
    rc = connect(fd, (struct sockaddr *)&sa, sizeof(sa));
    connect_errno = errno;
    close(fd);
    if (rc == 0) {
        snprintf(err, err_len, "another ibm4767-emud is serving %s; stop it "
                 "or choose another --socket", path);
        return 0;
    }
    if (connect_errno != ECONNREFUSED) {
        snprintf(err, err_len, "cannot check whether a daemon serves %s: %s",
                 path, strerror(connect_errno));
        return 0;
    }
    if (unlink(path) != 0 && errno != ENOENT) {
        snprintf(err, err_len, "cannot remove stale socket %s: %s", path,
                 strerror(errno));
        return 0;
    }
    IBM4767_INFO("removed stale socket %s left by a stopped daemon", path);
    return 1;
}

static int bind_socket(const struct emu_config *cfg, int fd, char *err,
                       size_t err_len)
{
    const char *path = cfg->socket_path;
    int group = cfg->socket_group != NULL;
    struct sockaddr_un sa;
    mode_t old_mask;
    int rc, bind_errno;

    fill_address(&sa, path);
    /* The umask keeps the socket private between bind and chmod. */
    old_mask = umask(group ? 0117 : 0177);
    rc = bind(fd, (struct sockaddr *)&sa, sizeof(sa));
    bind_errno = errno;
    umask(old_mask);
    if (rc != 0 && bind_errno == EADDRINUSE) {
        snprintf(err, err_len, "another ibm4767-emud is serving %s; stop it "
                 "or choose another --socket", path);
        return 0;
    }
    if (rc != 0) {
        snprintf(err, err_len, "cannot bind socket %s: %s", path,
                 strerror(bind_errno));
        return 0;
    }
    if (chmod(path, group ? 0660 : 0600) != 0
        || (group && chown(path, (uid_t)-1, cfg->socket_gid) != 0)) {
        snprintf(err, err_len, "cannot set the mode or group of socket %s: "
                 "%s", path, strerror(errno));
        unlink(path);
        return 0;
    }
    return 1;
}

int emu_listen_open(const struct emu_config *cfg, int *fd_out,
                    dev_t *dev_out, ino_t *ino_out, char *err,
                    size_t err_len)
{
    struct sockaddr_un sa;
    struct stat sb;
    int fd = -1;

    if (strlen(cfg->socket_path) >= sizeof(sa.sun_path)) {
        snprintf(err, err_len, "socket path %s is longer than the %zu bytes "
                 "a Unix socket address holds", cfg->socket_path,
                 sizeof(sa.sun_path) - 1);
        return 0;
    }
    if (!prepare_dir(cfg, err, err_len)
        || !clear_stale_socket(cfg->socket_path, err, err_len))
        return 0;

    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        snprintf(err, err_len, "cannot create a socket: %s", strerror(errno));
        return 0;
    }
    if (!bind_socket(cfg, fd, err, err_len))
        goto err;
    if (listen(fd, SOMAXCONN) != 0 || stat(cfg->socket_path, &sb) != 0) {
        snprintf(err, err_len, "cannot listen on %s: %s", cfg->socket_path,
                 strerror(errno));
        unlink(cfg->socket_path);
        goto err;
    }
    *fd_out = fd;
    *dev_out = sb.st_dev;
    *ino_out = sb.st_ino;
    return 1;

err:
    close(fd);
    return 0;
}

void emu_listen_remove(const char *path, dev_t dev, ino_t ino)
{
    struct stat sb;

    if (lstat(path, &sb) != 0 || sb.st_dev != dev || sb.st_ino != ino) {
        IBM4767_WARN("socket %s was replaced or removed by someone else; "
                     "leaving it", path);
        return;
    }
    if (unlink(path) != 0)
        IBM4767_WARN("cannot remove socket %s: %s", path, strerror(errno));
}
