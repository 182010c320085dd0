/*
 * ibm4767-clu: the coprocessor load utility for the ibm4767 project.  It
 * shows and administers a coprocessor the way the card's own Coprocessor
 * Load Utility (CLU) does.  clu.c parses the command line, clu_status.c
 * runs the status command and clu_status_print.c formats its report;
 * clu_admin.c contains reset, load, unload, inject, battery-replaced and acp,
 * clu_mk.c the master key commands and clu_validate.c validation.
 */
#ifndef IBM4767_CLU_H
#define IBM4767_CLU_H

#include <stdio.h>
#include <time.h>

#include <ibm4767/admin.h>
#include <ibm4767/cca.h>

#define CLU_PROGRAM "ibm4767-clu"

/* Exit codes shared by every subcommand. */
#define CLU_EXIT_OK      0
#define CLU_EXIT_FAILED  1
#define CLU_EXIT_USAGE   2

/* The commands work on the first configured device: the one that
 * --device names, else the first entry of IBM4767_DEVICES.  The backend
 * calls it CRP01, as CCA numbers coprocessors from CRP01. */
#define CLU_DEVICE_INDEX 0
#define CLU_DEVICE_NAME  "CRP01"

/* Settings taken from the command line and the environment. */
struct clu_options {
    struct cca_config config;    /* devices, ready timeout, logging */
    int counters_only;           /* status --counters */
    char invocation[1024];       /* the command line, for the report */
    time_t started;              /* when the program started */
    const char *validation_dir;  /* validate: pinned root and segments */
    const char *mk_type;         /* mk --type, or NULL */
    const char *mk_part;         /* mk load --part, or NULL */
    int operand_count;           /* arguments after the command's name */
    char **operands;
};

/* Run the status command on the first configured device and return the
 * program's exit code. */
int clu_status(const struct clu_options *opts);

/* Print the full status report of one device to out.  emulator_fields
 * is 0 when the status comes from a CCA host library without this
 * project's status extension: the emulator's own fields (serial number,
 * code segments, MKVPs, warnings, counters, timing profile) then read
 * "not available over the CCA host library". */
void clu_print_status(FILE *out, const struct clu_options *opts,
                      const char *device_name, const char *device_path,
                      const struct cca_status *st, int emulator_fields);

/* Print one "name=value" line per counter to out. */
void clu_print_counters(FILE *out, const struct cca_status *st);

/* Print the master key registers section of the report. */
void clu_print_master_keys(FILE *out, const struct cca_status *st);

/* Administration commands (clu_admin.c, clu_mk.c, clu_validate.c); each
 * returns the program's exit code. */
int clu_reset(const struct clu_options *opts);
int clu_load(const struct clu_options *opts);
int clu_unload(const struct clu_options *opts);
int clu_inject(const struct clu_options *opts);
int clu_battery_replaced(const struct clu_options *opts);
int clu_acp(const struct clu_options *opts);
int clu_mk(const struct clu_options *opts);
int clu_validate(const struct clu_options *opts);
/* retained [list [PATTERN]] and retained delete LABEL (clu_retained.c). */
int clu_retained(const struct clu_options *opts);

/* Print the access control points section of the status report, or why
 * the device could not list them. */
void clu_print_acps(FILE *out, struct cca_backend *be);

/* Helpers shared by the commands (clu_admin.c). */
/* Set up the backend for opts; prints why and returns NULL on failure. */
struct cca_backend *clu_open_backend(const struct clu_options *opts);
/* The socket path of the device the commands use. */
const char *clu_device_path(struct cca_backend *be,
                            const struct clu_options *opts);
/* Print "ibm4767-clu: WHAT failed: <result text>" and return 1. */
int clu_fail_result(const char *what, const struct cca_result *res);
/* Print "ibm4767-clu: message" and return 1. */
int clu_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Print "ibm4767-clu: message", a hint to --help, and return 2. */
int clu_usage_error(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

#endif
