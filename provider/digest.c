/*
 * Digests for the signature operations.  The host hashes messages with
 * digests from the provider's child library context, and the coprocessor
 * receives the hash and the NID of the digest.
 */
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>

#include "prov.h"

EVP_MD *ibm4767_digest_fetch(const struct ibm4767_provctx *ctx,
                             const char *name, const char *props)
{
    EVP_MD *md;

    if (name == NULL || name[0] == '\0') {
        IBM4767_RAISE(ctx, IBM4767_R_INVALID_PARAMETER,
                      "digest name is empty");
        return NULL;
    }
    md = EVP_MD_fetch(ctx->libctx, name, props);
    if (md == NULL)
        IBM4767_RAISE(ctx, IBM4767_R_INVALID_PARAMETER,
                      "digest \"%s\" not found (properties \"%s\"); use "
                      "SHA1, SHA224, SHA256, SHA384 or SHA512", name,
                      props != NULL ? props : "");
    return md;
}

EVP_MD *ibm4767_digest_fetch_for_op(const struct ibm4767_provctx *ctx,
                                    const char *name, const char *md_props,
                                    const char *op_propq)
{
    EVP_MD *md;

    if (md_props != NULL || op_propq == NULL)
        return ibm4767_digest_fetch(ctx, name, md_props);

    /*
     * The operation's property query (e.g. "provider=ibm4767") selected
     * this implementation.  This provider has no digests, so when that
     * query matches no digest, any digest implementation will do.
     */
    ERR_set_mark();
    md = EVP_MD_fetch(ctx->libctx, name, op_propq);
    if (md != NULL) {
        ERR_clear_last_mark();
        return md;
    }
    ERR_pop_to_mark();
    return ibm4767_digest_fetch(ctx, name, NULL);
}

int ibm4767_digest_device_nid(const struct ibm4767_provctx *ctx,
                              const EVP_MD *md)
{
    int nid = EVP_MD_get_type(md);

    switch (nid) {
    case NID_sha1:
    case NID_sha224:
    case NID_sha256:
    case NID_sha384:
    case NID_sha512:
        return nid;
    default:
        IBM4767_RAISE(ctx, IBM4767_R_UNSUPPORTED,
                      "digest %s is not supported by the coprocessor; use "
                      "SHA1, SHA224, SHA256, SHA384 or SHA512",
                      EVP_MD_get0_name(md));
        return 0;
    }
}
