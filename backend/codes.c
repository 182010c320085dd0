/*
 * The one table of CCA return/reason codes and 4767 device-driver codes.
 * Each entry gives the class the backend acts on, a short symbolic name
 * and a message that describes what happened and what to do.  doc/error-codes.md
 * lists the same entries; change both together.
 *
 * CCA return codes group reasons: 0 success, 4 warning, 8 application
 * error, 12 setup problem or coprocessor unavailable, 16 internal error.
 * Reasons 4767 and up are this project's own (see codes.h).
 */
#include <config.h>

#include <stdio.h>

#include <ibm4767/codes.h>

struct cca_code_entry {
    uint32_t rc;
    uint32_t reason;
    struct cca_code_info info;
};

static const struct cca_code_entry cca_codes[] = {
    { 0, CCA_RS_OK, { CCA_CLASS_SUCCESS, "OK", "success" } },
    { 0, CCA_RS_OLD_MASTER_KEY, { CCA_CLASS_WARNING, "OLD_MASTER_KEY",
      "the key token is enciphered under the old master key; the request "
      "succeeded, but re-encipher the token under the current master key "
      "with `ibm4767-keys reencipher` before the old master key is "
      "replaced" } },
    { 4, CCA_RS_SIGNATURE_INVALID, { CCA_CLASS_CALLER, "SIGNATURE_INVALID",
      "the signature does not verify with this key and hash" } },

    { 8, CCA_RS_TOKEN_TVV_INVALID, { CCA_CLASS_CALLER, "TOKEN_TVV_INVALID",
      "the internal key token failed its integrity check (altered or "
      "damaged); restore the token from a backup or generate a new key" } },
    { 8, CCA_RS_NO_SUCH_LABEL, { CCA_CLASS_CALLER, "NO_SUCH_LABEL",
      "no key record with this label exists in key storage; check the "
      "label with `ibm4767-keys list`" } },
    { 8, CCA_RS_LABEL_INVALID, { CCA_CLASS_CALLER, "LABEL_INVALID",
      "the key label is invalid: use 1 to 7 dot-separated parts of 1 to 8 "
      "characters from A-Z, 0-9, #, $ and @, not starting with a digit, "
      "64 characters at most" } },
    { 8, CCA_RS_KEYWORD_INVALID, { CCA_CLASS_CALLER, "KEYWORD_INVALID",
      "a rule keyword (scheme, padding or algorithm value) is not valid "
      "for this verb" } },
    { 8, CCA_RS_KEYWORD_COMBINATION, { CCA_CLASS_CALLER,
      "KEYWORD_COMBINATION",
      "the rule keywords (for example padding and digest) cannot be used "
      "together" } },
    { 8, CCA_RS_RULE_COUNT, { CCA_CLASS_CALLER, "RULE_COUNT",
      "the number of rule keywords is not valid for this verb" } },
    { 8, CCA_RS_LABEL_EXISTS, { CCA_CLASS_CALLER, "LABEL_EXISTS",
      "a key record with this label already exists; delete it first or "
      "choose another label" } },
    { 8, CCA_RS_MKVP_MISMATCH, { CCA_CLASS_CALLER, "MKVP_MISMATCH",
      "the key token was enciphered under a master key that is neither "
      "the current nor the old master key of this coprocessor; load that "
      "master key, or use a token made on this coprocessor" } },
    { 8, CCA_RS_LENGTH_INVALID, { CCA_CLASS_CALLER, "LENGTH_INVALID",
      "a length or buffer size is not valid (input too long or output "
      "buffer too small)" } },
    { 8, CCA_RS_ACCESS_DENIED, { CCA_CLASS_CALLER, "ACCESS_DENIED",
      "an access-control point of the active role forbids this verb; ask "
      "the coprocessor's administrator to enable it in the role" } },
    { 8, CCA_RS_WEAK_MASTER_KEY_PART, { CCA_CLASS_CALLER,
      "WEAK_MASTER_KEY_PART",
      "the master key part is weak: it is all zeros, or it or the key it "
      "completes has the verification pattern of the current or old master "
      "key; generate a new random part" } },
    { 8, CCA_RS_PKA_TOKEN_INVALID, { CCA_CLASS_CALLER, "PKA_TOKEN_INVALID",
      "the PKA key token is malformed or one of its fields is invalid; "
      "check that the file holds a complete ibm4767 key token" } },
    { 8, CCA_RS_EXPORT_RESTRICTED, { CCA_CLASS_CALLER, "EXPORT_RESTRICTED",
      "the key may not be exported or used in this way" } },
    { 8, CCA_RS_GCM_TAG_INVALID, { CCA_CLASS_CALLER, "GCM_TAG_INVALID",
      "the AES-GCM authentication tag does not match: the ciphertext, the "
      "additional data or the tag was altered" } },

    { 8, CCA_RS_KEY_USAGE, { CCA_CLASS_CALLER, "KEY_USAGE",
      "the key's usage does not allow this operation (a signature-only "
      "key cannot decrypt, a key-management key cannot sign, an RSA-PSS "
      "key signs only with PSS within its restrictions); generate a key "
      "with the right usage, or sign within the RSA-PSS restrictions" } },
    { 8, CCA_RS_DECRYPT_FAILED, { CCA_CLASS_CALLER, "DECRYPT_FAILED",
      "decryption failed: the padding check did not pass" } },
    { 8, CCA_RS_DATA_TOO_LARGE, { CCA_CLASS_CALLER, "DATA_TOO_LARGE",
      "the input is too long for the key size and padding" } },
    { 8, CCA_RS_ALGORITHM_UNSUPPORTED, { CCA_CLASS_CALLER,
      "ALGORITHM_UNSUPPORTED",
      "the coprocessor does not support this scheme, digest, curve or key "
      "size" } },
    { 8, CCA_RS_EC_POINT_INVALID, { CCA_CLASS_CALLER, "EC_POINT_INVALID",
      "the peer's public point is not on the key's curve" } },
    { 8, CCA_RS_EC_POINT_INFINITY, { CCA_CLASS_CALLER, "EC_POINT_INFINITY",
      "the peer's public point is the point at infinity" } },
    { 8, CCA_RS_EC_CURVE_MISMATCH, { CCA_CLASS_CALLER, "EC_CURVE_MISMATCH",
      "the peer's public key is on another curve than the private key" } },
    { 8, CCA_RS_KEY_VALUE_INVALID, { CCA_CLASS_CALLER, "KEY_VALUE_INVALID",
      "the coprocessor rejected the imported key value (inconsistent RSA "
      "components or an EC scalar out of range)" } },
    { 8, CCA_RS_CHAIN_INVALID, { CCA_CLASS_CALLER, "CHAIN_INVALID",
      "the chaining vector was altered, belongs to another key or mode, or "
      "dates from before the device restarted; start the operation again "
      "from its first piece" } },
    { 8, CCA_RS_MK_REGISTER_STATE, { CCA_CLASS_CALLER,
      "MK_REGISTER_STATE",
      "the master key register is not in the state this step needs: load "
      "the FIRST part before MIDDLE and LAST parts, and all parts before "
      "`ibm4767-clu mk set`; check with `ibm4767-clu mk show`" } },
    { 8, CCA_RS_FRAME_INVALID, { CCA_CLASS_CALLER, "FRAME_INVALID",
      "the device rejected a malformed request field; the host library "
      "and the device software may not match" } },
    { 8, CCA_RS_VERB_UNKNOWN, { CCA_CLASS_CALLER, "VERB_UNKNOWN",
      "the device does not implement this verb; update the device "
      "software (ibm4767-emud) to the host library's version" } },
    { 8, CCA_RS_VERSION_UNSUPPORTED, { CCA_CLASS_UNUSABLE,
      "VERSION_UNSUPPORTED",
      "the device does not support this protocol version; install matching "
      "versions of the host library and ibm4767-emud" } },
    { 8, CCA_RS_FRAME_TOO_LONG, { CCA_CLASS_CALLER, "FRAME_TOO_LONG",
      "the request is longer than the 1 MiB frame limit" } },

    { 12, CCA_RS_FIRMWARE_NOT_LOADED, { CCA_CLASS_UNUSABLE,
      "FIRMWARE_NOT_LOADED",
      "the coprocessor code (CCA firmware) is not loaded; load it with "
      "`ibm4767-clu load`, then wait for the self-test to finish" } },
    { 12, CCA_RS_MASTER_KEY_NOT_LOADED, { CCA_CLASS_UNUSABLE,
      "MASTER_KEY_NOT_LOADED",
      "the master key this verb needs is not loaded; load and set the AES "
      "and APKA master keys with ibm4767-clu" } },
    { 12, CCA_RS_SELF_TEST_RUNNING, { CCA_CLASS_RETRY, "SELF_TEST_RUNNING",
      "coprocessor not ready, self-test running; the request was not "
      "processed, wait for the self-test to finish and send it again" } },
    { 12, CCA_RS_ZEROIZED, { CCA_CLASS_UNUSABLE, "ZEROIZED",
      "the coprocessor detected a tamper event, is zeroized and "
      "permanently disabled; replace it and restore keys from backups" } },
    { 12, CCA_RS_REQUEST_DROPPED, { CCA_CLASS_RETRY, "REQUEST_DROPPED",
      "a coprocessor reset dropped the request, which may or may not have "
      "been carried out; the backend sends it again after the self-test "
      "when it cannot have changed anything, otherwise check the result "
      "and repeat it" } },
    { 12, CCA_RS_RNG_FAULT, { CCA_CLASS_RETRY, "RNG_FAULT_LATCHED",
      "the random number generator fault is latched; the next status query "
      "clears it (`ibm4767-clu status`), after which the request can be "
      "sent again" } },
    { 12, CCA_RS_NOT_CERTIFIED, { CCA_CLASS_UNUSABLE, "NOT_CERTIFIED",
      "the device key has no certificate because the class key was not "
      "available when the device was made; start ibm4767-emud with "
      "--validation-dir pointing at the class key" } },
    { 12, CCA_RS_CHAIN_TABLE_FULL, { CCA_CLASS_RETRY, "CHAIN_TABLE_FULL",
      "the device has the maximum of 1024 GCM messages open as chains; "
      "finish open messages, or try again later: a chain without a "
      "request for 60 s is ended, also one whose cipher context was freed "
      "before its final call" } },

    { 8, CCA_RS_RETAINED_KEY_NOT_FOUND, { CCA_CLASS_CALLER,
      "RETAINED_KEY_NOT_FOUND",
      "the device holds no retained key with this label, or holds another "
      "key under it: the key was deleted, or the device was zeroized or "
      "replaced; list the device's retained keys with `ibm4767-clu "
      "retained list`, and generate a new key if it is gone" } },
    { 8, CCA_RS_RETAINED_KEY_LIMIT, { CCA_CLASS_CALLER,
      "RETAINED_KEY_LIMIT",
      "the device's retained key storage is full; delete retained keys "
      "that are no longer needed with `ibm4767-keys delete` or "
      "`ibm4767-clu retained delete`" } },

    { 12, CCA_RS_HOST_CONNECT_FAILED, { CCA_CLASS_UNUSABLE,
      "HOST_CONNECT_FAILED",
      "cannot connect to the device socket; is ibm4767-emud running? "
      "start it, or point IBM4767_DEVICES at its socket" } },
    { 12, CCA_RS_HOST_READY_TIMEOUT, { CCA_CLASS_RETRY, "HOST_READY_TIMEOUT",
      "the device did not finish its self-test within the ready timeout; "
      "raise it with IBM4767_READY_TIMEOUT or the provider's ready-timeout "
      "setting, or check the device with `ibm4767-clu status`" } },
    { 12, CCA_RS_HOST_IO_ERROR, { CCA_CLASS_UNUSABLE, "HOST_IO_ERROR",
      "the connection to the device was lost during the request, which "
      "may or may not have been carried out; check that ibm4767-emud is "
      "still running and read its log" } },
    { 12, CCA_RS_HOST_NO_DEVICE, { CCA_CLASS_UNUSABLE, "HOST_NO_DEVICE",
      "no usable device: none is configured, or every configured device "
      "failed; set IBM4767_DEVICES or the provider's devices setting" } },
    { 8, CCA_RS_HOST_INVALID_ARGUMENT, { CCA_CLASS_CALLER,
      "HOST_INVALID_ARGUMENT",
      "the program passed a NULL or out-of-range argument to a backend "
      "verb; the detail names it" } },
    { 12, CCA_RS_HOST_KEY_STORAGE, { CCA_CLASS_UNUSABLE,
      "HOST_KEY_STORAGE",
      "the key storage database is missing or unusable; check the path "
      "and permissions named in the detail, or create it with "
      "ibm4767-keys" } },
    { 12, CCA_RS_HOST_RETAINED_DEVICE, { CCA_CLASS_UNUSABLE,
      "HOST_RETAINED_KEY_DEVICE",
      "the request uses a retained key, and the device that holds it is "
      "not among the configured devices or cannot be reached; requests "
      "for a retained key go only to that device: start it, or add its "
      "socket to IBM4767_DEVICES or the provider's devices setting" } },
    { 16, CCA_RS_DEVICE_BUSY_INTERNAL, { CCA_CLASS_UNUSABLE,
      "DEVICE_INTERNAL_ERROR",
      "the device hit an internal error; read the ibm4767-emud log" } },
    { 16, CCA_RS_HOST_NO_MEMORY, { CCA_CLASS_UNUSABLE, "HOST_NO_MEMORY",
      "the host ran out of memory" } },
    { 16, CCA_RS_HOST_BAD_REPLY, { CCA_CLASS_UNUSABLE, "HOST_BAD_REPLY",
      "the device's reply could not be parsed (wrong request id, missing "
      "or extra fields); the host library and the device software may "
      "not match" } },
};

