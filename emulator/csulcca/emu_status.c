/*
 * ibm4767_emu_status: this project's extension of libcsulcca-emu.so, the
 * emulator's status reply with the counters, code segments and timing
 * profile that CCA has no verb for.  The cca transport finds it with
 * dlsym and merges it into its facility query.  IBM's library has no such
 * function.  It is in a file of its own so that the tests can build the
 * library without it, as a stand-in for IBM's.
 */
#include <config.h>

#include <stdio.h>
#include <string.h>

#include "emu.h"

int ibm4767_emu_status(int adapter, struct cca_status *st,
                       struct cca_result *res)
{
    struct emu_status_code sc = { 0, 0 };
    struct cca_backend *be;

    memset(res, 0, sizeof(*res));
    res->device = -1;
    if (!emu_init(&sc)) {
        res->rc = (uint32_t)sc.rc;
        res->reason = (uint32_t)sc.reason;
        snprintf(res->detail, sizeof(res->detail), "the CCA emulator "
                 "library could not start; its reason is on stderr");
        return 0;
    }
    be = emu_backend_of(adapter);
    if (be == NULL || st == NULL) {
        res->rc = CCA_RC_SETUP;
        res->reason = CCA_RS_HOST_NO_DEVICE;
        snprintf(res->detail, sizeof(res->detail), "no adapter CRP%02d",
                 adapter + 1);
        return 0;
    }
    return cca_facility_query(be, -1, 0, st, res);
}
