/*
 * CCA return/reason codes and 4767 device-driver codes, with the class the
 * backend acts on and a message that tells a person what to do.  The table
 * itself is in backend/codes.c; doc/error-codes.md lists the same entries.
 */
#ifndef IBM4767_CODES_H
#define IBM4767_CODES_H

#include <stddef.h>
#include <stdint.h>

/* CCA return codes (the class of a result, as CCA defines them). */
#define CCA_RC_OK       0u
#define CCA_RC_WARNING  4u
#define CCA_RC_ERROR    8u
#define CCA_RC_SETUP    12u
#define CCA_RC_INTERNAL 16u

/* CCA reason codes used by this project.  The ones CCA documents keep
 * CCA's numbers; the 47xx range is this project's own. */
#define CCA_RS_OK                     0u
#define CCA_RS_OLD_MASTER_KEY         10001u /* with rc 0: key under old MK */
#define CCA_RS_SIGNATURE_INVALID      429u   /* with rc 4 */
#define CCA_RS_TOKEN_TVV_INVALID      29u    /* internal token altered */
#define CCA_RS_NO_SUCH_LABEL          30u
#define CCA_RS_LABEL_INVALID          32u
#define CCA_RS_KEYWORD_INVALID        33u
#define CCA_RS_KEYWORD_COMBINATION    34u
#define CCA_RS_RULE_COUNT             35u
#define CCA_RS_LABEL_EXISTS           44u
#define CCA_RS_MKVP_MISMATCH          48u
#define CCA_RS_LENGTH_INVALID         72u
#define CCA_RS_ACCESS_DENIED          90u
#define CCA_RS_PKA_TOKEN_INVALID      770u
#define CCA_RS_EXPORT_RESTRICTED      2143u
#define CCA_RS_GCM_TAG_INVALID        2947u
#define CCA_RS_FIRMWARE_NOT_LOADED    338u   /* with rc 12 */
#define CCA_RS_MASTER_KEY_NOT_LOADED  764u   /* with rc 12 */
#define CCA_RS_WEAK_MASTER_KEY_PART   703u   /* with rc 8 */

/* Project-defined reasons (not CCA numbers). */
#define CCA_RS_SELF_TEST_RUNNING      4767u  /* rc 12: POST in progress */
#define CCA_RS_ZEROIZED               4768u  /* rc 12: tamper, disabled */
#define CCA_RS_REQUEST_DROPPED        4769u  /* rc 12: a reset dropped the
                                              * request, which may or may
                                              * not have been carried out */
#define CCA_RS_KEY_USAGE              4770u  /* rc 8: key used against usage */
#define CCA_RS_DECRYPT_FAILED         4771u  /* rc 8: padding check failed */
#define CCA_RS_DATA_TOO_LARGE         4772u  /* rc 8: input too long for key */
#define CCA_RS_ALGORITHM_UNSUPPORTED  4773u  /* rc 8: scheme/hash/size */
#define CCA_RS_EC_POINT_INVALID       4774u  /* rc 8: peer not on curve */
#define CCA_RS_EC_POINT_INFINITY      4775u  /* rc 8: peer at infinity */
#define CCA_RS_EC_CURVE_MISMATCH      4776u  /* rc 8: peer on another curve */
#define CCA_RS_KEY_VALUE_INVALID      4777u  /* rc 8: imported key rejected */
#define CCA_RS_CHAIN_INVALID          4778u  /* rc 8: chaining vector altered,
                                              * for another key or mode, or
                                              * from before a restart */
#define CCA_RS_MK_REGISTER_STATE      4779u  /* rc 8: master key register
                                              * not in the state this step
                                              * needs */
#define CCA_RS_FRAME_INVALID          4780u  /* rc 8: malformed request */
#define CCA_RS_VERB_UNKNOWN           4781u  /* rc 8: verb not implemented */
#define CCA_RS_VERSION_UNSUPPORTED    4782u  /* rc 8: protocol version */
#define CCA_RS_FRAME_TOO_LONG         4783u  /* rc 8: payload over limit */
#define CCA_RS_RNG_FAULT              4784u  /* rc 12: random number
                                              * generator fault latched */
