#!/bin/sh
# nginx as Debian runs it, with its keys in the device as token PEM files:
# the master as root, 2 workers as www-data, the emulator socket open to
# the www-data group.  One request with each key (RSA-2048, EC P-256) over
# TLS 1.3 and TLS 1.2 checks the protocol, the cipher and the certificate.
# Then 500 requests, 50 at a time, each a full handshake, all succeed.
# The device counters prove that every handshake signed in the device:
# signatures rise by exactly the number of handshakes.
. "$top_srcdir/test/scripts/common.sh"
. "$top_srcdir/test/tls/tls_common.sh"

tls_require_root "the nginx workers run as www-data"
tls_require nginx nginx-light
tls_require curl curl

NGINX_USER=www-data
tls_server_user www-data
tls_emu_start
tls_write_openssl_cnf
tls_device_key rsa RSA
tls_device_key ec EC

servers() {
    tls_pick_port PORT_RSA
    tls_pick_port PORT_EC
    tls_nginx_server "$PORT_RSA" "$T/rsa.crt" "$T/rsa.key"
    tls_nginx_server "$PORT_EC" "$T/ec.crt" "$T/ec.key"
}
tls_nginx_start servers PORT_RSA

# The workers run as www-data, the master as root.
workers=$(tls_nginx_workers)
[ "$(echo "$workers" | wc -l)" -eq 2 ] || fail "expected 2 nginx workers, found: $workers"
for pid in $workers; do
    user=$(ps -o user= -p "$pid")
    [ "$user" = www-data ] || fail "nginx worker $pid runs as '$user', not www-data"
done
[ "$(ps -o user= -p "$NGINX_PID")" = root ] || fail "the nginx master does not run as root"
echo "ok: master as root, 2 workers as www-data"

# check_get PORT NAME PROTOCOL CIPHER-PATTERN CURL-OPTIONS...: one request
# negotiates PROTOCOL with a cipher matching CIPHER-PATTERN, presents the
# certificate CN=NAME, and signs exactly once in the device.
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
    grep -q "served by nginx over $protocol" "$T/get.body" ||
        fail "$name over $protocol: unexpected body: $(cat "$T/get.body")"
    [ $((after - before)) -eq 1 ] ||
        fail "$name over $protocol: $((after - before)) device signatures, expected 1"
    echo "ok: $name over $protocol: $got"
}

check_get "$PORT_RSA" rsa TLSv1.3 'TLS_AES_[0-9]+_GCM_SHA[0-9]+' --tlsv1.3
check_get "$PORT_RSA" rsa TLSv1.2 ECDHE-RSA-AES256-GCM-SHA384 \
    --tlsv1.2 --tls-max 1.2 --ciphers ECDHE-RSA-AES256-GCM-SHA384
check_get "$PORT_EC" ec TLSv1.3 'TLS_AES_[0-9]+_GCM_SHA[0-9]+' --tlsv1.3
check_get "$PORT_EC" ec TLSv1.2 ECDHE-ECDSA-AES256-GCM-SHA384 \
    --tlsv1.2 --tls-max 1.2 --ciphers ECDHE-ECDSA-AES256-GCM-SHA384

# 500 full handshakes, 50 at a time: 250 with each key, 25 at a time each.
before=$(device_counter signatures) || exit 1
tls_load "$PORT_RSA" rsa 250 25 "$T/load.rsa" &
load_rsa=$!
tls_load "$PORT_EC" ec 250 25 "$T/load.ec" &
load_ec=$!
wait "$load_rsa"
wait "$load_ec"
after=$(device_counter signatures) || exit 1

tls_load_check "$T/load.rsa" 250 "RSA key, 25 at a time"
tls_load_check "$T/load.ec" 250 "EC key, 25 at a time"
[ $((after - before)) -eq 500 ] ||
    fail "500 handshakes made $((after - before)) device signatures"
[ "$(tls_nginx_workers)" = "$workers" ] || fail "the nginx workers changed under load"
tls_nginx_log_clean
echo "ok: 500 requests, 50 at a time: all returned 200, 500 device signatures"

tls_nginx_stop
exit 0
