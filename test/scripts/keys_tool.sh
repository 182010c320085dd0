#!/bin/sh
# ibm4767-keys as an administrator uses it: generate, import, list, show,
# export-token, export-ref and delete, with their exit codes (0 done,
# 1 failed, 2 usage error) and messages that name the bad value.
. "$top_srcdir/test/scripts/common.sh"
. "$top_srcdir/test/scripts/rsa_common.sh"

KEYS="$top_builddir/tools/ibm4767-keys"
IBM4767_KEY_STORAGE="$T/store/keys.db"
export IBM4767_KEY_STORAGE

# exit_code WANT DESCRIPTION COMMAND...: the command exits with WANT.
exit_code() {
    want=$1
    desc=$2
    shift 2
    "$@" >"$T/out" 2>"$T/err"
    got=$?
    [ "$got" -eq "$want" ] ||
        { cat "$T/out" "$T/err" >&2; fail "$desc: exit $got, expected $want"; }
}

emu_start crp01

# generate: RSA, EC, and the key storage file and its directory appear
# with the modes the documentation gives.
run "generate RSA" "$KEYS" generate --label WEB.TLS.RSA --type rsa \
    --bits 2048 --usage both --out "$T/rsa-token.pem"
run "generate EC" "$KEYS" generate --label web.tls.ec --type ec \
    --curve prime256v1 --usage derive
[ "$(stat -c %a "$IBM4767_KEY_STORAGE")" = 640 ] || fail "keys.db is not mode 0640"
[ "$(stat -c %a "$T/store")" = 750 ] || fail "the storage directory is not mode 0750"
[ "$(stat -c %a "$T/rsa-token.pem")" = 640 ] || fail "the token PEM is not mode 0640"
echo "ok: generate RSA and EC"

# generate --type aes: an AES key where the device has the AES verbs, else
# a clear "not supported yet".
if "$KEYS" generate --label APP.AES --type aes --bits 128 >"$T/out" 2>"$T/err"; then
    "$KEYS" list APP.AES >"$T/list-aes" || fail "list APP.AES failed"
    grep -q '^APP\.AES  *aes  *128  *encrypt,decrypt ' "$T/list-aes" ||
        { cat "$T/list-aes" >&2; fail "list does not show the AES key"; }
    echo "ok: generate AES"
else
    grep -q 'not supported yet' "$T/err" ||
        { cat "$T/err" >&2; fail "generate AES failed without 'not supported yet'"; }
    echo "note: this device has no AES verbs; generate says so"
fi

# list: header and one line per record, a pattern narrows it.
run "list" "$KEYS" list >"$T/list"
grep -q '^WEB\.TLS\.RSA  *rsa  *2048  *sign,keymgmt ' "$T/list" ||
    { cat "$T/list" >&2; fail "list does not show WEB.TLS.RSA"; }
grep -q '^WEB\.TLS\.EC  *ec  *P-256  *derive ' "$T/list" ||
    { cat "$T/list" >&2; fail "list does not show WEB.TLS.EC"; }
run "list pattern" "$KEYS" list '*.*.EC' >"$T/list-ec"
[ "$(wc -l <"$T/list-ec")" -eq 2 ] || fail "list *.*.EC shows other records"
echo "ok: list with and without a pattern"

# show and export-token agree on the public key with openssl.
run "show" "$KEYS" show WEB.TLS.RSA >"$T/show"
grep -q '^usage: *sign,keymgmt$' "$T/show" || fail "show: wrong usage"
grep -Eq '^mkvp: *[0-9A-F]{16}$' "$T/show" || fail "show: no MKVP"
sed -n '/BEGIN PUBLIC KEY/,$p' "$T/show" >"$T/show.pub"
# shellcheck disable=SC2086
run "pkey -pubout of the generated token" "$OPENSSL" pkey $PROV_OPTS \
    -in "$T/rsa-token.pem" -pubout -out "$T/token.pub"
