#!/bin/sh
# HAProxy with its keys in the device, configured as on Debian: the
# certificate and the key token PEM in one "crt" file, the worker as user
# haproxy in a chroot, the provider activated through OPENSSL_CONF.  The
# emulator socket lives inside the chroot (a bind mount of its directory
# would need root mounts).  RSA-2048 and EC P-256 keys serve TLS 1.3 and
# TLS 1.2.  200 full handshakes, 20 at a time, all succeed, and each one
# signs once in the device.
. "$top_srcdir/test/scripts/common.sh"
. "$top_srcdir/test/tls/tls_common.sh"

tls_require_root "HAProxy changes its root directory and runs as user haproxy"
tls_require haproxy haproxy
tls_require curl curl

tls_server_user haproxy
tls_haproxy_chroot
tls_emu_start
tls_write_openssl_cnf
tls_device_key rsa RSA
tls_device_key ec EC
tls_haproxy_bundle rsa
tls_haproxy_bundle ec
tls_haproxy_start

worker=$(tls_haproxy_worker) || exit 1
[ "$(ps -o user= -p "$worker")" = haproxy ] ||
    fail "the HAProxy worker $worker does not run as haproxy"
[ "$(readlink "/proc/$worker/root")" = "$HAPROXY_CHROOT" ] ||
    fail "the HAProxy worker $worker is not in the chroot $HAPROXY_CHROOT"
echo "ok: the HAProxy worker runs as haproxy in $HAPROXY_CHROOT"

# check_get PORT NAME PROTOCOL CIPHER-PATTERN CURL-OPTIONS...: one request
# negotiates PROTOCOL with a cipher matching CIPHER-PATTERN, presents
# CN=NAME and signs exactly once in the device.
check_get() {
    port=$1
    name=$2
    protocol=$3
    cipher=$4
    shift 4

    before=$(device_counter signatures) || exit 1
    got=$(tls_get "$port" "$name" "$@") || exit 1
    after=$(device_counter signatures) || exit 1

    echo "$got" | grep -Eq "^$protocol $cipher CN ?= ?$name$" ||
        fail "$name over $protocol: got '$got'"
    grep -q "served by haproxy over $protocol" "$T/get.body" ||
        fail "$name over $protocol: unexpected body: $(cat "$T/get.body")"
    [ $((after - before)) -eq 1 ] ||
        fail "$name over $protocol: $((after - before)) device signatures, expected 1"
    echo "ok: $name over $protocol: $got"
}

check_get "$PORT_RSA" rsa TLSv1.3 'TLS_AES_[0-9]+_GCM_SHA[0-9]+' --tlsv1.3
check_get "$PORT_RSA" rsa TLSv1.2 ECDHE-RSA-AES128-GCM-SHA256 \
    --tlsv1.2 --tls-max 1.2 --ciphers ECDHE-RSA-AES128-GCM-SHA256
check_get "$PORT_EC" ec TLSv1.3 'TLS_AES_[0-9]+_GCM_SHA[0-9]+' --tlsv1.3
check_get "$PORT_EC" ec TLSv1.2 ECDHE-ECDSA-AES128-GCM-SHA256 \
    --tlsv1.2 --tls-max 1.2 --ciphers ECDHE-ECDSA-AES128-GCM-SHA256

before=$(device_counter signatures) || exit 1
tls_load "$PORT_RSA" rsa 100 10 "$T/load.rsa" &
load_rsa=$!
tls_load "$PORT_EC" ec 100 10 "$T/load.ec" &
load_ec=$!
wait "$load_rsa"
wait "$load_ec"
after=$(device_counter signatures) || exit 1
tls_load_check "$T/load.rsa" 100 "RSA key, 10 at a time"
tls_load_check "$T/load.ec" 100 "EC key, 10 at a time"
[ $((after - before)) -eq 200 ] ||
    fail "200 handshakes made $((after - before)) device signatures"
[ "$(tls_haproxy_worker)" = "$worker" ] || fail "the HAProxy worker changed under load"
echo "ok: 200 requests, 20 at a time: all returned 200, 200 device signatures"

tls_haproxy_stop
exit 0
