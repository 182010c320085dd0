#!/bin/sh
# EC keys generated in the device, for each supported curve:
#   - genpkey writes a key token PEM, never a clear private key;
#   - pkey -pubout gives a SubjectPublicKeyInfo that the default provider
#     alone reads, on the right curve;
#   - pkey -text -noout prints the group and the public point, and no
#     private value;
#   - a PKCS#8 export of the private key fails.
. "$top_srcdir/test/scripts/common.sh"
. "$top_srcdir/test/scripts/ec_common.sh"

emu_start crp01

for curve in P-256 P-384 P-521; do
    case $curve in
    P-256) oid=prime256v1 ;;
    P-384) oid=secp384r1 ;;
    P-521) oid=secp521r1 ;;
    esac
    key="$T/ec-$curve.pem"
    pub="$T/ec-$curve.pub.pem"

    ec_genkey "$curve" "$key"
    grep -q -- '-----BEGIN CCA KEY TOKEN-----' "$key" ||
        fail "$curve: genpkey output is not a CCA key token PEM"
    if grep -q 'PRIVATE KEY' "$key"; then
        fail "$curve: genpkey wrote a clear private key"
    fi

    ec_pubout "$key" "$pub"
    "$OPENSSL" pkey -pubin -in "$pub" -noout -text >"$T/pub.txt" ||
        fail "$curve: the default provider cannot read the exported SPKI"
    grep -q "ASN1 OID: $oid" "$T/pub.txt" ||
        fail "$curve: the exported SPKI is not on $oid"
    grep -q "NIST CURVE: $curve" "$T/pub.txt" ||
        fail "$curve: the exported SPKI does not name $curve"

    # The point in the device key's text must be the one in the SPKI.
    "$OPENSSL" pkey -pubin -in "$pub" -outform DER -out "$T/pub.der"
    case $curve in
    P-256) point_len=65 ;;
    P-384) point_len=97 ;;
    P-521) point_len=133 ;;
    esac
    tail -c "$point_len" "$T/pub.der" >"$T/point.bin"
    point=$(hex_of "$T/point.bin")
    case $point in
    04*) ;;
    *) fail "$curve: the SPKI does not end in an uncompressed point" ;;
    esac

    # shellcheck disable=SC2086
    "$OPENSSL" pkey $PROV_OPTS -in "$key" -text -noout >"$T/key.txt" \
        2>"$T/err" || { cat "$T/err" >&2; fail "$curve: pkey -text failed"; }
    grep -Eq "$oid|$curve" "$T/key.txt" ||
        fail "$curve: pkey -text does not name the group"
    tr -d ' :\n' <"$T/key.txt" | grep -q "$point" ||
        fail "$curve: pkey -text does not show the public point"
    # libcrypto prints a private scalar as a "priv:" block.
    if grep -q '^ *priv:' "$T/key.txt"; then
        cat "$T/key.txt" >&2
        fail "$curve: pkey -text shows a private value"
    fi
    echo "ok: $curve key generated, public key exported and printed"
done

# The private key never leaves the device in the clear.
# shellcheck disable=SC2086
expect_fail "PKCS#8 export of a device key" 'not exportable' \
    "$OPENSSL" pkcs8 $PROV_OPTS -topk8 -nocrypt -in "$T/ec-P-256.pem" \
    -out "$T/p8.pem"
if [ -s "$T/p8.pem" ] && grep -q 'PRIVATE KEY' "$T/p8.pem"; then
    fail "PKCS#8 export wrote a clear private key"
fi

exit 0