cmp -s "$T/show.pub" "$T/token.pub" || fail "show and the token disagree"
run "export-token" "$KEYS" export-token WEB.TLS.EC --out "$T/ec-token.pem"
grep -q '^-----BEGIN CCA KEY TOKEN-----$' "$T/ec-token.pem" ||
    fail "export-token wrote no CCA KEY TOKEN block"
echo "ok: show and export-token"

# import: a clear PEM key is wrapped; its public key is unchanged.
"$OPENSSL" genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-384 \
    -out "$T/clear.pem" 2>/dev/null || exit 99
"$OPENSSL" pkey -in "$T/clear.pem" -pubout -out "$T/clear.pub" || exit 99
run "import" "$KEYS" import --label IMP.EC --in "$T/clear.pem" --usage sign
"$KEYS" show IMP.EC | sed -n '/BEGIN PUBLIC KEY/,$p' >"$T/imp.pub"
cmp -s "$T/imp.pub" "$T/clear.pub" || fail "the imported key has another public key"
echo "ok: import of a clear EC key"

# Failed operations exit 1 and name the value.
exit_code 1 "generate over an existing label" \
    "$KEYS" generate --label WEB.TLS.RSA --type rsa
grep -q '8/44.*WEB\.TLS\.RSA' "$T/err" || fail "duplicate label: no 8/44 naming it"
exit_code 1 "show a missing label" "$KEYS" show NO.SUCH
grep -q '8/30.*NO\.SUCH' "$T/err" || fail "missing label: no 8/30 naming it"
exit_code 1 "delete a missing label" "$KEYS" delete NO.SUCH
exit_code 1 "import of a key token" \
    "$KEYS" import --label IMP.X --in "$T/ec-token.pem"
grep -q "ec-token.pem" "$T/err" || fail "import: the message does not name the file"
echo "ok: failed operations exit 1"

# Usage errors exit 2 and name the value.
exit_code 2 "invalid label" "$KEYS" generate --label 1ABC --type rsa
grep -q '8/32.*1ABC' "$T/err" || fail "invalid label: no 8/32 naming it"
exit_code 2 "an RSA size the device lacks" \
    "$KEYS" generate --label R.ODD --type rsa --bits 1000
grep -q "invalid --bits '1000' for an RSA key: use 2048, 3072 or 4096" \
    "$T/err" || fail "--bits 1000: the message does not name the value and the sizes"
exit_code 2 "--retain on an AES key" \
    "$KEYS" generate --label R.KEY --type aes --retain
grep -q 'applies to RSA and EC keys' "$T/err" ||
    fail "--retain on an AES key: no 'applies to RSA and EC keys'"
exit_code 2 "invalid type" "$KEYS" generate --label A --type dsa
grep -q "'dsa'" "$T/err" || fail "invalid type: not named"
exit_code 2 "invalid curve" "$KEYS" generate --label A --type ec --curve P-192
grep -q "'P-192'" "$T/err" || fail "invalid curve: not named"
exit_code 2 "invalid usage" "$KEYS" generate --label A --type ec --usage keymgmt
exit_code 2 "invalid pattern" "$KEYS" list 'W*B'
exit_code 2 "unknown command" "$KEYS" frobnicate
exit_code 2 "unknown option" "$KEYS" list --colour
exit_code 2 "missing operand" "$KEYS" show
exit_code 2 "export-token over an existing file" \
    "$KEYS" export-token WEB.TLS.EC --out "$T/ec-token.pem"
grep -q "ec-token.pem' already exists" "$T/err" || fail "existing --out: not named"
exit_code 0 "help" "$KEYS" generate --help
grep -q -- '--curve' "$T/out" || fail "generate --help does not list --curve"
echo "ok: usage errors exit 2"

# delete removes the record.
run "delete" "$KEYS" delete WEB.TLS.EC
exit_code 1 "show after delete" "$KEYS" show WEB.TLS.EC
echo "ok: delete"
exit 0
