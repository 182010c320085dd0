#!/bin/sh
# Key material hygiene.  Known RSA, EC and AES keys go into the device
# through ibm4767-keys import, the provider's key import and a clear AES
# key in openssl enc.  They sign, decrypt, derive and encrypt there while
# the provider and the emulator log at debug level.  No private value may
# then appear, as hex text or as raw bytes, in either log, the state
# directory, key storage or any other file the test did not write itself.
# The emulator runs in empty working and temporary directories of its
# own, which must stay empty.
. "$top_srcdir/test/scripts/common.sh"

K="$T/known"        # clear keys, and files the test derives from them
mkdir "$K" "$T/emud-cwd" "$T/emud-tmp" || exit 99

saved_tmpdir=${TMPDIR-}
cd "$T/emud-cwd" || exit 99
TMPDIR="$T/emud-tmp" emu_start main --log-level debug
cd - >/dev/null || exit 99
TMPDIR=$saved_tmpdir

IBM4767_DEBUG="debug,file:$T/provider.log"
IBM4767_KEY_STORAGE="$T/keys.db"
export IBM4767_DEBUG IBM4767_KEY_STORAGE

run() {
    desc=$1
    shift
    if ! "$@" >"$T/out" 2>"$T/err"; then
        cat "$T/err" >&2
        fail "$desc failed"
    fi
    echo "ok: $desc"
}

# The known keys, made by the default provider.
run "generate the known RSA key" "$OPENSSL" genpkey -algorithm RSA \
    -pkeyopt rsa_keygen_bits:2048 -out "$K/rsa.pem"
run "generate the known EC key" "$OPENSSL" genpkey -algorithm EC \
    -pkeyopt ec_paramgen_curve:P-256 -out "$K/ec.pem"
run "generate an EC peer key" "$OPENSSL" genpkey -algorithm EC \
    -pkeyopt ec_paramgen_curve:P-256 -out "$K/peer.pem"
run "extract the EC peer public key" "$OPENSSL" pkey -in "$K/peer.pem" \
    -pubout -out "$K/peer.pub"
aes_key=$("$OPENSSL" rand -hex 16) || fail "openssl rand failed"
aes_iv=000102030405060708090a0b0c0d0e0f
printf 'hygiene test message\n' >"$K/msg"

# RSA: imported by ibm4767-keys, then used by label through the provider.
run "import the RSA key with ibm4767-keys" ibm4767-keys import \
    --label HYGIENE.RSA --in "$K/rsa.pem" --usage both
run "sign with the imported RSA key" "$OPENSSL" pkeyutl $PROV_OPTS \
    -sign -inkey "ibm4767:label=HYGIENE.RSA" -in "$K/msg" \
    -out "$K/rsa.sig" -rawin -digest sha256
run "encrypt to the RSA key in software" "$OPENSSL" pkeyutl -encrypt \
    -inkey "$K/rsa.pem" -in "$K/msg" -out "$K/rsa.enc"
run "decrypt with the imported RSA key" "$OPENSSL" pkeyutl $PROV_OPTS \
    -decrypt -inkey "ibm4767:label=HYGIENE.RSA" -in "$K/rsa.enc" \
    -out "$K/rsa.dec"
cmp -s "$K/msg" "$K/rsa.dec" || fail "the RSA decryption is wrong"

# EC: imported by the provider (libcrypto exports the software key to the
# ibm4767 key management), then used to derive.
run "derive with the EC key imported by the provider" "$OPENSSL" pkeyutl \
    $PROV_OPTS -propquery "?provider=ibm4767" -derive -inkey "$K/ec.pem" \
    -peerkey "$K/peer.pub" -out "$K/ec.secret"
run "derive the same secret in software" "$OPENSSL" pkeyutl -derive \
    -inkey "$K/ec.pem" -peerkey "$K/peer.pub" -out "$K/ec.secret.sw"
cmp -s "$K/ec.secret" "$K/ec.secret.sw" || fail "the ECDH secret is wrong"

# AES: a clear key through the provider, sent to the device with each
# request.
run "encrypt with the clear AES key in the device" "$OPENSSL" enc \
    $PROV_OPTS $DEVICE_PROPQ -aes-128-cbc -K "$aes_key" -iv "$aes_iv" \
    -in "$K/msg" -out "$K/aes.enc"
run "decrypt it in software" "$OPENSSL" enc -d -aes-128-cbc \
    -K "$aes_key" -iv "$aes_iv" -in "$K/aes.enc" -out "$K/aes.dec"
cmp -s "$K/msg" "$K/aes.dec" || fail "the AES encryption is wrong"

ibm4767-clu status --counters >"$T/counters" 2>&1 \
    || fail "ibm4767-clu status failed"
# Two imports (RSA, EC) and each operation ran in the device.
grep -q '^key-imports=2$' "$T/counters" \
    || fail "the device did not count 2 key imports: $(cat "$T/counters")"
for counter in signatures decryptions derivations symmetric-requests; do
    grep -q "^$counter=[1-9]" "$T/counters" \
        || fail "the device counted no $counter: $(cat "$T/counters")"
done
emu_stop "$EMU_PID"

# The private values as lower-case hex, one per line: the RSA private
# exponent, primes and CRT values, the EC scalar, the AES key.  Each is
# searched by its first and its last 16 bytes.
secret_hex() {
    "$OPENSSL" pkey -in "$1" -text -noout | awk -v want="$2" '
        /^[a-zA-Z]/ { field = $1; sub(":", "", field); next }
        field == want { gsub(/[ :]/, ""); printf "%s", $0 }
    '
}
: >"$K/secrets"
for field in privateExponent prime1 prime2 exponent1 exponent2 coefficient; do
    secret_hex "$K/rsa.pem" "$field" | sed 's/^00//' >>"$K/secrets"
    echo >>"$K/secrets"
done
secret_hex "$K/ec.pem" priv | sed 's/^00//' >>"$K/secrets"
echo >>"$K/secrets"
echo "$aes_key" >>"$K/secrets"
patterns="$K/patterns"
: >"$patterns"
while read -r hex; do
    [ ${#hex} -ge 32 ] || fail "a private value was not read: '$hex'"
    echo "$hex" | cut -c1-32 >>"$patterns"
    echo "$hex" | rev | cut -c1-32 | rev >>"$patterns"
done <"$K/secrets"
[ "$(wc -l <"$patterns")" -eq 16 ] || fail "expected 16 search patterns"

# Every file but the test's own: hex text in any case, and raw bytes
# (searched in a hex dump of the file).
[ -s "$T/provider.log" ] || fail "the provider wrote no debug log"
[ -s "$T/main.log" ] || fail "the emulator wrote no log"
found=0
for f in $(find "$T" -type f ! -path "$K/*" ! -name out ! -name err); do
    if grep -qiF -f "$patterns" "$f"; then
        echo "FAIL: $f contains a private value as hex text" >&2
        found=1
    fi
    if od -An -tx1 -v "$f" | tr -d ' \n' | grep -qF -f "$patterns"; then
        echo "FAIL: $f contains a private value as raw bytes" >&2
        found=1
    fi
done
[ $found -eq 0 ] || fail "private key material left the device unwrapped"
echo "ok: no private value in $(find "$T" -type f ! -path "$K/*" | wc -l) files"

leftovers=$(ls -A "$T/emud-cwd" "$T/emud-tmp" | grep -v ':$' | grep -v '^$')
[ -z "$leftovers" ] || fail "the emulator wrote outside its state directory: $leftovers"
echo "ok: the emulator wrote nothing outside its state directory and log"
