/*
 * The project's one logging facility, shared by the provider, the backend,
 * the tools and the emulator.  Off by default.  Lines look like
 *   2026-12-04T19:55:20Z ibm4767[pid] warn: CRP01 req 17: 0/10001 ...
 * Never pass key material or PINs to it.
 */
#ifndef IBM4767_LOG_H
#define IBM4767_LOG_H

enum ibm4767_log_level {
    IBM4767_LOG_OFF = 0,
    IBM4767_LOG_ERROR = 1,
    IBM4767_LOG_WARN = 2,
    IBM4767_LOG_INFO = 3,
    IBM4767_LOG_DEBUG = 4,
};

/* Parse "error", "warn", "info", "debug" or "off"; returns -1 otherwise. */
int ibm4767_log_parse_level(const char *s);
const char *ibm4767_log_level_name(int level);

/* Set the level and the output (NULL or "" for stderr).  The program name
 * appears in every line.  Returns 1, or 0 when the file cannot be opened
 * (logging then goes to stderr). */
int ibm4767_log_open(const char *program, int level, const char *path);
void ibm4767_log_close(void);
int ibm4767_log_enabled(int level);

void ibm4767_log(int level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#define IBM4767_ERROR(...) ibm4767_log(IBM4767_LOG_ERROR, __VA_ARGS__)
#define IBM4767_WARN(...)  ibm4767_log(IBM4767_LOG_WARN, __VA_ARGS__)
#define IBM4767_INFO(...)  ibm4767_log(IBM4767_LOG_INFO, __VA_ARGS__)
#define IBM4767_DEBUG(...) ibm4767_log(IBM4767_LOG_DEBUG, __VA_ARGS__)

#endif
