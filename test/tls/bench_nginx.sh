#!/bin/sh
# nginx full TLS handshakes per second with the private key in the device
# against the same key in a plain PEM file.  One nginx in one run has four
# servers: RSA-2048 and EC P-256, each from a key token and from a PEM
# file.  A software key is imported into the device, so both servers of a
# key type present the same certificate.
#
# Several "openssl s_time -new" processes (no session reuse) load one
# server at a time for a fixed time.  The order of the servers rotates from
# round to round, and the table gives the median of the rounds.  Besides
# the rate it gives the CPU time that the server side (the nginx workers
# and the emulator) spent per handshake, which depends much less than the
# rate on other load on the host.  On a host with 2 or more CPUs the
# server side runs on CPU 0 and the clients on the other CPUs, so that
# the clients' handshake work takes no CPU time from the server.
#
# The device's signature counter must rise by the number of handshakes
# with a device key and stay put with a file key, which checks where each
# private-key operation ran.
#
# Not part of make check.  Run it from the build tree:
#   make bench-nginx BENCH_NGINX_OPTIONS='--rounds 5'
# or  top_builddir=BUILD top_srcdir=SRC sh SRC/test/tls/bench_nginx.sh
# Exit status: 0 measured, 1 a step failed, 2 usage error.

usage() {
    cat <<EOF
Usage: bench_nginx.sh [--seconds N] [--clients N] [--rounds N]
                      [--workers N] [--profile MODEL] [--no-pin]
Measure nginx TLS handshakes per second with keys in the device and in
PEM files.

  --seconds N      length of one measurement in seconds (default 5)
  --clients N      concurrent "openssl s_time -new" processes (default 4)
  --rounds N       rounds over all servers; the table shows the median
                   (default 3)
  --workers N      nginx worker processes (default: one per online CPU)
  --profile MODEL  start the emulator with --profile MODEL (4767), which
                   adds the card's modelled service times (default: off)
  --no-pin         let the server and the clients share all CPUs (default:
                   with 2 or more CPUs, the server on CPU 0, the clients
                   on the others)
EOF
}

SECONDS_PER_RUN=5
CLIENTS=4
ROUNDS=3
CPUS=$(getconf _NPROCESSORS_ONLN)
WORKERS=$CPUS
PROFILE=""
PIN=yes
while [ $# -gt 0 ]; do
    case $1 in
    --seconds | --clients | --rounds | --workers | --profile)
        [ $# -ge 2 ] || { echo "bench_nginx.sh: $1 needs a value" >&2; exit 2; }
        case $1 in
        --seconds) SECONDS_PER_RUN=$2 ;;
        --clients) CLIENTS=$2 ;;
        --rounds) ROUNDS=$2 ;;
        --workers) WORKERS=$2 ;;
        --profile) PROFILE=$2 ;;
        esac
        shift 2
        ;;
    --no-pin) PIN=no; shift ;;
    --help) usage; exit 0 ;;
    *) echo "bench_nginx.sh: unknown option '$1'" >&2; usage >&2; exit 2 ;;
    esac
done
for value in "$SECONDS_PER_RUN" "$CLIENTS" "$ROUNDS" "$WORKERS"; do
    case $value in
    '' | *[!0-9]* | 0) echo "bench_nginx.sh: '$value' is not a positive whole number" >&2; exit 2 ;;
    esac
done

. "$top_srcdir/test/scripts/common.sh"
. "$top_srcdir/test/tls/tls_common.sh"

# common.sh skips with 77 where a benchmark run should fail.
skip() {
    echo "bench_nginx.sh: $*" >&2
    exit 1
}

tls_require nginx nginx-light
if tls_is_root; then
    NGINX_USER=www-data
    tls_server_user www-data
fi
NGINX_WORKERS=$WORKERS
IBM4767_KEY_STORAGE="$T/keys.db"
export IBM4767_KEY_STORAGE

tls_emu_start ${PROFILE:+--profile "$PROFILE"}
tls_write_openssl_cnf