/* Entries for reasons the table does not list, by return code. */
static const struct cca_code_info generic_ok = {
    CCA_CLASS_SUCCESS, "OK_UNKNOWN_REASON",
    "success, with a reason code this library does not know" };
static const struct cca_code_info generic_warning = {
    CCA_CLASS_WARNING, "WARNING",
    "the request completed with a warning this library does not know" };
static const struct cca_code_info generic_error = {
    CCA_CLASS_CALLER, "APPLICATION_ERROR",
    "the device rejected the request (application error); see the CCA "
    "reason code documentation" };
static const struct cca_code_info generic_setup = {
    CCA_CLASS_UNUSABLE, "SETUP_ERROR",
    "the coprocessor is not available or not set up; run "
    "`ibm4767-clu status`" };
static const struct cca_code_info generic_internal = {
    CCA_CLASS_UNUSABLE, "INTERNAL_ERROR",
    "internal error in the coprocessor or the host library" };
static const struct cca_code_info generic_unknown_rc = {
    CCA_CLASS_UNUSABLE, "UNKNOWN_RETURN_CODE",
    "unknown CCA return code" };

const struct cca_code_info *cca_code_lookup(uint32_t rc, uint32_t reason)
{
    for (size_t i = 0; i < sizeof(cca_codes) / sizeof(cca_codes[0]); i++) {
        if (cca_codes[i].rc == rc && cca_codes[i].reason == reason)
            return &cca_codes[i].info;
    }

    switch (rc) {
    case CCA_RC_OK:
        return &generic_ok;
    case CCA_RC_WARNING:
        return &generic_warning;
    case CCA_RC_ERROR:
        return &generic_error;
    case CCA_RC_SETUP:
        return &generic_setup;
    case CCA_RC_INTERNAL:
        return &generic_internal;
    }
    return &generic_unknown_rc;
}

