#!/bin/sh
# "nginx -s reload" under load loses no request.  2000 requests, 50 at a
# time, each a full handshake with an RSA key in the device, run while
# nginx reloads twice.  Every request returns 200, the old and the new
# workers both served some of them, the device signed once per handshake,
# and nginx logged no crit, alert or emerg entry.  As root the workers run
# as www-data, as on Debian.
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

servers() {
    tls_pick_port PORT_RSA
    tls_nginx_server "$PORT_RSA" "$T/rsa.crt" "$T/rsa.key"
}
tls_nginx_start servers PORT_RSA

# wait_access_lines N: wait (at most 60 s) until access.log has N lines.
wait_access_lines() {
    i=0
    while [ "$(wc -l <"$NGINX_DIR/access.log")" -lt "$1" ]; do
        i=$((i + 1))
        [ $i -le 600 ] || fail "nginx served fewer than $1 requests in 60 s"
        kill -0 "$load" 2>/dev/null ||
            fail "the load ended before nginx served $1 requests"
        sleep 0.1
    done
}

# wait_new_workers OLD: wait (at most 20 s) until 2 workers run and none
# of them is in OLD, that is until the reload has replaced them all.
wait_new_workers() {
    i=0
    while :; do
        now=$(tls_nginx_workers)
        if [ "$(echo "$now" | wc -l)" -eq 2 ] &&
            [ -z "$(printf '%s\n%s\n' "$1" "$now" | sort | uniq -d)" ]; then
            return 0
        fi
        i=$((i + 1))
        [ $i -le 200 ] || fail "the reload did not replace the workers in 20 s (old: $1; now: $now)"
        sleep 0.1
    done
}

count=2000
before=$(device_counter signatures) || exit 1
first_workers=$(tls_nginx_workers)
tls_load "$PORT_RSA" rsa "$count" 50 "$T/load" &
load=$!
TLS_BG_PIDS="$TLS_BG_PIDS $load"

wait_access_lines 300
tls_nginx_reload
wait_new_workers "$first_workers"
second_workers=$(tls_nginx_workers)
echo "ok: first reload under load: workers $(echo $first_workers) replaced by $(echo $second_workers)"

wait_access_lines 1000
tls_nginx_reload
wait_new_workers "$second_workers"
echo "ok: second reload under load: workers now $(echo $(tls_nginx_workers))"

wait "$load"
tls_bg_forget "$load"
after=$(device_counter signatures) || exit 1

tls_load_check "$T/load" "$count" "reload under load"
[ $((after - before)) -eq "$count" ] ||
    fail "$count handshakes made $((after - before)) device signatures"

# The access log names the worker of each request: the first generation
# of workers and at least one later one served requests of the load.
cut -d' ' -f1 "$NGINX_DIR/access.log" | sort -u >"$T/served_by"
for pid in $first_workers; do
    grep -qx "$pid" "$T/served_by" && first_served=yes
done
for pid in $(tls_nginx_workers) $second_workers; do
    grep -qx "$pid" "$T/served_by" && later_served=yes
done
[ "${first_served:-}" = yes ] || fail "no request was served by the first workers"
[ "${later_served:-}" = yes ] || fail "no request was served by the workers after a reload"
tls_nginx_log_clean
echo "ok: $count requests across 2 reloads: all returned 200, $count device signatures"

tls_nginx_stop
exit 0
