/*
 * A CCA library for the start-up test of the cca transport: it exports
 * every verb the transport needs except CSNDEDH, so opening it must fail
 * with a message that names the library and CSNDEDH.  Each verb returns
 * 12/338 (coprocessor not available).
 */
#include <config.h>

#include "ccaverbs.h"

cca_fn_CSUACFQ CSUACFQ;
cca_fn_CSUACFV CSUACFV;
cca_fn_CSUACRA CSUACRA;
cca_fn_CSNDPKB CSNDPKB;
cca_fn_CSNDPKG CSNDPKG;
cca_fn_CSNDPKI CSNDPKI;
cca_fn_CSNDPKX CSNDPKX;
cca_fn_CSNDDSG CSNDDSG;
cca_fn_CSNDDSV CSNDDSV;
cca_fn_CSNDPKE CSNDPKE;
cca_fn_CSNDPKE CSNDPKD;
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

static void not_available(long *rc, long *reason)
{
    *rc = 12;
    *reason = 338;
}

void CSUACFQ(long *rc, long *reason, long *exit_len, unsigned char *exit_data,
             long *rule_count, unsigned char *rule, long *verb_data_len,
             unsigned char *verb_data)
{
    not_available(rc, reason);
}

void CSUACFV(long *rc, long *reason, long *exit_len, unsigned char *exit_data,
             long *version_len, unsigned char *version)
{
    not_available(rc, reason);
}

void CSUACRA(long *rc, long *reason, long *exit_len, unsigned char *exit_data,
             long *rule_count, unsigned char *rule, long *name_len,
             unsigned char *name)
{
    not_available(rc, reason);
}

void CSNDPKB(long *rc, long *reason, long *exit_len, unsigned char *exit_data,
             long *rule_count, unsigned char *rule, long *kvs_len,
             unsigned char *kvs, long *name_len, unsigned char *name,
             long *customer_data_len, unsigned char *customer_data,
             long *reserved2_len, unsigned char *reserved2,
             long *reserved3_len, unsigned char *reserved3,
             long *reserved4_len, unsigned char *reserved4,
             long *reserved5_len, unsigned char *reserved5, long *token_len,
             unsigned char *token)
{
    not_available(rc, reason);
}

void CSNDPKG(long *rc, long *reason, long *exit_len, unsigned char *exit_data,
             long *rule_count, unsigned char *rule, long *regen_len,
             unsigned char *regen, long *skeleton_len,
             unsigned char *skeleton, unsigned char *transport_key,
             long *out_len, unsigned char *out)
{
    not_available(rc, reason);
}

void CSNDPKI(long *rc, long *reason, long *exit_len, unsigned char *exit_data,
             long *rule_count, unsigned char *rule, long *source_len,
             unsigned char *source, unsigned char *importer,
             long *target_len, unsigned char *target)
{
    not_available(rc, reason);
}

void CSNDPKX(long *rc, long *reason, long *exit_len, unsigned char *exit_data,
             long *rule_count, unsigned char *rule, long *source_len,
             unsigned char *source, long *target_len, unsigned char *target)
{
    not_available(rc, reason);
}

void CSNDDSG(long *rc, long *reason, long *exit_len, unsigned char *exit_data,
             long *rule_count, unsigned char *rule, long *key_len,
             unsigned char *key, long *hash_len, unsigned char *hash,
             long *sig_len, long *sig_bits, unsigned char *sig)
{
    not_available(rc, reason);
}

void CSNDDSV(long *rc, long *reason, long *exit_len, unsigned char *exit_data,
             long *rule_count, unsigned char *rule, long *key_len,
             unsigned char *key, long *hash_len, unsigned char *hash,
             long *sig_len, unsigned char *sig)
{
    not_available(rc, reason);
}

void CSNDPKE(long *rc, long *reason, long *exit_len, unsigned char *exit_data,
             long *rule_count, unsigned char *rule, long *in_len,
             unsigned char *in, long *data_struct_len,
             unsigned char *data_struct, long *key_len, unsigned char *key,
             long *out_len, unsigned char *out)
{
    not_available(rc, reason);
}

void CSNDPKD(long *rc, long *reason, long *exit_len, unsigned char *exit_data,
             long *rule_count, unsigned char *rule, long *in_len,
             unsigned char *in, long *data_struct_len,
             unsigned char *data_struct, long *key_len, unsigned char *key,
             long *out_len, unsigned char *out)
{
    not_available(rc, reason);
}

void CSNBKTB2(long *rc, long *reason, long *exit_len,
              unsigned char *exit_data, long *rule_count,
              unsigned char *rule, long *clear_key_bits,
              unsigned char *clear_key, long *name_len, unsigned char *name,
              long *user_data_len, unsigned char *user_data,
              long *token_data_len, unsigned char *token_data,
              long *reserved_len, unsigned char *reserved, long *token_len,
              unsigned char *token)
{
    not_available(rc, reason);
}