/*
 * Device-driver codes of the 4767's host driver.  An entry matches when
 * (code & mask) == value; lookup takes the first match, so the exact codes
 * come before the 8040xxxx, 8340xxxx and 8440xxxx ranges.
 */
struct cca_driver_entry {
    uint32_t value;
    uint32_t mask;
    struct cca_code_info info;
};

#define DRV_EXACT 0xFFFFFFFFu
#define DRV_RANGE 0xFFFF0000u

static const struct cca_driver_entry driver_codes[] = {
    { 0, DRV_EXACT, { CCA_CLASS_SUCCESS, "NONE", "no device-driver code" } },
    { CCA_DRV_INTRUSION_LATCH, DRV_EXACT, { CCA_CLASS_WARNING,
      "INTRUSION_LATCH",
      "external intrusion latch set; CCA takes no action on it on x64 and "
      "Power servers, so it can be ignored (reset the latch to clear it)" } },
    { CCA_DRV_DEAD_BATTERY, DRV_EXACT, { CCA_CLASS_UNUSABLE, "DEAD_BATTERY",
      "dead battery detected: the coprocessor is zeroized and permanently "
      "disabled; the on-board batteries ran out or were removed, replace "
      "the coprocessor" } },
    { CCA_DRV_XRAY_TAMPER, DRV_EXACT, { CCA_CLASS_UNUSABLE, "XRAY_TAMPER",
      "X-ray tamper, which does not apply to the PCIe coprocessor; treat "
      "it as a driver fault, run `ibm4767-clu status` and contact "
      "support" } },
    { CCA_DRV_TEMPERATURE, DRV_EXACT, { CCA_CLASS_UNUSABLE,
      "TEMPERATURE_TAMPER",
      "temperature tamper detected: the coprocessor is zeroized and "
      "permanently disabled; a high or low temperature limit was passed, "
      "replace the coprocessor" } },
    { CCA_DRV_VOLTAGE, DRV_EXACT, { CCA_CLASS_UNUSABLE, "VOLTAGE_TAMPER",
      "voltage tamper detected: the coprocessor is zeroized and permanently "
      "disabled; a high or low voltage limit was passed, replace the "
      "coprocessor" } },
    { CCA_DRV_MESH_TAMPER, DRV_EXACT, { CCA_CLASS_UNUSABLE, "MESH_TAMPER",
      "mesh tamper detected: the coprocessor is zeroized and permanently "
      "disabled; the tamper-sensing shield was damaged, replace the "
      "coprocessor" } },
    { CCA_DRV_RESET_BIT, DRV_EXACT, { CCA_CLASS_RETRY, "RESET_BIT",
      "reset bit on (low voltage, temperature out of limits or a host "
      "reset command); the coprocessor resets and runs its self-test "
      "again, wait for it; if it repeats, reseat the card" } },
    { CCA_DRV_BATTERY_WARNING, DRV_EXACT, { CCA_CLASS_WARNING,
      "BATTERY_WARNING",
      "battery power is marginal; the coprocessor keeps working, but "
      "replace the batteries soon or it will zeroize" } },
    { CCA_DRV_RNG_FAULT, DRV_EXACT, { CCA_CLASS_RETRY, "RNG_FAULT",
      "random number generator fault flagged by continuous testing; it can "
      "occur by chance, so query status again at least twice "
      "(`ibm4767-clu status`) before giving up" } },
    { 0x80400000u, DRV_RANGE, { CCA_CLASS_UNUSABLE, "COMMUNICATION",
      "host-coprocessor communication problem; check that the card is "
      "present, run `ibm4767-clu status`, and reseat the card if it "
      "persists" } },
    { 0x83400000u, DRV_RANGE, { CCA_CLASS_UNUSABLE, "MINIBOOT0",
      "Miniboot-0 fault in the lowest-level reset tests; contact IBM "
      "crypto support" } },
    { 0x84400000u, DRV_RANGE, { CCA_CLASS_UNUSABLE, "MINIBOOT1",
      "Miniboot-1 fault in the POST or code-loading code; contact IBM "
      "crypto support" } },
};

