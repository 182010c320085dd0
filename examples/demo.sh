#!/bin/sh
# Demonstration of the ibm4767 provider against the emulated coprocessor,
# run from the build tree by 'make demo':
#   1. start ibm4767-emud on a temporary socket with a 3 s self-test and
#      show ibm4767-clu status waiting for it;
#   2. generate an RSA-2048 and an EC P-256 key in the device as key token
#      PEM files (openssl genpkey -propquery provider=ibm4767);
#   3. sign a message with each key in the device and verify the signature
#      with the public key;
#   4. store an RSA-2048 and an EC P-256 key in key storage under labels
#      (ibm4767-keys, with a temporary IBM4767_KEY_STORAGE) and write CCA
#      KEY LABEL files that name them;
#   5. make self-signed certificates for the four keys (openssl req) and
#      start Debian's nginx on free 127.0.0.1 ports with them.  Fetch a
#      page with curl over TLS 1.3 and TLS 1.2 from each, showing the
#      protocol, the cipher and the certificate subject.  When nginx or
#      curl is missing, print how to install them and skip this step;
#   6. print the device status and its counters, then stop everything the
#      demo started.
#
# Needs top_builddir and top_srcdir, which 'make demo' sets.  Exit status:
# 0 success, 1 a step failed.

set -u

: "${top_builddir:?run through 'make demo', or set top_builddir to the build tree}"
: "${top_srcdir:?run through 'make demo', or set top_srcdir to the source tree}"

OPENSSL=${OPENSSL:-openssl}
EMUD="$top_builddir/emulator/ibm4767-emud"
CLU="$top_builddir/tools/ibm4767-clu"
MODULE_DIR="$top_builddir/provider/.libs"
SELF_TEST_SECONDS=3

KEYS="$top_builddir/tools/ibm4767-keys"
NGINX=/usr/sbin/nginx

T=""
EMU_PID=""
NGINX_PID=""

step() {
    printf '\n==> %s\n' "$*"
}

die() {
    echo "demo: $*" >&2
    exit 1
}

cleanup() {
    if [ -n "$NGINX_PID" ]; then
        kill -QUIT "$NGINX_PID" 2>/dev/null
        wait "$NGINX_PID" 2>/dev/null
    fi
    if [ -n "$EMU_PID" ]; then
        kill "$EMU_PID" 2>/dev/null
        wait "$EMU_PID" 2>/dev/null
    fi
    [ -n "$T" ] && rm -rf "$T"
}

check_build() {
    for file in "$EMUD" "$CLU" "$MODULE_DIR/ibm4767.so"; do
        [ -e "$file" ] || die "$file not found: run 'make' first"
    done
}

# Start the emulator with its socket and state in $T and wait (at most
# 10 s) for the socket to appear.
start_emulator() {
    SOCKET="$T/run/crp01.sock"
    step "Starting ibm4767-emud on $SOCKET with a ${SELF_TEST_SECONDS} s self-test"
    # As root, nginx runs its workers as www-data (as Debian does), so the
    # socket admits that group and $T lets it through.
    group=""
    if [ "$(id -u)" -eq 0 ] && id www-data >/dev/null 2>&1; then
        group=www-data
        chmod 0711 "$T" || die "chmod 0711 $T failed"
    fi
    "$EMUD" --socket "$SOCKET" --state-dir "$T/state" \
        ${group:+--socket-group "$group"} \
        --post-seconds "$SELF_TEST_SECONDS" --foreground --log-level warn \
        2>>"$T/emud.log" &
    EMU_PID=$!

    tries=0
    while [ ! -S "$SOCKET" ]; do
        tries=$((tries + 1))
        if [ $tries -gt 100 ] || ! kill -0 "$EMU_PID" 2>/dev/null; then
            cat "$T/emud.log" >&2
            die "ibm4767-emud did not create $SOCKET within 10 s"
        fi
        sleep 0.1
    done
}