void CSNBKGN2(long *rc, long *reason, long *exit_len,
              unsigned char *exit_data, long *rule_count,
              unsigned char *rule, long *clear_key_bits,
              unsigned char *key_type1, unsigned char *key_type2,
              long *name1_len, unsigned char *name1, long *name2_len,
              unsigned char *name2, long *user_data1_len,
              unsigned char *user_data1, long *user_data2_len,
              unsigned char *user_data2, long *kek1_len,
              unsigned char *kek1, long *kek2_len, unsigned char *kek2,
              long *out1_len, unsigned char *out1, long *out2_len,
              unsigned char *out2)
{
    not_available(rc, reason);
}

void CSNBSAE(long *rc, long *reason, long *exit_len, unsigned char *exit_data,
             long *rule_count, unsigned char *rule, long *key_len,
             unsigned char *key, long *kp_len, unsigned char *kp,
             long *block, long *iv_len, unsigned char *iv, long *chain_len,
             unsigned char *chain, long *in_len, unsigned char *in,
             long *out_len, unsigned char *out, long *opt_len,
             unsigned char *opt)
{
    not_available(rc, reason);
}

void CSNBSAD(long *rc, long *reason, long *exit_len, unsigned char *exit_data,
             long *rule_count, unsigned char *rule, long *key_len,
             unsigned char *key, long *kp_len, unsigned char *kp,
             long *block, long *iv_len, unsigned char *iv, long *chain_len,
             unsigned char *chain, long *in_len, unsigned char *in,
             long *out_len, unsigned char *out, long *opt_len,
             unsigned char *opt)
{
    not_available(rc, reason);
}

void CSNBRNGL(long *rc, long *reason, long *exit_len,
              unsigned char *exit_data, long *rule_count,
              unsigned char *rule, long *reserved_len,
              unsigned char *reserved, long *len, unsigned char *out)
{
    not_available(rc, reason);
}

void CSNDKRC(long *rc, long *reason, long *exit_len, unsigned char *exit_data,
             long *rule_count, unsigned char *rule, unsigned char *label,
             long *token_len, unsigned char *token)
{
    not_available(rc, reason);
}

void CSNDKRR(long *rc, long *reason, long *exit_len, unsigned char *exit_data,
             long *rule_count, unsigned char *rule, unsigned char *label,
             long *token_len, unsigned char *token)
{
    not_available(rc, reason);
}

void CSNDKRW(long *rc, long *reason, long *exit_len, unsigned char *exit_data,
             long *rule_count, unsigned char *rule, unsigned char *label,
             long *token_len, unsigned char *token)
{
    not_available(rc, reason);
}

void CSNDKRD(long *rc, long *reason, long *exit_len, unsigned char *exit_data,
             long *rule_count, unsigned char *rule, unsigned char *label)
{
    not_available(rc, reason);
}

void CSNBAKRC(long *rc, long *reason, long *exit_len,
              unsigned char *exit_data, long *rule_count,
              unsigned char *rule, unsigned char *label, long *token_len,
              unsigned char *token)
{
    not_available(rc, reason);
}

void CSNBAKRR(long *rc, long *reason, long *exit_len,
              unsigned char *exit_data, long *rule_count,
              unsigned char *rule, unsigned char *label, long *token_len,
              unsigned char *token)
{
    not_available(rc, reason);
}

void CSNBAKRW(long *rc, long *reason, long *exit_len,
              unsigned char *exit_data, long *rule_count,
              unsigned char *rule, unsigned char *label, long *token_len,
              unsigned char *token)
{
    not_available(rc, reason);
}

void CSNBAKRD(long *rc, long *reason, long *exit_len,
              unsigned char *exit_data, long *rule_count,
              unsigned char *rule, unsigned char *label)
{
    not_available(rc, reason);
}

void CSNBKPI2(long *rc, long *reason, long *exit_len,
              unsigned char *exit_data, long *rule_count,
              unsigned char *rule, long *part_bits, unsigned char *part,
              long *key_len, unsigned char *key)
{
    not_available(rc, reason);
}

void CSNDKRL(long *rc, long *reason, long *exit_len, unsigned char *exit_data,
             long *rule_count, unsigned char *rule, unsigned char *label,
             long *name_len, unsigned char *name, unsigned char *server)
{
    not_available(rc, reason);
}

void CSNBAKRL(long *rc, long *reason, long *exit_len,
              unsigned char *exit_data, long *rule_count,
              unsigned char *rule, unsigned char *label, long *name_len,
              unsigned char *name, unsigned char *server)
{
    not_available(rc, reason);
}
