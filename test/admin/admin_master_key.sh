#!/bin/sh
# Master key change: parts are loaded into the new register (FIRST,
# MIDDLE, LAST), weak parts and out-of-order steps are rejected, SET makes
# the new key current.  A token under the old key still signs, with the
# warning 0/10001 in the provider's log; 'ibm4767-keys reencipher' moves
# key storage and token files to the current key, after which signing
# gives no warning.  A token from an unrelated master key fails with
# 8/48, and a second device loaded with the same parts serves the same
# tokens.
. "$top_srcdir/test/scripts/common.sh"
. "$top_srcdir/test/admin/admin_common.sh"

ZERO_PART=0000000000000000000000000000000000000000000000000000000000000000
KS="$T/keys.db"

keys() {
    "$KEYS" --device "$EMU_SOCKET" --key-storage "$KS" "$@"
}

# xor_hex A B C: the XOR of three 64-digit hex strings, 8 digits at a
# time so that shell arithmetic never overflows.
xor_hex() {
    xor_out=""
    for xor_i in 1 9 17 25 33 41 49 57; do
        xor_end=$((xor_i + 7))
        xor_a=$(echo "$1" | cut -c "$xor_i-$xor_end")
        xor_b=$(echo "$2" | cut -c "$xor_i-$xor_end")
        xor_c=$(echo "$3" | cut -c "$xor_i-$xor_end")
        xor_out=$xor_out$(printf '%08x' $((0x$xor_a ^ 0x$xor_b ^ 0x$xor_c)))
    done
    echo "$xor_out"
}

# mkvp TYPE SLOT: the MKVP the status shows for a register.
mkvp() {
    clu mk show | sed -n "s/^ *$1 $2: *VALID *MKVP //p"
}

# load_parts TYPE: load P1, P2, P3 as FIRST, MIDDLE, LAST and set.
load_parts() {
    run "$1: FIRST part" clu mk load --type "$1" --part first "$P1"
    run "$1: MIDDLE part" clu mk load --type "$1" --part middle "$P2"
    echo "$P3" | clu mk load --type "$1" --part last - >"$T/last.out" 2>&1 ||
        { cat "$T/last.out" >&2; fail "$1: LAST part from standard input"; }
    grep -q 'new register is full' "$T/last.out" ||
        fail "$1: the new register is not full after the LAST part"
    run "$1: set" clu mk set --type "$1"
}

admin_emu_start mka
run "generate an RSA key into key storage" \
    keys generate --label WEB.RSA --type rsa --bits 2048 --out "$T/web.pem"
run "generate an AES key into key storage" \
    keys generate --label WEB.AES --type aes
cp "$T/web.pem" "$T/web-original.pem"
expect_sign_ok "$T/web.pem" "signing under the first master key"
old_apka=$(mkvp APKA current)

# Wrong order and weak parts.
expect_fail "MIDDLE part without FIRST" "8/4779" \
    clu mk load --type apka --part middle "$("$OPENSSL" rand -hex 32)"
expect_fail "an all-zero part" "8/703" \
    clu mk load --type apka --part first "$ZERO_PART"
expect_fail "set without a full new register" "8/4779" clu mk set --type apka
expect_fail "a part of 31 bytes" "64 hex digits" \
    clu mk load --type apka --part first "$("$OPENSSL" rand -hex 31)"
expect_fail "mk load without --part" "--part" \
    clu mk load --type apka "$ZERO_PART"

P1=$("$OPENSSL" rand -hex 32)
P2=$("$OPENSSL" rand -hex 32)
P3=$("$OPENSSL" rand -hex 32)
load_parts apka
load_parts aes
[ "$(mkvp APKA old)" = "$old_apka" ] ||
    fail "the old APKA register does not hold the previous current key"
[ "$(mkvp APKA current)" != "$old_apka" ] ||
    fail "the current APKA key did not change"
echo "ok: SET moved the current key to old"

