/*
 * The project's logging facility.  Each event is formatted into one buffer
 * and written with a single write(2) to a file opened with O_APPEND, so
 * lines from several threads and processes never interleave.  A mutex
 * guards the output descriptor and the program name; the level is an
 * atomic so that a disabled level costs one load.
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <ibm4767/log.h>

/* Maximum line length written; a longer message is cut and ends in
 * "...". */
#define LOG_LINE_MAX 2048

static atomic_int log_level = IBM4767_LOG_OFF;
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t log_once = PTHREAD_ONCE_INIT;
static int log_fd = STDERR_FILENO;
static char log_program[64] = "ibm4767";

static const char *const level_names[] = {
    [IBM4767_LOG_OFF] = "off",
    [IBM4767_LOG_ERROR] = "error",
    [IBM4767_LOG_WARN] = "warn",
    [IBM4767_LOG_INFO] = "info",
    [IBM4767_LOG_DEBUG] = "debug",
};

int ibm4767_log_parse_level(const char *s)
{
    if (s == NULL)
        return -1;
    for (int i = IBM4767_LOG_OFF; i <= IBM4767_LOG_DEBUG; i++) {
        if (strcasecmp(s, level_names[i]) == 0)
            return i;
    }
    return -1;
}

const char *ibm4767_log_level_name(int level)
{
    if (level < IBM4767_LOG_OFF || level > IBM4767_LOG_DEBUG)
        return "unknown";
    return level_names[level];
}

/*
 * A fork while another thread holds log_lock would leave the child's copy
 * locked for ever, so the lock is taken around fork and released on both
 * sides.
 */
static void log_atfork_prepare(void)
{
    pthread_mutex_lock(&log_lock);
}

static void log_atfork_release(void)
{
    pthread_mutex_unlock(&log_lock);
}

static void log_register_atfork(void)
{
    pthread_atfork(log_atfork_prepare, log_atfork_release,
                   log_atfork_release);
}

int ibm4767_log_open(const char *program, int level, const char *path)
{
    int ret = 0;
    int fd = STDERR_FILENO;
    int open_errno = 0;

    pthread_once(&log_once, log_register_atfork);

    if (path != NULL && path[0] != '\0') {
        fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
        if (fd < 0) {
            open_errno = errno;
            fd = STDERR_FILENO;
        } else {
            ret = 1;
        }
    } else {
        ret = 1;
    }

    pthread_mutex_lock(&log_lock);
    if (log_fd != STDERR_FILENO)
        close(log_fd);
    log_fd = fd;
    if (program != NULL && program[0] != '\0')
        snprintf(log_program, sizeof(log_program), "%s", program);
    pthread_mutex_unlock(&log_lock);

    if (level < IBM4767_LOG_OFF)
        level = IBM4767_LOG_OFF;
    if (level > IBM4767_LOG_DEBUG)
        level = IBM4767_LOG_DEBUG;
    atomic_store(&log_level, level);

    if (!ret) {
        ibm4767_log(IBM4767_LOG_ERROR,
                    "cannot open log file %s: %s; logging to stderr instead",
                    path, strerror(open_errno));
    }
    return ret;
}

void ibm4767_log_close(void)
{
    atomic_store(&log_level, IBM4767_LOG_OFF);

    pthread_mutex_lock(&log_lock);
    if (log_fd != STDERR_FILENO)
        close(log_fd);
    log_fd = STDERR_FILENO;
    pthread_mutex_unlock(&log_lock);
}

int ibm4767_log_enabled(int level)
{
    return level > IBM4767_LOG_OFF && level <= atomic_load(&log_level);
}

/* Replace line breaks and other control characters so that one event
 * stays on one line whatever the message contains. */
static void flatten_controls(char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];

        if (c < 0x20 || c == 0x7f)
            s[i] = ' ';
    }
}

static size_t format_prefix(char *buf, size_t cap, int level)
{
    struct timespec now;
    struct tm tm;
    char stamp[32] = "";
    int n;

    clock_gettime(CLOCK_REALTIME, &now);
    if (gmtime_r(&now.tv_sec, &tm) != NULL)
        strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", &tm);

    n = snprintf(buf, cap, "%s %s[%ld] %s: ", stamp, log_program,
                 (long)getpid(), ibm4767_log_level_name(level));
    if (n < 0)
        return 0;
    return (size_t)n < cap ? (size_t)n : cap - 1;
}

static void write_all(int fd, const char *buf, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, buf, len);

        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return;
        buf += n;
        len -= (size_t)n;
    }
}

void ibm4767_log(int level, const char *fmt, ...)
{
    char line[LOG_LINE_MAX];
    size_t prefix_len;
    size_t len;
    va_list ap;
    int n;
    int saved_errno = errno;

    if (!ibm4767_log_enabled(level))
        return;

    pthread_mutex_lock(&log_lock);

    prefix_len = format_prefix(line, sizeof(line) - 1, level);
    va_start(ap, fmt);
    n = vsnprintf(line + prefix_len, sizeof(line) - 1 - prefix_len, fmt, ap);
    va_end(ap);
    if (n < 0)
        n = 0;

    len = prefix_len + (size_t)n;
    if (len >= sizeof(line) - 1) {
        len = sizeof(line) - 1;
        memcpy(line + len - 3, "...", 3);
    }
    flatten_controls(line + prefix_len, len - prefix_len);
    line[len++] = '\n';

    write_all(log_fd, line, len);
    pthread_mutex_unlock(&log_lock);

    errno = saved_errno;
}