# An openssl.cnf that activates ibm4767 (from the build tree) next to the
# default provider, as examples/openssl-ibm4767.cnf does.
write_openssl_cnf() {
    OPENSSL_CONF="$T/openssl.cnf"
    cat >"$OPENSSL_CONF" <<EOF
openssl_conf = openssl_init

[openssl_init]
providers = provider_sect

[provider_sect]
default = default_sect
ibm4767 = ibm4767_sect

[default_sect]
activate = 1

[ibm4767_sect]
module = $MODULE_DIR/ibm4767.so
activate = 1
devices = $SOCKET
ready-timeout = 30
EOF
    export OPENSSL_CONF
    echo "OPENSSL_CONF=$OPENSSL_CONF"
}

wait_for_self_test() {
    step "ibm4767-clu status waits while the coprocessor runs its self-test"
    "$CLU" status --device "$SOCKET" --ready-timeout 30 >/dev/null ||
        die "the coprocessor did not become ready"
}

# provider_has_keymgmt NAME: whether the ibm4767 provider offers key
# management for NAME (RSA or EC).
provider_has_keymgmt() {
    "$OPENSSL" list -key-managers 2>/dev/null |
        grep -Eq "(^|[ ,{])$1([ ,}]|$).*@ ibm4767"
}

# make_key NAME ALGORITHM GENPKEY-OPTIONS...: generate a key in the device
# and write it to $T/NAME.pem.  Returns 1 when the provider lacks the
# algorithm; a failure of an algorithm it offers stops the demo.
make_key() {
    name=$1
    algorithm=$2
    shift 2

    step "Generating $name in the device"
    if ! provider_has_keymgmt "$algorithm"; then
        echo "$algorithm keys are not supported by this build of the provider yet; skipping $name"
        return 1
    fi
    echo "$OPENSSL genpkey -algorithm $algorithm $* -propquery provider=ibm4767 -out $name.pem"
    "$OPENSSL" genpkey -algorithm "$algorithm" "$@" \
        -propquery provider=ibm4767 -out "$T/$name.pem" ||
        die "generating $name in the device failed"
    echo "$name.pem starts with: $(head -n 1 "$T/$name.pem")"
}

# sign_and_verify NAME: sign a message with the device key, then verify the
# signature with the public key that the provider exports.
sign_and_verify() {
    name=$1

    step "Signing with $name in the device and verifying with its public key"
    echo "A message signed inside the coprocessor." >"$T/message.txt"
    "$OPENSSL" pkey -in "$T/$name.pem" -pubout -out "$T/$name.pub.pem" ||
        die "exporting the public key of $name failed"
    "$OPENSSL" dgst -sha256 -sign "$T/$name.pem" -out "$T/$name.sig" \
        "$T/message.txt" || die "signing with $name failed"
    echo "signature: $(wc -c <"$T/$name.sig") bytes"
    "$OPENSSL" dgst -sha256 -verify "$T/$name.pub.pem" \
        -signature "$T/$name.sig" "$T/message.txt" ||
        die "the signature made with $name does not verify"
}

# store_labels: generate an RSA-2048 and an EC P-256 key in the device
# into key storage under the labels DEMO.RSA and DEMO.EC, and write the
# CCA KEY LABEL files DEMO.RSA.pem and DEMO.EC.pem that name them.
store_labels() {
    IBM4767_KEY_STORAGE="$T/keys.db"
    export IBM4767_KEY_STORAGE
    step "Storing two more device keys under labels (IBM4767_KEY_STORAGE=$IBM4767_KEY_STORAGE)"
    for label in DEMO.RSA DEMO.EC; do
        case $label in
        DEMO.RSA) set -- --type rsa --bits 2048 ;;
        DEMO.EC) set -- --type ec --curve P-256 ;;
        esac
        echo "ibm4767-keys generate --label $label $*"
        "$KEYS" --device "$SOCKET" generate --label "$label" "$@" >/dev/null ||
            die "ibm4767-keys generate --label $label failed"
        "$KEYS" export-ref "$label" --out "$T/$label.pem" >/dev/null ||
            die "ibm4767-keys export-ref $label failed"
    done
    "$KEYS" list || die "ibm4767-keys list failed"
    echo "DEMO.RSA.pem starts with: $(head -n 1 "$T/DEMO.RSA.pem")"
}