# The current key itself (P1 ^ P2 ^ P3) as a part repeats its pattern.
KEY_HEX=$(xor_hex "$P1" "$P2" "$P3")
expect_fail "a part with the current key's pattern" "8/703" \
    clu mk load --type apka --part first "$KEY_HEX"

# A token under the old key works, with the warning.
IBM4767_DEBUG="warn,file:$T/old.log" expect_sign_ok "$T/web.pem" \
    "signing with a token under the old master key"
grep -q '0/10001' "$T/old.log" ||
    { cat "$T/old.log" >&2; fail "no 0/10001 warning in the provider's log"; }
echo "ok: the provider logged 0/10001"

run "reencipher key storage" keys reencipher
grep -q '^WEB.RSA: re-enciphered' "$T/run.out" || fail "WEB.RSA was not re-enciphered"
grep -q '^WEB.AES: re-enciphered' "$T/run.out" || fail "WEB.AES was not re-enciphered"
run "reencipher the token file" keys reencipher --file "$T/web.pem"
grep -q 're-enciphered under the current master key' "$T/run.out" ||
    fail "web.pem was not re-enciphered"
run "reencipher again" keys reencipher --file "$T/web.pem" 'WEB.*'
grep -q '0 re-enciphered, 3 already current' "$T/run.out" ||
    { cat "$T/run.out" >&2; fail "a second reencipher changed tokens again"; }
echo "ok: reencipher moved every token once"

IBM4767_DEBUG="warn,file:$T/new.log" expect_sign_ok "$T/web.pem" \
    "signing with the re-enciphered token"
! grep -q '0/10001' "$T/new.log" 2>/dev/null ||
    fail "signing with the re-enciphered token still logs 0/10001"
run "export the stored token" keys export-token WEB.RSA --out "$T/stored.pem"
IBM4767_DEBUG="warn,file:$T/stored.log" expect_sign_ok "$T/stored.pem" \
    "signing with the re-enciphered stored token"
! grep -q '0/10001' "$T/stored.log" 2>/dev/null ||
    fail "the stored token still logs 0/10001"

# A token of an unrelated device.
emu_stop "$EMU_PID"
SOCKET_A=$EMU_SOCKET
IBM4767_DEVICES=""
admin_emu_start mkb
genkey_rsa "$T/foreign.pem"
emu_stop "$EMU_PID"
IBM4767_DEVICES=""
admin_emu_start mka
[ "$EMU_SOCKET" = "$SOCKET_A" ] || fail "the first device came back on another socket"
expect_sign_fails "$T/foreign.pem" "8/48" \
    "a token of an unrelated master key fails with 8/48"
cp "$T/foreign.pem" "$T/foreign-copy.pem"
expect_fail "reencipher of a foreign token" "8/48" \
    keys reencipher --file "$T/foreign.pem"
cmp -s "$T/foreign.pem" "$T/foreign-copy.pem" ||
    fail "a failed reencipher changed the token file"

# Rotating once more drops the key the original token was made under.
P1=$("$OPENSSL" rand -hex 32)
P2=$("$OPENSSL" rand -hex 32)
P3=$("$OPENSSL" rand -hex 32)
SHARED_P1=$P1
SHARED_P2=$P2
SHARED_P3=$P3
load_parts apka
expect_sign_fails "$T/web-original.pem" "8/48" \
    "a token two master keys old fails with 8/48"

# A second device with the same parts serves the same tokens.
run "reencipher after the second change" keys reencipher --file "$T/web.pem"
IBM4767_DEVICES=""
admin_emu_start mkc
P1=$SHARED_P1
P2=$SHARED_P2
P3=$SHARED_P3
load_parts apka
IBM4767_DEBUG="warn,file:$T/shared.log" expect_sign_ok "$T/web.pem" \
    "another device loaded with the same parts signs with the token"
! grep -q '0/10001' "$T/shared.log" 2>/dev/null ||
    fail "the other device reports the token under its old key"