# The same key twice: a software key in a PEM file, and that key imported
# into the device as a token.
for type in rsa ec; do
    case $type in
    rsa) set -- -algorithm RSA -pkeyopt rsa_keygen_bits:2048 ;;
    ec) set -- -algorithm EC -pkeyopt ec_paramgen_curve:P-256 ;;
    esac
    "$OPENSSL" genpkey "$@" -out "$T/$type-file.key" 2>"$T/err" ||
        { cat "$T/err" >&2; fail "generating the $type software key failed"; }
    "$KEYS" --device "$EMU_SOCKET" import --label "BENCH.$(echo $type | tr a-z A-Z)" \
        --in "$T/$type-file.key" --out "$T/$type-device.key" >"$T/err" 2>&1 ||
        { cat "$T/err" >&2; fail "importing the $type key into the device failed"; }
    tls_self_signed "$type" "$T/$type-file.key"
done

servers() {
    tls_pick_port PORT_rsa_device
    tls_pick_port PORT_rsa_file
    tls_pick_port PORT_ec_device
    tls_pick_port PORT_ec_file
    for type in rsa ec; do
        for source in device file; do
            eval "port=\$PORT_${type}_$source"
            tls_nginx_server "$port" "$T/$type.crt" "$T/$type-$source.key"
        done
    done
}
tls_nginx_start servers PORT_rsa_device

# The server side on CPU 0, the clients on the other CPUs.
CLIENT_CPUS=""
if [ "$PIN" = yes ] && [ "$CPUS" -ge 2 ]; then
    command -v taskset >/dev/null ||
        fail "taskset not found: install the Debian package util-linux, or pass --no-pin"
    for pid in "$EMU_PID" "$NGINX_PID" $(tls_nginx_workers); do
        taskset -a -p -c 0 "$pid" >/dev/null || fail "taskset -a -p -c 0 $pid failed"
    done
    CLIENT_CPUS="1-$((CPUS - 1))"
fi

# now_ms: milliseconds since the epoch.
now_ms() {
    date +%s%3N
}

# cpu_ticks PID...: the user and system CPU time, in clock ticks, that
# the processes PID... (all their threads) used so far.
cpu_ticks() {
    for pid in "$@"; do
        # Fields 14 and 15 of /proc/PID/stat; the command name in
        # parentheses may contain spaces, so count after its ")".
        sed 's/^.*) //' "/proc/$pid/stat" || fail "cannot read /proc/$pid/stat"
    done | awk '{ ticks += $12 + $13 } END { print ticks + 0 }'
}

# measure PORT PROTOCOL-OPTION: run CLIENTS s_time processes against PORT
# for SECONDS_PER_RUN and print "HANDSHAKES ELAPSED-MS SIGNATURES
# WORKER-CPU-TICKS EMULATOR-CPU-TICKS".
WORKER_PIDS=$(tls_nginx_workers)
measure() {
    signatures=$(device_counter signatures) || exit 1
    # shellcheck disable=SC2086 # one argument per worker
    worker_ticks=$(cpu_ticks $WORKER_PIDS) || exit 1
    emulator_ticks=$(cpu_ticks "$EMU_PID") || exit 1
    start=$(now_ms)
    pids=""
    i=1
    while [ $i -le "$CLIENTS" ]; do
        ${CLIENT_CPUS:+taskset -c "$CLIENT_CPUS"} \
            "$OPENSSL" s_time -connect "127.0.0.1:$1" -new "$2" \
            -time "$SECONDS_PER_RUN" >"$T/s_time.$i" 2>&1 &
        pids="$pids $!"
        i=$((i + 1))
    done
    for pid in $pids; do
        wait "$pid" || { cat "$T/s_time.1" >&2; fail "openssl s_time failed on port $1"; }
    done
    end=$(now_ms)
    # shellcheck disable=SC2086
    done_worker_ticks=$(cpu_ticks $WORKER_PIDS) || exit 1
    done_emulator_ticks=$(cpu_ticks "$EMU_PID") || exit 1
    done_signatures=$(device_counter signatures) || exit 1
    handshakes=$(cat "$T"/s_time.* |
        awk '/connections in .* real seconds/ { n += $1 } END { print n + 0 }')
    echo "$handshakes $((end - start)) $((done_signatures - signatures))" \
        "$((done_worker_ticks - worker_ticks))" \
        "$((done_emulator_ticks - emulator_ticks))"
}

CLOCK_TICKS=$(getconf CLK_TCK)
CASES="tls13:rsa:device tls13:rsa:file tls13:ec:device tls13:ec:file
tls12:rsa:device tls12:rsa:file tls12:ec:device tls12:ec:file"
echo "nginx $("$(tls_find nginx)" -v 2>&1 | sed 's|.*/||'), $NGINX_WORKERS workers;" \
    "$("$OPENSSL" version | cut -d' ' -f1-2);" \
    "$(getconf _NPROCESSORS_ONLN) CPUs ($(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -n 1));" \
    "load average $(cut -d' ' -f1-3 /proc/loadavg)"