#define CCA_RS_NOT_CERTIFIED          4785u  /* rc 12: device key has no
                                              * certificate */
#define CCA_RS_CHAIN_TABLE_FULL       4786u  /* rc 12: the maximum of open
                                              * GCM chains is reached */
#define CCA_RS_RETAINED_KEY_NOT_FOUND 4787u  /* rc 8: the device holds no
                                              * retained key with the
                                              * token's label, or another
                                              * key under it */
#define CCA_RS_RETAINED_KEY_LIMIT     4788u  /* rc 8: the device's retained
                                              * key storage is full */
#define CCA_RS_DEVICE_BUSY_INTERNAL   4790u  /* rc 16: emulator fault */
/* Host-side conditions reported in the same form. */
#define CCA_RS_HOST_CONNECT_FAILED    4800u  /* rc 12: socket unreachable */
#define CCA_RS_HOST_READY_TIMEOUT     4801u  /* rc 12: self-test too long */
#define CCA_RS_HOST_IO_ERROR          4802u  /* rc 12: connection lost */
#define CCA_RS_HOST_NO_MEMORY         4803u  /* rc 16 */
#define CCA_RS_HOST_BAD_REPLY         4804u  /* rc 16: reply unparseable */
#define CCA_RS_HOST_NO_DEVICE         4805u  /* rc 12: no device configured */
#define CCA_RS_HOST_INVALID_ARGUMENT  4806u  /* rc 8: NULL or out-of-range
                                              * argument to a verb */
#define CCA_RS_HOST_KEY_STORAGE       4807u  /* rc 12: key storage database
                                              * missing or unusable */
#define CCA_RS_HOST_RETAINED_DEVICE   4808u  /* rc 12: the device that holds
                                              * a retained key is not
                                              * configured or unreachable */

/* Device-driver codes (4-byte codes of the 4767's host driver). */
#define CCA_DRV_INTRUSION_LATCH   0x8040FFBFu
#define CCA_DRV_DEAD_BATTERY      0x8040FFDAu
#define CCA_DRV_XRAY_TAMPER       0x8040FFDBu
#define CCA_DRV_TEMPERATURE       0x8040FFEBu
#define CCA_DRV_VOLTAGE           0x8040FFF3u
#define CCA_DRV_MESH_TAMPER       0x8040FFF9u
#define CCA_DRV_RESET_BIT         0x8040FFFBu
#define CCA_DRV_BATTERY_WARNING   0x8040FFFEu
#define CCA_DRV_RNG_FAULT         0x8340038Fu

/* What the backend does with a result. */
enum cca_class {
    CCA_CLASS_SUCCESS = 0,  /* done */
    CCA_CLASS_WARNING,      /* done, but tell someone */
    CCA_CLASS_RETRY,        /* device not ready yet: wait and try again */
    CCA_CLASS_UNUSABLE,     /* device cannot serve: fail at once */
    CCA_CLASS_CALLER,       /* the request itself is wrong */
};

struct cca_code_info {
    enum cca_class cls;
    const char *name;    /* short symbolic name, e.g. "MKVP_MISMATCH" */
    const char *message; /* what it means and what to do */
};

/* Look up a CCA return/reason pair.  Unknown pairs get a generic entry
 * for their return code class; never returns NULL. */
const struct cca_code_info *cca_code_lookup(uint32_t rc, uint32_t reason);
/* Look up a device-driver code (ranges such as 8040xxxx are matched after
 * the exact codes).  Never returns NULL. */
const struct cca_code_info *cca_driver_code_lookup(uint32_t code);
const char *cca_class_name(enum cca_class cls);

/* Format "rc/reason: message" (and the driver code in hex when non-zero)
 * into buf; returns buf. */
char *cca_code_format(uint32_t rc, uint32_t reason, uint32_t driver_code,
                      char *buf, size_t len);

#endif