# make_certificate NAME KEY: a self-signed certificate $T/NAME.crt for
# CN=NAME, valid for localhost and 127.0.0.1, signed in the device with
# KEY (a token or label PEM file).
make_certificate() {
    "$OPENSSL" req -new -x509 -key "$2" -subj "/CN=$1" \
        -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" -days 1 \
        -out "$T/$1.crt" 2>"$T/req.err" ||
        { cat "$T/req.err" >&2; die "openssl req for $1 failed"; }
    echo "$1.crt: self-signed with $(basename "$2") ($(head -n 1 "$2" | tr -d -))"
}

# free_port: print a TCP port from 30000 to 54999 on which nothing
# listens and that the demo has not used yet.
free_port() {
    tries=0
    while [ $tries -lt 100 ]; do
        port=$(($(od -An -N2 -tu2 /dev/urandom) % 25000 + 30000))
        if ! port_listening "$port" &&
            ! grep -qs " $port\$" "$T/servers"; then
            echo "$port"
            return 0
        fi
        tries=$((tries + 1))
    done
    die "found no free TCP port on 127.0.0.1"
}

# port_listening PORT: true when a TCP socket listens on PORT.
port_listening() {
    awk -v port="$(printf ':%04X' "$1")" '
        $4 == "0A" && substr($2, length($2) - 4) == port { found = 1 }
        END { exit !found }' /proc/net/tcp /proc/net/tcp6 2>/dev/null
}

