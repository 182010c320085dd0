#!/bin/sh
# HAProxy with ssl-mode-async and one thread: each handshake runs in an
# OpenSSL ASYNC job that pauses while the device signs, so the thread
# serves other connections meanwhile.  200 full handshakes, 20 at a time,
# with RSA and EC keys in the device all succeed, and HAProxy's worker
# keeps running.  The device saw more than one request in flight at once
# (its max-in-flight counter), which one thread can only cause through
# paused jobs.  The emulator runs with the 4767 timing profile so that a
# signature takes as long as on the card.  Debian-like setup as in
# haproxy_token_crt.sh: user haproxy, chroot, crt bundles.
. "$top_srcdir/test/scripts/common.sh"
. "$top_srcdir/test/tls/tls_common.sh"

tls_require_root "HAProxy changes its root directory and runs as user haproxy"
tls_require haproxy haproxy
tls_require curl curl

tls_server_user haproxy
tls_haproxy_chroot
tls_emu_start --profile 4767
tls_write_openssl_cnf
tls_device_key rsa RSA
tls_device_key ec EC
tls_haproxy_bundle rsa
tls_haproxy_bundle ec
tls_haproxy_start ssl-mode-async "nbthread 1"
worker=$(tls_haproxy_worker) || exit 1

before=$(device_counter signatures) || exit 1
tls_load "$PORT_RSA" rsa 100 10 "$T/load.rsa" &
load_rsa=$!
tls_load "$PORT_EC" ec 100 10 "$T/load.ec" &
load_ec=$!
wait "$load_rsa"
wait "$load_ec"
after=$(device_counter signatures) || exit 1

kill -0 "$worker" 2>/dev/null ||
    { tail -n 20 "$HAPROXY_DIR/haproxy.log" >&2; fail "the HAProxy worker $worker died under load"; }
tls_load_check "$T/load.rsa" 100 "RSA key with ssl-mode-async"
tls_load_check "$T/load.ec" 100 "EC key with ssl-mode-async"
[ $((after - before)) -eq 200 ] ||
    fail "200 handshakes made $((after - before)) device signatures"
echo "ok: 200 requests with ssl-mode-async: all returned 200, 200 device signatures"

in_flight=$(device_counter max-in-flight) || exit 1
[ "$in_flight" -gt 1 ] ||
    fail "one HAProxy thread never had more than one device request in flight: the handshakes did not pause"
echo "ok: one HAProxy thread kept up to $in_flight device requests in flight"

tls_haproxy_stop
exit 0
