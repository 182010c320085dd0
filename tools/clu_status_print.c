/*
 * The status report, in the sections of the status (ST) output of the
 * card's Coprocessor Load Utility.  A header, Vital Product Data and ROM
 * Status with the three code segments come first.  This project adds the
 * master key registers, active warnings and the device counters.
 *
 * Code segments of the 4767: segment 1 contains Miniboot, segment 2 the
 * card's operating system and segment 3 the CCA application.  Owner ID 2
 * is IBM.
 */
#include <config.h>

#include <stdio.h>
#include <string.h>
#include <time.h>

#include <ibm4767/cca.h>
#include <ibm4767/codes.h>

#include "clu.h"

#define LABEL_WIDTH 22

/* NOTE: the status reply carries no part number or EC number, so the
 * report prints this text in place of a value. */
#define NOT_REPORTED "(not in the status reply)"
/* In place of the emulator's own status fields (serial number, code
 * segments, MKVPs, warnings, counters, timing profile) when the CCA host
 * library is not this project's emulator library, which alone has the
 * status extension. */
#define NOT_OVER_CCA "not available over the CCA host library"

/* Owner ID of a segment that IBM's code occupies. */
#define SEGMENT_OWNER_IBM 2

static void print_field(FILE *out, const char *label, const char *value)
{
    fprintf(out, "  %-*s %s\n", LABEL_WIDTH, label, value);
}

static void print_header(FILE *out, const struct clu_options *opts,
                         const char *device_name, const char *device_path)
{
    char started[64] = "";
    char device[1200];
    struct tm tm;

    if (gmtime_r(&opts->started, &tm) != NULL)
        strftime(started, sizeof(started), "%Y-%m-%d %H:%M:%S UTC", &tm);
    snprintf(device, sizeof(device), "%s (%s)", device_name, device_path);

    fprintf(out, "Coprocessor Load Utility\n");
    print_field(out, "CLU Version:", "ibm4767-clu " PACKAGE_VERSION);
    print_field(out, "Invocation:", opts->invocation);
    print_field(out, "Started:", started);
    print_field(out, "Device:", device);
}

static void print_vpd(FILE *out, const struct cca_status *st,
                      int emulator_fields)
{
    fprintf(out, "\nVital Product Data\n");
    print_field(out, "Part Number:", NOT_REPORTED);
    print_field(out, "EC Number:", NOT_REPORTED);
    print_field(out, "Serial Number:",
                emulator_fields ? st->serial : NOT_OVER_CCA);
    print_field(out, "Description:", st->description);
    print_field(out, "Firmware Version:", st->firmware_version);
}

/* Indexes of segment 2 (the card's operating system) and segment 3 (the
 * CCA application) in cca_status.segments. */
#define SEGMENT_OS  1
#define SEGMENT_CCA 2

/* A segment is owned when the device reports an image in it.  A device in
 * state NO_FIRMWARE has no CCA code in segment 3, whatever image name its
 * status reply carries. */
static int segment_loaded(const struct cca_status *st, int index)
{
    if (index == SEGMENT_CCA && st->state == CCA_STATE_NO_FIRMWARE)
        return 0;
    return st->segments[index].image[0] != '\0';
}

static void print_segment_state(FILE *out, const struct cca_status *st,
                                int index)
{
    char label[32];
    char owner[16];
    int loaded = segment_loaded(st, index);

    snprintf(label, sizeof(label), "Segment-%d State:", index + 1);
    print_field(out, label, loaded ? "RUNNABLE" : "UNOWNED");

    snprintf(label, sizeof(label), "Segment-%d Owner ID:", index + 1);
    snprintf(owner, sizeof(owner), "%d", SEGMENT_OWNER_IBM);
    print_field(out, label, loaded ? owner : "none");
}

static void print_rom_status(FILE *out, const struct cca_status *st,
                             int emulator_fields)
{
    int i;

    fprintf(out, "\nROM Status\n");
    print_field(out, "Device State:", cca_device_state_name(st->state));
    if (!emulator_fields) {
        print_field(out, "Code Segments:", NOT_OVER_CCA);
        return;
    }
    print_field(out, "Page 1 Certified:", "YES");
    print_field(out, "Segment-1 State:", "INITIALIZED");
    print_segment_state(out, st, SEGMENT_OS);
    print_segment_state(out, st, SEGMENT_CCA);

    for (i = 0; i < CCA_STATUS_SEGMENTS; i++) {
        const struct cca_segment *seg = &st->segments[i];
        int loaded = segment_loaded(st, i);

        fprintf(out, "\nSegment-%d\n", i + 1);
        print_field(out, "Image:", loaded ? seg->image : "none");
        print_field(out, "Hash (SHA-256):",
                    loaded && seg->hash[0] != '\0' ? seg->hash : "none");
    }
}

/* CCA register states: the new register is empty, partially loaded or
 * full; the current and old registers are empty or valid. */
static const char *mk_state_name(enum cca_mk_slot slot, uint32_t state)
{
    if (state == CCA_MK_EMPTY)
        return "EMPTY";
    if (slot == CCA_MK_NEW && state == CCA_MK_PARTIAL)
        return "PARTIAL";
    if (slot == CCA_MK_NEW && state == CCA_MK_FULL)
        return "FULL";
    if (slot != CCA_MK_NEW && state == CCA_MK_VALID)
        return "VALID";
    return "UNKNOWN";
}

