/*
 * The AES test programs over transport cca, where CCA's CSNBSAE has no CTR
 * mode.  Where a program would run a CTR cipher, it runs the cipher that
 * aes_test_ctr_cipher() returns.  Over transport socket that is the CTR
 * cipher.  Over transport cca it first checks that CTR fails as
 * doc/cca-verbs.md documents, then returns the cipher of the same key
 * size in the mode AES_CCA_MODE names.
 *
 * Programs that use it link libibm4767 for the check of the backend verb.
 */
#ifndef IBM4767_TEST_AES_CCA_H
#define IBM4767_TEST_AES_CCA_H

#include <stddef.h>

#include "aes_test.h"

/* Mode of the substitute cipher: CBC, ECB or GCM (any case). */
#define AES_CCA_MODE_ENV     "AES_CCA_MODE"
#define AES_CCA_MODE_DEFAULT "CBC"

/* 1 when IBM4767_TRANSPORT selects the cca transport. */
int aes_test_over_cca(void);

/*
 * The cipher to run where the test would run ctr_name ("AES-192-CTR"),
 * written to buf (capacity cap).  Over transport socket that is ctr_name.
 * Over transport cca it first records two checks in t: the provider does
 * not offer ctr_name, and the backend's encipher verb rejects CTR with
 * 8/4773 and "not supported by this card's CCA level" followed by the
 * level.  Both run once per program.  It then returns ctr_name with CTR
 * replaced by the mode of AES_CCA_MODE.  An AES_CCA_MODE other than CBC,
 * ECB or GCM, or a backend that cannot be set up, exits with 99.
 */
const char *aes_test_ctr_cipher(struct aes_test *t, const char *ctr_name,
                                char *buf, size_t cap);

#endif
