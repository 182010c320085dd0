/*
 * wycheproof_ec: EC vectors (ECDSA verification with DER and P1363
 * signatures, ECDH with SubjectPublicKeyInfo, PEM and raw-point peers)
 * through a provider.
 */
#include "wycheproof.h"

static const struct wp_family *const ec_families[] = {
    &wp_ecdsa_der_verify_family,
    &wp_ecdsa_p1363_verify_family,
    &wp_ecdh_asn_family,
    &wp_ecdh_pem_family,
    &wp_ecdh_ecpoint_family,
};

static const char *const ec_files[] = {
    "ecdsa_secp256r1_sha256_test.json",
    "ecdsa_secp256r1_sha512_test.json",
    "ecdsa_secp384r1_sha256_test.json",
    "ecdsa_secp384r1_sha384_test.json",
    "ecdsa_secp384r1_sha512_test.json",
    "ecdsa_secp521r1_sha512_test.json",
    "ecdsa_secp256r1_sha256_p1363_test.json",
    "ecdsa_secp256r1_sha512_p1363_test.json",
    "ecdsa_secp384r1_sha384_p1363_test.json",
    "ecdsa_secp384r1_sha512_p1363_test.json",
    "ecdsa_secp521r1_sha512_p1363_test.json",
    "ecdh_secp256r1_test.json",
    "ecdh_secp384r1_test.json",
    "ecdh_secp521r1_test.json",
    "ecdh_secp256r1_pem_test.json",
    "ecdh_secp384r1_pem_test.json",
    "ecdh_secp521r1_pem_test.json",
    "ecdh_secp256r1_ecpoint_test.json",
    "ecdh_secp384r1_ecpoint_test.json",
    "ecdh_secp521r1_ecpoint_test.json",
};

int main(int argc, char **argv)
{
    static const struct wp_program program = {
        "wycheproof_ec",
        ec_families, sizeof(ec_families) / sizeof(ec_families[0]),
        ec_files, sizeof(ec_files) / sizeof(ec_files[0]),
    };

    return wp_main(&program, argc, argv);
}
