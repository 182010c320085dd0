#!/bin/sh
# openssl enc with AES in the device under valgrind: CBC and CTR with a
# clear key, encrypting and decrypting.
. "$top_srcdir/test/scripts/common.sh"
. "$top_srcdir/test/valgrind/valgrind_common.sh"

emu_start crp01
head -c 1000 /dev/zero | tr '\0' 'v' >"$T/msg"
key256=000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f
key128=2b7e151628aed2a6abf7158809cf4f3c
iv=f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff

for cipher in aes-256-cbc aes-128-ctr; do
    case $cipher in
    aes-256-*) key=$key256 ;;
    *) key=$key128 ;;
    esac
    # shellcheck disable=SC2086 # PROV_OPTS and DEVICE_PROPQ are word lists
    vg "$cipher enc in the device" "$OPENSSL" enc $PROV_OPTS \
        $DEVICE_PROPQ -$cipher -K "$key" -iv "$iv" -in "$T/msg" \
        -out "$T/enc"
    vg "$cipher enc -d in the device" "$OPENSSL" enc $PROV_OPTS \
        $DEVICE_PROPQ -d -$cipher -K "$key" -iv "$iv" -in "$T/enc" \
        -out "$T/dec"
    cmp -s "$T/msg" "$T/dec" || fail "$cipher does not decrypt to the message"
    "$OPENSSL" enc -d -$cipher -K "$key" -iv "$iv" -in "$T/enc" \
        -out "$T/dec.sw" || fail "$cipher decryption in software failed"
    cmp -s "$T/msg" "$T/dec.sw" || fail "$cipher differs from software"
done