static const struct cca_code_info generic_driver = {
    CCA_CLASS_UNUSABLE, "DRIVER_UNKNOWN",
    "unknown device-driver code; run `ibm4767-clu status`" };

const struct cca_code_info *cca_driver_code_lookup(uint32_t code)
{
    for (size_t i = 0; i < sizeof(driver_codes) / sizeof(driver_codes[0]);
         i++) {
        if ((code & driver_codes[i].mask) == driver_codes[i].value)
            return &driver_codes[i].info;
    }
    return &generic_driver;
}

const char *cca_class_name(enum cca_class cls)
{
    switch (cls) {
    case CCA_CLASS_SUCCESS:
        return "success";
    case CCA_CLASS_WARNING:
        return "warning";
    case CCA_CLASS_RETRY:
        return "retry";
    case CCA_CLASS_UNUSABLE:
        return "unusable";
    case CCA_CLASS_CALLER:
        return "caller";
    }
    return "unknown";
}

char *cca_code_format(uint32_t rc, uint32_t reason, uint32_t driver_code,
                      char *buf, size_t len)
{
    const struct cca_code_info *info = cca_code_lookup(rc, reason);
    const struct cca_code_info *drv;

    if (buf == NULL || len == 0)
        return buf;

    if (driver_code == 0) {
        snprintf(buf, len, "%u/%u %s: %s", rc, reason, info->name,
                 info->message);
        return buf;
    }

    drv = cca_driver_code_lookup(driver_code);
    snprintf(buf, len, "%u/%u %s: %s; driver code %08X %s: %s", rc, reason,
             info->name, info->message, driver_code, drv->name,
             drv->message);
    return buf;
}
