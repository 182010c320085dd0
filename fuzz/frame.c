/*
 * Fuzz target: the emulator's frame and request decoding.  The input is
 * a byte stream sent to an ibm4767-emud that runs in this process
 * (emu_client.h): zero or more request frames, header and payload, as a
 * host would pipeline them.  Every reply the daemon sends must be a
 * complete, well-formed reply frame.
 *
 * A few requests would change the device for every later input, or take
 * long enough to stall the fuzzer, so an input that contains one is
 * skipped: RSA key generation, fault injection, firmware unload, master
 * key set and access control changes.  The bad-input test
 * (test/badinput) sends those.
 */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include <ibm4767/protocol.h>
#include <ibm4767/token.h>

#include "emu_client.h"
#include "fuzz.h"

static uint32_t load_u32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8
           | p[3];
}

static int request_skipped(uint16_t verb, const uint8_t *payload,
                           size_t len)
{
    switch (verb) {
    case IBM4767_VERB_PKA_KEY_GENERATE:
        return len >= 4 && load_u32(payload) == CCA_ALG_RSA;
    case IBM4767_VERB_ADMIN_INJECT:
    case IBM4767_VERB_ADMIN_FIRMWARE_UNLOAD:
    case IBM4767_VERB_MK_SET:
    case IBM4767_VERB_ACP_SET:
        return 1;
    default:
        return 0;
    }
}

/* Walk the request frames as the daemon reads them.  Returns -1 when the
 * input is skipped, else the number of frames the daemon can reply to.
 * The daemon sends an error reply to a frame of another version or with
 * the reserved field set and reads on.  It stops at a wrong magic or a
 * length over the limit. */
static long count_requests(const uint8_t *data, size_t size)
{
    enum ibm4767_header_status st;
    struct ibm4767_header hdr;
    size_t off = 0;
    long frames = 0;

    while (size - off >= IBM4767_HEADER_LEN) {
        frames++;
        st = ibm4767_header_decode(data + off, &hdr);
        if (st == IBM4767_HEADER_BAD_MAGIC
            || hdr.payload_len > IBM4767_FRAME_MAX)
            break;
        off += IBM4767_HEADER_LEN;
        if (hdr.payload_len > size - off)
            break;
        if (st == IBM4767_HEADER_OK
            && request_skipped(hdr.verb, data + off, hdr.payload_len))
            return -1;
        off += hdr.payload_len;
    }
    return frames;
}

/* Every reply is a whole reply frame with at least its three codes. */
static void check_replies(const uint8_t *replies, size_t len, long requests)
{
    struct ibm4767_header hdr;
    size_t off = 0;
    long count = 0;

    while (off < len) {
        FUZZ_CHECK(len - off >= IBM4767_HEADER_LEN);
        FUZZ_CHECK(ibm4767_header_decode(replies + off, &hdr)
                   == IBM4767_HEADER_OK);
        FUZZ_CHECK(hdr.flags & IBM4767_FLAG_REPLY);
        FUZZ_CHECK(hdr.payload_len >= 12);
        off += IBM4767_HEADER_LEN;
        FUZZ_CHECK(hdr.payload_len <= len - off);
        off += hdr.payload_len;
        count++;
    }
    FUZZ_CHECK(count <= requests);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    fuzz_emu_start();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    long requests = count_requests(data, size);
    uint8_t *replies = NULL;
    size_t len = 0;

    if (requests < 0)
        return 0;
    fuzz_emu_exchange(data, size, &replies, &len);
    check_replies(replies, len, requests);
    free(replies);
    return 0;
}
