#!/bin/sh
# Many ECDSA signatures made in the device: 1000 with a P-256 key and 100
# each with P-384 and P-521 keys generated in the device, and 50 with keys
# of each curve imported from the default provider.  They go through
# test/ec/ec_sign_many (one-shot, streaming and digest signing, SHA-1 to
# SHA-512).  Every signature is strict DER and verifies in the default
# provider.  The first of each run parses with "openssl asn1parse" as a
# SEQUENCE of two INTEGERs.  The device's signature counter rises by one
# per signature, and its key-import counter by one per imported key.
. "$top_srcdir/test/scripts/common.sh"
. "$top_srcdir/test/scripts/ec_common.sh"

SIGN_MANY="$top_builddir/test/ec/ec_sign_many"
[ -x "$SIGN_MANY" ] || { echo "$SIGN_MANY is not built" >&2; exit 99; }

emu_start crp01

# KEY-SOURCE:CURVE:COUNT.  "generated" keys come from the device,
# "imported" ones from the default provider through EVP_PKEY_fromdata.
for spec in generated:P-256:1000 generated:P-384:100 generated:P-521:100 \
    imported:P-256:50 imported:P-384:50 imported:P-521:50; do
    source=${spec%%:*}
    count=${spec##*:}
    curve=${spec#*:}
    curve=${curve%:*}
    if [ "$source" = generated ]; then
        key="$T/ec-$curve.pem"
        ec_genkey "$curve" "$key"
    else
        key="import:$curve"
    fi

    if have_clu; then
        before=$(counter signatures)
        imports=$(counter key-imports)
    fi
    "$SIGN_MANY" "$key" "$count" "$T/first.sig" ||
        fail "$source $curve: $count signatures did not all pass their checks"

    "$OPENSSL" asn1parse -inform DER -in "$T/first.sig" \
        >"$T/asn1.txt" || fail "$curve: asn1parse rejects the signature"
    [ "$(grep -c 'prim: INTEGER' "$T/asn1.txt")" -eq 2 ] ||
        fail "$curve: the signature is not two INTEGERs: $(cat "$T/asn1.txt")"
    grep -q 'cons: SEQUENCE' "$T/asn1.txt" ||
        fail "$curve: the signature is not a SEQUENCE"

    if have_clu; then
        after=$(counter signatures)
        # Every 50th signature is also verified in the device, which counts
        # as a verification, not as a signature.
        [ $((after - before)) -eq "$count" ] ||
            fail "$curve: the device counted $((after - before)) signatures, expected $count"
        expected_imports=0
        [ "$source" = imported ] && expected_imports=1
        [ $(($(counter key-imports) - imports)) -eq $expected_imports ] ||
            fail "$source $curve: expected $expected_imports key imports in the device"
    else
        echo "NOTE: $CLU not built: device counters not checked" >&2
    fi
    echo "ok: $source $curve key, $count signatures"
done

exit 0
