#!/bin/sh
# ibm4767-keys over transport cca (cca_keys_suite.sh runs it with
# IBM4767_TRANSPORT=cca and libcsulcca-emu.so): generate, list, show,
# export-token and delete go through the CCA library's key record verbs.
# A record that another application stored in the library's key storage
# is listed, list reads the library's key-record-list files, and
# --key-storage, which names a database, is a usage error.
. "$top_srcdir/test/scripts/common.sh"

if [ "${IBM4767_TRANSPORT:-}" != cca ]; then
    echo "ERROR: run through test/cca/cca_keys_suite.sh (IBM4767_TRANSPORT=cca)" >&2
    exit 99
fi
KEYS="$top_builddir/tools/ibm4767-keys"
CHECK="$top_builddir/test/keystore-check"
# libcsulcca-emu.so keeps its key records in this database and writes
# its list files to pkalist and aeslist next to it.
IBM4767_KEY_STORAGE="$T/keys.db"
export IBM4767_KEY_STORAGE
where="CCA key storage (CCA library $IBM4767_CCA_LIBRARY)"

# keys WANT DESCRIPTION ARGS...: ibm4767-keys ARGS exits with WANT; its
# output is in $T/out and $T/err.
keys() {
    want=$1
    desc=$2
    shift 2
    "$KEYS" "$@" >"$T/out" 2>"$T/err"
    got=$?
    [ "$got" -eq "$want" ] ||
        { cat "$T/out" "$T/err" >&2; fail "$desc: exit $got, expected $want"; }
}

emu_start crp01

# generate: the message names the CCA library's key storage.
keys 0 "generate RSA" generate --label WEB.TLS.RSA --type rsa --bits 2048 \
    --usage both
grep -qF "stored rsa key WEB.TLS.RSA in $where" "$T/out" ||
    { cat "$T/out" >&2; fail "generate RSA: the message does not name the CCA key storage"; }
keys 0 "generate EC" generate --label WEB.TLS.EC --type ec --usage derive
keys 0 "generate AES" generate --label APP.AES --type aes --bits 128
keys 1 "generate over an existing label" generate --label WEB.TLS.EC --type ec
grep -q '8/44.*WEB\.TLS\.EC' "$T/err" || fail "duplicate label: no 8/44 naming it"
echo "ok: generate RSA, EC and AES into CCA key storage"

# A record that another application stored in the library's key storage
# (here written straight into its database).
"$CHECK" write-loop "$IBM4767_KEY_STORAGE" OTHER 1 >/dev/null ||
    fail "keystore-check could not add OTHER.R0"

# list: through CSNDKRL and CSNBAKRL, whose counter file appears in the
# list directories; the list files themselves are removed after reading.
keys 0 "list" list
cp "$T/out" "$T/list"
grep -q '^WEB\.TLS\.RSA  *rsa  *2048  *sign,keymgmt ' "$T/list" ||
    { cat "$T/list" >&2; fail "list does not show WEB.TLS.RSA"; }
grep -q '^WEB\.TLS\.EC  *ec  *P-256  *derive ' "$T/list" ||
    { cat "$T/list" >&2; fail "list does not show WEB.TLS.EC"; }
grep -q '^APP\.AES  *aes  *128  *encrypt,decrypt ' "$T/list" ||
    { cat "$T/list" >&2; fail "list does not show APP.AES"; }
grep -q '^OTHER\.R0  *rsa ' "$T/list" ||
    { cat "$T/list" >&2; fail "list does not show the other application's OTHER.R0"; }
[ "$(wc -l <"$T/list")" -eq 5 ] ||
    { cat "$T/list" >&2; fail "list shows other lines than the header and 4 records"; }
grep -q '1970-01-01' "$T/list" && fail "list shows a record without its times"
for dir in pkalist aeslist; do
    [ -f "$T/$dir/kreclist.dat" ] || fail "list did not go through the CCA library's $dir"
    ls "$T/$dir" | grep -q 'KYRLT' && fail "list left its files in $T/$dir"
done
keys 0 "list with a pattern" list 'WEB.*'
[ "$(wc -l <"$T/out")" -eq 3 ] || { cat "$T/out" >&2; fail "list WEB.* shows other records"; }
keys 0 "list with a part pattern" list '*.*.EC'
grep -q '^WEB\.TLS\.EC ' "$T/out" && [ "$(wc -l <"$T/out")" -eq 2 ] ||
    { cat "$T/out" >&2; fail "list *.*.EC shows other records"; }
keys 2 "list with an invalid pattern" list 'W*B*'
echo "ok: list through the CCA library's key-record-list files"

# show and export-token read the record through CSNDKRR.
keys 0 "show" show WEB.TLS.RSA
grep -q '^usage: *sign,keymgmt$' "$T/out" || fail "show: wrong usage"
grep -Eq '^created: *20[0-9]{2}-' "$T/out" || { cat "$T/out" >&2; fail "show: no creation time"; }
grep -q 'BEGIN PUBLIC KEY' "$T/out" || fail "show: no public key"
keys 0 "export-token" export-token WEB.TLS.EC --out "$T/ec-token.pem"
grep -q '^-----BEGIN CCA KEY TOKEN-----$' "$T/ec-token.pem" ||
    fail "export-token wrote no CCA KEY TOKEN block"
keys 1 "show a missing label" show NO.SUCH
grep -q '8/30.*NO\.SUCH' "$T/err" || fail "missing label: no 8/30 naming it"
echo "ok: show and export-token"

# delete through CSNDKRD and CSNBAKRD.
keys 0 "delete EC" delete WEB.TLS.EC
grep -qF "deleted WEB.TLS.EC from $where" "$T/out" || fail "delete: the message does not name the CCA key storage"
keys 0 "delete AES" delete APP.AES
keys 1 "show after delete" show WEB.TLS.EC
keys 0 "list after delete" list
[ "$(wc -l <"$T/out")" -eq 3 ] || { cat "$T/out" >&2; fail "list after delete shows deleted records"; }
echo "ok: delete"

# --key-storage names a database, which transport cca does not use.
keys 2 "--key-storage before the command" --key-storage "$T/other.db" list
grep -q "applies to transport socket" "$T/err" || fail "--key-storage: no reason given"
keys 2 "--key-storage after the command" list --key-storage "$T/other.db"
[ -e "$T/other.db" ] && fail "--key-storage created a database"

# A list directory the library cannot write fails with a message naming
# the variable to check.
CSUPKALD="$T/no-such-dir/pkalist"
export CSUPKALD
keys 1 "list with an unusable CSUPKALD" list
unset CSUPKALD
grep -q 'CSUPKALD' "$T/err" || { cat "$T/err" >&2; fail "list failure does not name CSUPKALD"; }
echo "ok: key storage options and failures"
exit 0
