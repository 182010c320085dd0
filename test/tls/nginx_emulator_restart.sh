#!/bin/sh
# The emulator restarts while nginx runs, and nginx is not touched.
# While the device is down each request fails at once with a TLS alert,
# nginx logs the device error (12/4800, the socket cannot be reached) and
# its workers keep running.  The device then starts again with the same
# state, so the key tokens stay valid, and a 2 s self-test.  Requests made
# during the self-test wait for it and succeed.  So do the requests after
# it, served by the same workers.  As root the workers run as
# www-data, as on Debian.
. "$top_srcdir/test/scripts/common.sh"
. "$top_srcdir/test/tls/tls_common.sh"

tls_require nginx nginx-light
tls_require curl curl

if tls_is_root; then
    NGINX_USER=www-data
    tls_server_user www-data
fi
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

tls_load "$PORT_RSA" rsa 20 10 "$T/before"
tls_load_check "$T/before" 20 "RSA key before the restart"
tls_load "$PORT_EC" ec 20 10 "$T/before"
tls_load_check "$T/before" 20 "EC key before the restart"
workers=$(tls_nginx_workers)
echo "ok: 40 requests before the restart"

# The device goes away.
emu_stop "$EMU_PID"
[ -S "$EMU_SOCKET" ] && fail "the emulator left its socket behind"

for name in rsa ec; do
    eval "port=\$PORT_$(echo "$name" | tr a-z A-Z)"
    start=$(date +%s)
    # shellcheck disable=SC2086 # CURL_LIMITS is a list of options
    if curl -sS $CURL_LIMITS --no-sessionid --cacert "$T/$name.crt" \
        -o /dev/null "https://127.0.0.1:$port/" 2>"$T/down.err"; then
        fail "$name: a request succeeded while the device was down"
    fi
    elapsed=$(($(date +%s) - start))
    [ $elapsed -le 2 ] || fail "$name: the failed request took $elapsed s"
    grep -q 'alert internal error' "$T/down.err" ||
        { cat "$T/down.err" >&2; fail "$name: curl did not get a TLS alert"; }
    echo "ok: $name: request failed with a TLS alert while the device was down"
done
grep -q '12/4800' "$NGINX_DIR/error.log" ||
    fail "nginx's error.log does not name the device error 12/4800"
[ "$(tls_nginx_workers)" = "$workers" ] || fail "nginx workers changed while the device was down"
echo "ok: nginx logged 12/4800 and kept its workers"

# The device comes back with a 2 s self-test; requests made meanwhile wait
# for it (ready-timeout = 30).
tls_emu_start --post-seconds 2
start=$(date +%s)
tls_load "$PORT_RSA" rsa 10 10 "$T/selftest.rsa" &
during_rsa=$!
tls_load "$PORT_EC" ec 10 10 "$T/selftest.ec" &
during_ec=$!
wait "$during_rsa"
wait "$during_ec"
elapsed=$(($(date +%s) - start))
tls_load_check "$T/selftest.rsa" 10 "RSA key during the self-test"
tls_load_check "$T/selftest.ec" 10 "EC key during the self-test"
# date +%s counts whole seconds, so a 2 s wait shows as 1 to 3.
[ $elapsed -ge 1 ] || fail "the requests did not wait for the self-test ($elapsed s)"
echo "ok: 20 requests made during the self-test waited ($elapsed s) and succeeded"

before=$(device_counter signatures) || exit 1
tls_load "$PORT_RSA" rsa 50 10 "$T/after"
tls_load_check "$T/after" 50 "RSA key after the restart"
tls_load "$PORT_EC" ec 50 10 "$T/after"
tls_load_check "$T/after" 50 "EC key after the restart"
after=$(device_counter signatures) || exit 1
[ $((after - before)) -eq 100 ] ||
    fail "100 handshakes after the restart made $((after - before)) device signatures"
[ "$(tls_nginx_workers)" = "$workers" ] || fail "nginx workers changed across the restart"
echo "ok: 100 requests after the restart, same workers, 100 device signatures"

tls_nginx_stop
exit 0