static void print_mk_register(FILE *out, const char *type,
                              enum cca_mk_slot slot,
                              const struct cca_mk_register *reg,
                              int with_mkvp)
{
    static const char *const slot_names[] = { "new", "current", "old" };
    char label[32];
    char value[64];
    size_t used;
    size_t i;

    snprintf(label, sizeof(label), "%s %s:", type, slot_names[slot]);
    used = (size_t)snprintf(value, sizeof(value), "%s",
                            mk_state_name(slot, reg->state));
    if (reg->state != CCA_MK_EMPTY && with_mkvp) {
        used += (size_t)snprintf(value + used, sizeof(value) - used,
                                 "  MKVP ");
        for (i = 0; i < CCA_MKVP_LEN; i++)
            used += (size_t)snprintf(value + used, sizeof(value) - used,
                                     "%02X", reg->mkvp[i]);
    }
    print_field(out, label, value);
}

/* The register states, with their verification patterns when the status
 * has them. */
static void print_master_keys(FILE *out, const struct cca_status *st,
                              int with_mkvp)
{
    int slot;

    fprintf(out, "\nMaster Key Registers\n");
    for (slot = CCA_MK_NEW; slot <= CCA_MK_OLD; slot++)
        print_mk_register(out, "AES", (enum cca_mk_slot)slot,
                          &st->aes[slot], with_mkvp);
    for (slot = CCA_MK_NEW; slot <= CCA_MK_OLD; slot++)
        print_mk_register(out, "APKA", (enum cca_mk_slot)slot,
                          &st->apka[slot], with_mkvp);
    if (!with_mkvp)
        print_field(out, "MKVPs:", NOT_OVER_CCA);
}

void clu_print_master_keys(FILE *out, const struct cca_status *st)
{
    print_master_keys(out, st, 1);
}

static void print_warnings(FILE *out, const struct cca_status *st)
{
    const struct cca_code_info *info;

    fprintf(out, "\nActive Warnings\n");
    if (st->driver_code == 0) {
        fprintf(out, "  none\n");
        return;
    }
    info = cca_driver_code_lookup(st->driver_code);
    fprintf(out, "  %08X %s: %s\n", (unsigned)st->driver_code, info->name,
            info->message);
}

static void print_counter_table(FILE *out, const struct cca_status *st)
{
    size_t i;

    fprintf(out, "\nCounters\n");
    for (i = 0; i < st->counter_count && i < CCA_STATUS_MAX_COUNTERS; i++)
        fprintf(out, "  %-*s %llu\n", LABEL_WIDTH, st->counters[i].name,
                (unsigned long long)st->counters[i].value);
}

/* The timing profile: per operation class its engine, units, modelled
 * times, the engine's capacity and the rate of one request at a time. */
static void print_profile(FILE *out, const struct cca_status *st)
{
    size_t i;

    fprintf(out, "\nTiming Profile\n");
    if (st->profile[0] == '\0') {
        fprintf(out, "  off (requests take only the host's computation "
                "time)\n");
        return;
    }
    print_field(out, "Profile:", st->profile);
    fprintf(out, "  %-18s %-9s %5s %10s %10s %10s %10s %15s\n", "operation",
            "engine", "units", "service-us", "per-KiB-us", "latency-us",
            "capacity/s", "one-at-a-time/s");
    for (i = 0; i < st->profile_op_count; i++) {
        const struct cca_profile_op *op = &st->profile_ops[i];
        double capacity = op->service_us > 0
                              ? op->units * 1e6 / op->service_us : 0.0;
        double single = 1e6 / ((double)op->service_us + op->latency_us);

        fprintf(out, "  %-18s %-9s %5u %10u %10u %10u %10.0f %15.0f\n",
                op->name, op->engine, op->units, op->service_us,
                op->per_kib_us, op->latency_us, capacity, single);
    }
}

void clu_print_status(FILE *out, const struct clu_options *opts,
                      const char *device_name, const char *device_path,
                      const struct cca_status *st, int emulator_fields)
{
    print_header(out, opts, device_name, device_path);
    print_vpd(out, st, emulator_fields);
    print_rom_status(out, st, emulator_fields);
    print_master_keys(out, st, emulator_fields);
    if (!emulator_fields) {
        /* Warnings come from the emulator's driver codes, which fault
         * injection sets. */
        fprintf(out, "\nActive Warnings\n  %s\n", NOT_OVER_CCA);
        fprintf(out, "\nCounters\n  %s\n", NOT_OVER_CCA);
        fprintf(out, "\nTiming Profile\n  %s\n", NOT_OVER_CCA);
        return;
    }
    print_warnings(out, st);
    print_counter_table(out, st);
    print_profile(out, st);
}

void clu_print_counters(FILE *out, const struct cca_status *st)
{
    size_t i;

    for (i = 0; i < st->counter_count && i < CCA_STATUS_MAX_COUNTERS; i++)
        fprintf(out, "%s=%llu\n", st->counters[i].name,
                (unsigned long long)st->counters[i].value);
}
