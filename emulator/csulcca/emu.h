/*
 * Internals of libcsulcca-emu.so, this project's stand-in for IBM's CCA
 * host library.  It exports the CCA verbs the cca transport calls, with
 * CCA's calling convention, and carries them out with the backend's verb
 * API over the emulator's socket (each adapter CRPnn is one socket of
 * IBM4767_DEVICES) and the project's key storage.
 *
 * Environment, read once on the first verb:
 *   IBM4767_DEVICES, IBM4767_READY_TIMEOUT, IBM4767_DEBUG as for the
 *     backend (IBM4767_TRANSPORT is ignored: this library always uses the
 *     socket),
 *   IBM4767_KEY_STORAGE: the key storage database of the key record verbs,
 *   IBM4767_EMU_CCA_LEVEL: the CCA level to behave as, "V.R" (default 5.4,
 *     the level of a 4767).  Keywords of later levels get 8/33.
 *   CSU_DEFAULT_ADAPTER: the adapter a thread uses until CSUACRA selects
 *     another, as with IBM's library.
 * and on each key record list verb:
 *   CSUPKALD, CSUAESLD: the directories of the key-record-list files of
 *     CSNDKRL and CSNBAKRL.  By default pkalist and aeslist next to the
 *     key storage database; IBM's library uses /opt/IBM/CCA/keys/pkalist
 *     and aeslist.
 */
#ifndef IBM4767_CSULCCA_EMU_H
#define IBM4767_CSULCCA_EMU_H

#include <stddef.h>
#include <stdint.h>

#include <ibm4767/cca.h>
#include <ibm4767/keystore.h>
#include <ibm4767/symtoken.h>

#include "ccaverbs.h"

#define EMU_KEYWORD_LEN 8
/* Most rule array elements a verb of this library accepts. */
#define EMU_RULE_MAX    8
#define EMU_DEFAULT_LEVEL "5.4"
/* Maximum length of a variable-length symmetric key token in CCA. */
#define EMU_AES_TOKEN_MAX 725

/* Return and reason codes the library itself sets. */
#define EMU_RS_UNSUPPORTED CCA_RS_ALGORITHM_UNSUPPORTED /* a CCA keyword
                                                          * this emulator
                                                          * does not carry
                                                          * out */

/* The parsed rule array of one call: keywords without their padding. */
struct emu_rules {
    int count;
    char keyword[EMU_RULE_MAX][EMU_KEYWORD_LEN + 1];
};

/*
 * One group of a verb's keywords: the names it accepts, whether one of
 * them is required, and the minimum CCA level of each (0.0 for any).  A
 * keyword that belongs to CCA but that this library does not carry out
 * is listed with unsupported set.
 */
struct emu_keyword {
    const char *name;
    unsigned int version;        /* minimum CCA level */
    unsigned int release;
    int unsupported;
};

struct emu_group {
    const struct emu_keyword *keywords;
    int required;
};

/* The outcome of one verb, written to its return and reason code. */
struct emu_status_code {
    long rc;
    long reason;
};

/* Set up the library (once).  Returns 1, or 0 with the code set. */
int emu_init(struct emu_status_code *sc);

/* The backend of the calling thread's adapter, and of adapter n (from
 * 0). */
struct cca_backend *emu_backend(void);
struct cca_backend *emu_backend_of(int adapter);
int emu_adapter(void);
int emu_adapter_count(void);
/* Select the calling thread's adapter (from 0), or -1 for the default. */
void emu_select_adapter(int adapter);
int emu_default_adapter(void);

/* The configured CCA level. */
void emu_level(unsigned int *version, unsigned int *release);
int emu_level_at_least(unsigned int version, unsigned int release);

/* The key storage of the key record verbs. */
struct cca_keystore *emu_keystore(void);

/*
 * Parse rule_count keywords from rule against groups (ngroups of them).
 * Each keyword must belong to one group, at most one per group (8/34
 * for a second), and every required group needs one.  A count below min
 * or above max gives 8/35, an unknown keyword or one above the configured
 * level 8/33, and a keyword listed as unsupported 8/4773.  found[g] is
 * the index of the keyword found in group g, or -1.
 */
int emu_parse_rules(const long *rule_count, const unsigned char *rule,
                    int min, int max, const struct emu_group *groups,
                    int ngroups, int *found, struct emu_status_code *sc);

