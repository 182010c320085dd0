#!/bin/sh
# ECDH between a device key and a peer key made by the default provider.
# For each curve, "openssl pkeyutl -derive" with the device key gives the
# secret that the default provider computes from the peer's side, both
# without a KDF and with X9.63 KDF (SHA-256, 48 bytes, with a UKM).
. "$top_srcdir/test/scripts/common.sh"
. "$top_srcdir/test/scripts/ec_common.sh"

emu_start crp01

for curve in P-256 P-384 P-521; do
    dev="$T/dev-$curve.pem"
    peer="$T/peer-$curve.pem"
    ec_genkey "$curve" "$dev"
    ec_pubout "$dev" "$T/dev-$curve.pub.pem"
    "$OPENSSL" genpkey -algorithm EC -pkeyopt "ec_paramgen_curve:$curve" \
        -out "$peer" || fail "the default provider cannot make a $curve key"
    "$OPENSSL" pkey -in "$peer" -pubout -out "$T/peer-$curve.pub.pem"

    if have_clu; then
        before=$(counter derivations)
    fi

    # shellcheck disable=SC2086
    "$OPENSSL" pkeyutl $PROV_OPTS -derive -inkey "$dev" \
        -peerkey "$T/peer-$curve.pub.pem" -out "$T/device.bin" \
        2>"$T/err" || { cat "$T/err" >&2; fail "$curve: device ECDH failed"; }
    "$OPENSSL" pkeyutl -derive -inkey "$peer" \
        -peerkey "$T/dev-$curve.pub.pem" -out "$T/default.bin" ||
        fail "$curve: default provider ECDH failed"
    cmp -s "$T/device.bin" "$T/default.bin" ||
        fail "$curve: the device and the default provider derive different secrets"
    echo "ok: $curve ECDH secret matches the default provider"

    kdf_opts="-pkeyopt kdf-type:X963KDF -pkeyopt kdf-digest:SHA256
        -pkeyopt kdf-outlen:48 -pkeyopt hexkdf-ukm:0011223344"
    # shellcheck disable=SC2086
    "$OPENSSL" pkeyutl $PROV_OPTS -derive -inkey "$dev" \
        -peerkey "$T/peer-$curve.pub.pem" $kdf_opts -out "$T/device-kdf.bin" \
        2>"$T/err" ||
        { cat "$T/err" >&2; fail "$curve: device ECDH with X963KDF failed"; }
    # shellcheck disable=SC2086
    "$OPENSSL" pkeyutl -derive -inkey "$peer" \
        -peerkey "$T/dev-$curve.pub.pem" $kdf_opts -out "$T/default-kdf.bin" \
        2>"$T/err" ||
        { cat "$T/err" >&2; fail "$curve: default ECDH with X963KDF failed"; }
    [ "$(wc -c <"$T/device-kdf.bin")" -eq 48 ] ||
        fail "$curve: X963KDF output is not 48 bytes"
    cmp -s "$T/device-kdf.bin" "$T/default-kdf.bin" ||
        fail "$curve: X963KDF secrets differ between the device and the default provider"
    echo "ok: $curve ECDH with X963KDF matches the default provider"

    if have_clu; then
        after=$(counter derivations)
        [ $((after - before)) -eq 2 ] ||
            fail "$curve: the device counted $((after - before)) derivations, expected 2"
    else
        echo "NOTE: $CLU not built: device counters not checked" >&2
    fi
done

exit 0