if [ -n "$CLIENT_CPUS" ]; then
    placement="nginx and the emulator on CPU 0, clients on CPUs $CLIENT_CPUS"
else
    placement="server and clients share all CPUs"
fi
echo "$ROUNDS rounds of $SECONDS_PER_RUN s per server, $CLIENTS s_time -new clients;" \
    "$placement${PROFILE:+; emulator profile $PROFILE}"

round=1
while [ $round -le "$ROUNDS" ]; do
    # Rotate the order so that no server always runs first or last.
    order=$(echo $CASES | tr ' ' '\n' | awk -v r="$round" '
        { line[NR] = $0 } END { for (i = 0; i < NR; i++) print line[(i + r - 1) % NR + 1] }')
    for case in $order; do
        protocol=${case%%:*}
        rest=${case#*:}
        type=${rest%%:*}
        source=${rest#*:}
        eval "port=\$PORT_${type}_$source"
        case $protocol in
        tls13) option=-tls1_3 ;;
        tls12) option=-tls1_2 ;;
        esac
        set -- $(measure "$port" "$option")
        handshakes=$1
        elapsed=$2
        signatures=$3
        worker_ticks=$4
        emulator_ticks=$5
        [ "$handshakes" -gt 0 ] || fail "$case: no handshake completed"
        if [ "$source" = device ] && [ "$signatures" -ne "$handshakes" ]; then
            fail "$case: $handshakes handshakes but $signatures device signatures"
        fi
        if [ "$source" = file ] && [ "$signatures" -ne 0 ]; then
            fail "$case: the plain PEM key made $signatures device signatures"
        fi
        rate=$(awk -v n="$handshakes" -v ms="$elapsed" 'BEGIN { printf "%.1f", n * 1000 / ms }')
        # CPU time per handshake in microseconds: workers, emulator, both.
        set -- $(awk -v n="$handshakes" -v w="$worker_ticks" -v e="$emulator_ticks" \
            -v hz="$CLOCK_TICKS" 'BEGIN { f = 1000000 / hz / n
                printf "%.0f %.0f %.0f\n", w * f, e * f, (w + e) * f }')
        echo "$protocol $type $source $rate $3" >>"$T/rates"
        echo "round $round: $protocol $type $source: $handshakes handshakes in $elapsed ms = $rate/s;" \
            "CPU per handshake: workers $1 us, emulator $2 us (device signatures $signatures)"
    done
    round=$((round + 1))
done

# median PROTOCOL TYPE SOURCE COLUMN: the median over the rounds of
# column COLUMN (4 rate, 5 CPU time) of $T/rates.
median() {
    awk -v p="$1" -v t="$2" -v s="$3" -v c="$4" \
        '$1 == p && $2 == t && $3 == s { print $c }' "$T/rates" | sort -n |
        awk '{ v[NR] = $1 }
            END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.1f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# The medians for each server, and the ratios device / file: of the rates,
# and of the CPU time per handshake turned into a rate (file / device).
echo
echo "| protocol | key | handshakes/s, device key | handshakes/s, PEM file | device / file | server CPU per handshake (us), device key | server CPU per handshake (us), PEM file | file / device |"
echo "|---|---|---|---|---|---|---|---|"
for protocol in tls13 tls12; do
    for type in rsa ec; do
        rate_device=$(median "$protocol" "$type" device 4)
        rate_file=$(median "$protocol" "$type" file 4)
        cpu_device=$(median "$protocol" "$type" device 5)
        cpu_file=$(median "$protocol" "$type" file 5)
        case $protocol in tls13) name="TLS 1.3" ;; tls12) name="TLS 1.2" ;; esac
        case $type in rsa) key=RSA-2048 ;; ec) key="EC P-256" ;; esac
        echo "| $name | $key | $rate_device | $rate_file |" \
            "$(awk -v d="$rate_device" -v f="$rate_file" 'BEGIN { printf "%.2f", d / f }') |" \
            "$cpu_device | $cpu_file |" \
            "$(awk -v d="$cpu_device" -v f="$cpu_file" 'BEGIN { printf "%.2f", f / d }') |"
    done
done

tls_nginx_stop
exit 0