void emu_set(struct emu_status_code *sc, long rc, long reason);
/* Copy the outcome of a backend verb. */
void emu_from_result(struct emu_status_code *sc, const struct cca_result *res);
/* Write sc to the verb's rc and reason pointers (either may be NULL). */
void emu_finish(const struct emu_status_code *sc, long *rc, long *reason);

/*
 * Copy len bytes into a caller's buffer of *cap bytes and set *cap to
 * len.  A buffer too small gets 8/72 with the length needed in *cap.
 */
int emu_output(const uint8_t *data, size_t len, unsigned char *out,
               long *cap, struct emu_status_code *sc);

/* A 64-byte CCA label field as label text (without the padding). */
int emu_label_text(const unsigned char *field,
                   char text[CCA_LABEL_LEN + 1], struct emu_status_code *sc);

/*
 * Parse the AES token of len bytes at token: 8/72 for a length outside 1
 * to EMU_AES_TOKEN_MAX, the parser's reason code for a token that does not
 * parse.
 */
int emu_sym_token(const unsigned char *token, long len,
                  struct cca_sym_token *tok, struct emu_status_code *sc);

/*
 * The tokens CSNDPKB builds, in this library's own layout (a real card's
 * library builds CCA's): an external PKA token header, then one section.
 *   0xF0 skeleton: @4 u8 algorithm, @5 u8 usage, @6 u16 RSA modulus bits
 *        or EC field bits, @8 u16 exponent length, @10 the exponent.
 *   0xF1 clear key: @4 u8 algorithm, @5 u8 usage, @6 u16 length, @8 the
 *        key value structure as cca.h defines it for cca_pka_key_import.
 */
#define EMU_SECTION_SKELETON  0xF0u
#define EMU_SECTION_CLEAR_KEY 0xF1u

struct emu_pka_build {
    uint8_t section;
    uint8_t alg;
    uint8_t usage;
    uint16_t bits;
    const uint8_t *data;         /* exponent or key value structure */
    size_t data_len;
};

/* Parse a token of this library's layout; returns 0 for any other. */
int emu_pka_build_parse(const uint8_t *token, size_t len,
                        struct emu_pka_build *out);

/* One GCM call of CSNBSAE or CSNBSAD; p.chain is the CCA_SYM_CHAIN_*
 * step of ONLY, FIRST, MIDDLE or LAST.  The other fields are the verb's
 * parameters. */
struct emu_gcm_call {
    int decrypt;
    struct cca_sym_params p;
    const uint8_t *in;
    size_t len;
    uint8_t *out;
    long *tag_len;
    unsigned char *tag;
    long *iv_len;
    const unsigned char *iv;
    long *chain_len;
    unsigned char *chain;
    long *aad_len;
    const unsigned char *aad;
};

/* Carry out a GCM call (emu_gcm.c). */
void emu_gcm_run(struct emu_gcm_call *g, struct emu_status_code *sc);

/* The exported verbs, with the types the cca transport calls them by. */
cca_fn_CSUACFQ CSUACFQ;
cca_fn_CSUACFV CSUACFV;
cca_fn_CSUACRA CSUACRA;
cca_fn_CSUACRA CSUACRD;
cca_fn_CSNDPKB CSNDPKB;
cca_fn_CSNDPKG CSNDPKG;
cca_fn_CSNDPKI CSNDPKI;
cca_fn_CSNDPKX CSNDPKX;
cca_fn_CSNDDSG CSNDDSG;
cca_fn_CSNDDSV CSNDDSV;
cca_fn_CSNDPKE CSNDPKE;
cca_fn_CSNDPKE CSNDPKD;
cca_fn_CSNDEDH CSNDEDH;
cca_fn_CSNBKTB2 CSNBKTB2;
cca_fn_CSNBKGN2 CSNBKGN2;
cca_fn_CSNBKPI2 CSNBKPI2;
cca_fn_CSNBSAE CSNBSAE;
cca_fn_CSNBSAE CSNBSAD;
cca_fn_CSNBRNGL CSNBRNGL;
cca_fn_key_record CSNDKRC;
cca_fn_key_record CSNDKRR;
cca_fn_key_record CSNDKRW;
cca_fn_key_record_delete CSNDKRD;
cca_fn_key_record_list CSNDKRL;
cca_fn_key_record CSNBAKRC;
cca_fn_key_record CSNBAKRR;
cca_fn_key_record CSNBAKRW;
cca_fn_key_record_delete CSNBAKRD;
cca_fn_key_record_list CSNBAKRL;
cca_fn_emu_status ibm4767_emu_status;

#endif