# start_nginx: start nginx in the foreground (its master is a child of
# this shell) with one HTTPS server per certificate in $T/servers, every
# file in $T/nginx, and wait (at most 10 s) until all of them listen.
start_nginx() {
    step "Starting nginx ($NGINX) on 127.0.0.1 with the four device keys"
    mkdir "$T/nginx" || die "cannot create $T/nginx"
    {
        [ -n "$group" ] && echo "user www-data;"
        cat <<EOF
worker_processes 2;
daemon off;
pid $T/nginx/nginx.pid;
error_log $T/nginx/error.log;
# nginx clears the environment of its workers and of a new master after a
# binary upgrade, except for these.
env OPENSSL_CONF;
env IBM4767_KEY_STORAGE;
events { worker_connections 64; }
http {
    access_log $T/nginx/access.log;
    client_body_temp_path $T/nginx/client_body;
    proxy_temp_path $T/nginx/proxy;
    fastcgi_temp_path $T/nginx/fastcgi;
    uwsgi_temp_path $T/nginx/uwsgi;
    scgi_temp_path $T/nginx/scgi;
    ssl_protocols TLSv1.2 TLSv1.3;
EOF
        while read -r name key port; do
            cat <<EOF
    server {
        listen 127.0.0.1:$port ssl;
        ssl_certificate $T/$name.crt;
        ssl_certificate_key $key;
        location / { return 200 "hello from nginx, key $name\\n"; }
    }
EOF
        done <"$T/servers"
        echo "}"
    } >"$T/nginx/nginx.conf"

    while read -r name key port; do
        echo "https://127.0.0.1:$port/  ssl_certificate_key $(basename "$key")"
    done <"$T/servers"
    # nginx reads OPENSSL_CONF, loads the provider and the keys in the
    # master, then starts the workers.
    "$NGINX" -p "$T/nginx" -c "$T/nginx/nginx.conf" 2>>"$T/nginx/stderr.log" &
    NGINX_PID=$!

    while read -r name key port; do
        tries=0
        until port_listening "$port"; do
            tries=$((tries + 1))
            if [ $tries -gt 100 ] || ! kill -0 "$NGINX_PID" 2>/dev/null; then
                cat "$T/nginx/stderr.log" "$T/nginx/error.log" >&2 2>/dev/null
                die "nginx did not listen on 127.0.0.1:$port within 10 s"
            fi
            sleep 0.1
        done
    done <"$T/servers"
}

# fetch_pages: one request per server and protocol with curl, a client
# without the provider, showing what was negotiated.
fetch_pages() {
    step "Fetching a page from each server with curl over TLS 1.3 and TLS 1.2"
    printf '%-15s %-8s %-30s %s\n' "key" "protocol" "cipher" "certificate subject"
    while read -r name key port; do
        for version in 1.3 1.2; do
            env -u OPENSSL_CONF curl -sS -v --no-sessionid --max-time 30 \
                --cacert "$T/$name.crt" --tlsv"$version" --tls-max "$version" \
                -o "$T/page" "https://127.0.0.1:$port/" 2>"$T/curl.log" ||
                { cat "$T/curl.log" >&2; die "curl over TLS $version to the $name server failed"; }
            set -- $(sed -n 's/^\* SSL connection using \([^ ]*\) \/ \([^ ]*\).*/\1 \2/p' "$T/curl.log")
            printf '%-15s %-8s %-30s %s\n' "$name" "$1" "$2" \
                "$(sed -n 's/^\*  subject: //p' "$T/curl.log")"
        done
    done <"$T/servers"
}

stop_nginx() {
    kill -QUIT "$NGINX_PID" 2>/dev/null
    wait "$NGINX_PID" 2>/dev/null
    NGINX_PID=""
    echo "nginx stopped"
}

# show_counters BEFORE: the device counters that show where the
# handshakes' private-key operations ran; BEFORE is the signature count
# before the first request.
show_counters() {
    step "Device counters (ibm4767-clu status --counters)"
    "$CLU" status --counters --device "$SOCKET" >"$T/counters" ||
        die "ibm4767-clu status --counters failed"
    grep -E '^(signatures|key-cache-hits|key-cache-misses)=' "$T/counters"
    after=$(sed -n 's/^signatures=//p' "$T/counters")
    echo "The $(($(wc -l <"$T/servers") * 2)) handshakes made $((after - $1)) signatures in the device;"
    echo "key-cache-hits counts requests that found the key already unwrapped."
}

# tls_server: the nginx part of the demo, skipped when nginx or curl is
# not installed.
tls_server() {
    if [ ! -x "$NGINX" ] || ! command -v curl >/dev/null; then
        step "Skipping the TLS server: nginx or curl is not installed"
        echo "Install them with: apt-get install -y nginx-light curl"
        return 0
    fi

    step "Self-signed certificates for the device keys (openssl req)"
    : >"$T/servers"
    for entry in rsa2048:rsa2048.pem p256:p256.pem \
        DEMO.RSA:DEMO.RSA.pem DEMO.EC:DEMO.EC.pem; do
        name=${entry%%:*}
        key="$T/${entry#*:}"
        [ -f "$key" ] || continue
        make_certificate "$name" "$key"
        echo "$name $key $(free_port)" >>"$T/servers"
    done

    start_nginx
    before=$("$CLU" status --counters --device "$SOCKET" | sed -n 's/^signatures=//p')
    fetch_pages
    show_counters "$before"
    stop_nginx
}

show_status() {
    step "Device status (ibm4767-clu status)"
    "$CLU" status --device "$SOCKET" || die "ibm4767-clu status failed"
}

main() {
    check_build
    T=$(mktemp -d "${TMPDIR:-/tmp}/ibm4767-demo.XXXXXX") ||
        die "cannot create a temporary directory"
    trap cleanup EXIT
    trap 'exit 1' INT TERM

    start_emulator
    write_openssl_cnf
    wait_for_self_test

    if make_key rsa2048 RSA -pkeyopt rsa_keygen_bits:2048; then
        sign_and_verify rsa2048
    fi
    if make_key p256 EC -pkeyopt ec_paramgen_curve:P-256; then
        sign_and_verify p256
    fi

    store_labels
    tls_server
    show_status
    step "Done: stopping ibm4767-emud and removing $T"
}

main "$@"
