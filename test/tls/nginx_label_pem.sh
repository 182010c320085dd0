#!/bin/sh
# nginx with keys by label: ssl_certificate_key names a CCA KEY LABEL PEM
# file (ibm4767-keys export-ref), and the provider reads the key token
# from key storage (IBM4767_KEY_STORAGE, passed on with "env" in
# nginx.conf).  RSA and EC keys serve TLS 1.3 and TLS 1.2, signing in the
# device.  Rotation: after the label gets a new key and certificate,
# "nginx -s reload" serves the new key through the same label file.
# nginx 1.22 (Debian 12) takes no store URI in ssl_certificate_key, and
# the test checks the error of "nginx -t".  As root the workers run as www-data.
. "$top_srcdir/test/scripts/common.sh"
. "$top_srcdir/test/tls/tls_common.sh"

tls_require nginx nginx-light
tls_require curl curl

if tls_is_root; then
    NGINX_USER=www-data
    tls_server_user www-data
fi
IBM4767_KEY_STORAGE="$T/keys.db"
export IBM4767_KEY_STORAGE
tls_emu_start
tls_write_openssl_cnf

# keys LABEL ARGUMENTS...: run ibm4767-keys on the test's device.
keys() {
    "$KEYS" --device "$EMU_SOCKET" "$@" >"$T/keys.out" 2>&1 ||
        { cat "$T/keys.out" >&2; fail "ibm4767-keys $*"; }
}

keys generate --label WEB.TLS.RSA --type rsa --bits 2048
keys generate --label WEB.TLS.EC --type ec --curve P-256
keys export-ref WEB.TLS.RSA --out "$T/web-rsa.pem"
keys export-ref WEB.TLS.EC --out "$T/web-ec.pem"
grep -q '^-----BEGIN CCA KEY LABEL-----$' "$T/web-rsa.pem" ||
    fail "export-ref wrote no CCA KEY LABEL PEM"
tls_self_signed rsa "$T/web-rsa.pem"
tls_self_signed ec "$T/web-ec.pem"

servers() {
    tls_pick_port PORT_RSA
    tls_pick_port PORT_EC
    tls_nginx_server "$PORT_RSA" "$T/rsa.crt" "$T/web-rsa.pem"
    tls_nginx_server "$PORT_EC" "$T/ec.crt" "$T/web-ec.pem"
}
tls_nginx_start servers PORT_RSA

# check_get PORT NAME PROTOCOL CURL-OPTIONS...: one request negotiates
# PROTOCOL, presents CN=NAME and signs once in the device.
check_get() {
    port=$1
    name=$2
    protocol=$3
    shift 3

    before=$(device_counter signatures) || exit 1
    got=$(tls_get "$port" "$name" "$@") || exit 1
    after=$(device_counter signatures) || exit 1
    echo "$got" | grep -Eq "^$protocol .* CN ?= ?$name$" ||
        fail "$name over $protocol: got '$got'"
    [ $((after - before)) -eq 1 ] ||
        fail "$name over $protocol: $((after - before)) device signatures, expected 1"
    echo "ok: label key $name over $protocol: $got"
}

check_get "$PORT_RSA" rsa TLSv1.3 --tlsv1.3
check_get "$PORT_RSA" rsa TLSv1.2 --tlsv1.2 --tls-max 1.2
check_get "$PORT_EC" ec TLSv1.3 --tlsv1.3
check_get "$PORT_EC" ec TLSv1.2 --tlsv1.2 --tls-max 1.2

before=$(device_counter signatures) || exit 1
tls_load "$PORT_RSA" rsa 100 20 "$T/load"
tls_load_check "$T/load" 100 "RSA label key, 20 at a time"
after=$(device_counter signatures) || exit 1
[ $((after - before)) -eq 100 ] ||
    fail "100 handshakes made $((after - before)) device signatures"
echo "ok: 100 requests with the RSA label key"

# Rotation: a new key under the same label, a new certificate, a reload.
cp "$T/rsa.crt" "$T/rsa-old.crt"
keys delete WEB.TLS.RSA
keys generate --label WEB.TLS.RSA --type rsa --bits 2048
tls_self_signed rsa "$T/web-rsa.pem"
cmp -s "$T/rsa.crt" "$T/rsa-old.crt" && fail "the new certificate equals the old one"
tls_nginx_reload
i=0
# The old workers serve until the new ones take over; wait until a
# request presents the new certificate (at most 10 s).
# shellcheck disable=SC2086 # CURL_LIMITS is a list of options
until curl -sS $CURL_LIMITS --no-sessionid --cacert "$T/rsa.crt" \
    -o /dev/null "https://127.0.0.1:$PORT_RSA/" 2>"$T/rotate.err"; do
    i=$((i + 1))
    [ $i -le 100 ] || { cat "$T/rotate.err" >&2; fail "nginx does not present the new certificate after the reload"; }
    sleep 0.1
done
# An old worker that has not yet handled its shutdown signal may still
# accept a connection, so the old certificate has to disappear within
# 10 s rather than at once.
i=0
# shellcheck disable=SC2086
while curl -sS $CURL_LIMITS --no-sessionid --cacert "$T/rsa-old.crt" \
    -o /dev/null "https://127.0.0.1:$PORT_RSA/" 2>/dev/null; do
    i=$((i + 1))
    [ $i -le 100 ] || fail "nginx still presents the old certificate 10 s after the reload"
    sleep 0.1
done
check_get "$PORT_RSA" rsa TLSv1.3 --tlsv1.3
echo "ok: the label file serves the new key after a reload"

# nginx 1.22 reads ssl_certificate_key as a file name only.
if "$(tls_find nginx)" -v 2>&1 | grep -q 'nginx/1\.22\.'; then
    sed "s|ssl_certificate_key $T/web-ec.pem;|ssl_certificate_key ibm4767:label=WEB.TLS.EC;|" \
        "$NGINX_DIR/servers.conf" >"$T/uri-servers.conf"
    sed "s|include $NGINX_DIR/servers.conf;|include $T/uri-servers.conf;|" \
        "$NGINX_CONF" >"$T/uri-nginx.conf"
    grep -q 'ibm4767:label=WEB.TLS.EC' "$T/uri-servers.conf" ||
        fail "could not write the store URI into the test configuration"
    # shellcheck disable=SC2086 # SANITIZER_PRELOAD_ENV is a word list
    if OPENSSL_CONF="$TLS_CNF" $SANITIZER_PRELOAD_ENV "$(tls_find nginx)" \
        -p "$NGINX_DIR" -c "$T/uri-nginx.conf" -t >"$T/uri.out" 2>&1; then
        fail "nginx 1.22 accepted a store URI as ssl_certificate_key"
    fi
    grep -q 'cannot load certificate key ".*ibm4767:label=WEB.TLS.EC": BIO_new_file() failed' "$T/uri.out" ||
        { cat "$T/uri.out" >&2; fail "nginx -t did not reject the store URI as a key file"; }
    echo "ok: nginx 1.22 rejects ibm4767:label=... in ssl_certificate_key; use the label PEM"
fi

tls_nginx_log_clean
tls_nginx_stop
exit 0
