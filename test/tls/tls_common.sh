# Helpers for the TLS server tests: nginx, HAProxy, curl and
# "openssl s_server" with private keys in the device.  Source it after
# common.sh:
#   . "$top_srcdir/test/scripts/common.sh"
#   . "$top_srcdir/test/tls/tls_common.sh"
#
# Every server listens on 127.0.0.1 only, at ports that nothing listened on
# when they were picked, and keeps its configuration, logs and pid file in
# $T.  tls_cleanup stops what the test started (servers first, then the
# emulators) and removes $T.
#
# When the test runs as root, tls_server_user makes $T traversable (mode
# 0711), so that nginx workers (www-data) can reach the emulator socket
# below it.  The socket's own directory admits only EMU_GROUP.

CLU="$top_builddir/tools/ibm4767-clu"
KEYS="$top_builddir/tools/ibm4767-keys"
MODULE="$top_builddir/provider/.libs/ibm4767.so"

# The emulator of the test: socket, state directory (kept across a
# restart, so key tokens stay valid) and the group allowed on the socket.
EMU_SOCKET="$T/run/crp01.sock"
EMU_STATE="$T/state"
EMU_GROUP=""
EMU_PID=""

# Servers and clients started in the background, stopped by tls_cleanup.
TLS_BG_PIDS=""
# The openssl.cnf that activates default, then ibm4767.
TLS_CNF="$T/openssl.cnf"
# Limits on every curl transfer, so that a hung server cannot stall the
# test run.
CURL_LIMITS="--connect-timeout 5 --max-time 30"

NGINX_DIR="$T/nginx"
NGINX_CONF="$NGINX_DIR/nginx.conf"
NGINX_PID=""
NGINX_USER=""
NGINX_WORKERS=2

tls_cleanup() {
    for pid in $TLS_BG_PIDS; do
        kill "$pid" 2>/dev/null
    done
    for pid in $TLS_BG_PIDS; do
        wait "$pid" 2>/dev/null
    done
    cleanup
}
trap tls_cleanup EXIT

# tls_bg_forget PID: drop PID from the processes tls_cleanup stops.
tls_bg_forget() {
    TLS_BG_PIDS=$(echo " $TLS_BG_PIDS " | sed "s/ $1 / /")
}

# tls_find PROGRAM: print the path of PROGRAM, searching PATH and then
# /usr/sbin and /sbin, where Debian installs nginx and haproxy.
tls_find() {
    PATH="$PATH:/usr/sbin:/sbin" command -v "$1"
}

# tls_require PROGRAM PACKAGE: skip the test when PROGRAM is not installed.
tls_require() {
    tls_find "$1" >/dev/null ||
        skip "$1 not found: install the Debian package $2 (apt-get install $2)"
}

tls_is_root() {
    [ "$(id -u)" -eq 0 ]
}

# tls_require_root WHY: skip the test unless it runs as root.
tls_require_root() {
    tls_is_root || skip "needs root: $1"
}

# tls_server_user USER: as root, let USER's group use the emulator socket
# and let USER traverse $T; the server's workers then run as USER.  Not as
# root, the workers run as the invoking user and this does nothing.
tls_server_user() {
    tls_is_root || return 0
    EMU_GROUP=$(id -gn "$1") || skip "user $1 does not exist"
    chmod 0711 "$T" || fail "chmod 0711 $T failed"
}

# tls_emu_start [ibm4767-emud options...]: start the emulator at
# EMU_SOCKET with its state in EMU_STATE, and wait (at most 10 s) for the
# socket.  The emulator creates the socket's directory (mode 0750 and
# group EMU_GROUP, or 0700) and keeps it when it stops.  Options given
# later win, e.g. --post-seconds 2.  Calling it again after emu_stop
# restarts the same device.
tls_emu_start() {
    # shellcheck disable=SC2086 # the group option is two words or none
    "$top_builddir/emulator/ibm4767-emud" --socket "$EMU_SOCKET" \
        --state-dir "$EMU_STATE" --post-seconds 0 --foreground \
        --log-level warn ${EMU_GROUP:+--socket-group $EMU_GROUP} "$@" \
        >>"$T/emud.log" 2>&1 &
    EMU_PID=$!
    EMU_PIDS="$EMU_PIDS $EMU_PID"

    i=0
    while [ ! -S "$EMU_SOCKET" ]; do
        i=$((i + 1))
        if [ $i -gt 100 ] || ! kill -0 "$EMU_PID" 2>/dev/null; then
            cat "$T/emud.log" >&2
            echo "ibm4767-emud did not create $EMU_SOCKET within 10 s" >&2
            exit 99
        fi
        sleep 0.1
    done
}

# tls_write_openssl_cnf [EXTRA-LINE...]: write TLS_CNF, which activates
# default first, so that TLS record ciphers and ephemeral keys stay in
# software, and then ibm4767 with devices = EMU_SOCKET.  Each EXTRA-LINE
# goes into the ibm4767 section.
tls_write_openssl_cnf() {
    {
        cat <<EOF
openssl_conf = openssl_init

[openssl_init]
providers = provider_sect

[provider_sect]
default = default_sect
ibm4767 = ibm4767_sect

[default_sect]
activate = 1

[ibm4767_sect]
module = $MODULE
activate = 1
devices = $EMU_SOCKET
ready-timeout = 30
EOF
        for line in "$@"; do
            echo "$line"
        done
    } >"$TLS_CNF"
}

# tls_ossl DESCRIPTION OPENSSL-ARGUMENTS...: run the openssl command with
# the provider activated through TLS_CNF; on failure show its stderr and
# fail naming DESCRIPTION.
tls_ossl() {
    desc=$1
    shift
    OPENSSL_CONF="$TLS_CNF" "$OPENSSL" "$@" 2>"$T/ossl.err" ||
        { cat "$T/ossl.err" >&2; fail "$desc"; }
}

# tls_self_signed NAME KEY: a certificate $T/NAME.crt for CN=NAME, valid
# for localhost and 127.0.0.1, signed with KEY (a file or a token PEM).
tls_self_signed() {
    tls_ossl "self-signed certificate for $1" req -new -x509 -key "$2" \
        -subj "/CN=$1" -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
        -days 2 -out "$T/$1.crt"
}

# tls_device_key NAME RSA|EC: generate an RSA-2048 or EC P-256 key in the
# device, written as the token PEM $T/NAME.key, and its certificate
# $T/NAME.crt.
tls_device_key() {
    case $2 in
    RSA) set -- "$1" -algorithm RSA -pkeyopt rsa_keygen_bits:2048 ;;
    EC) set -- "$1" -algorithm EC -pkeyopt ec_paramgen_curve:P-256 ;;
    *) fail "tls_device_key: unknown key type '$2'" ;;
    esac
    name=$1
    shift
    tls_ossl "generating $name in the device" genpkey "$@" \
        -propquery provider=ibm4767 -out "$T/$name.key"
    grep -q '^-----BEGIN CCA KEY TOKEN-----$' "$T/$name.key" ||
        fail "$name.key is not a CCA KEY TOKEN PEM"
    tls_self_signed "$name" "$T/$name.key"
}

# device_counter NAME: print device counter NAME of the emulator at
# EMU_SOCKET.  Call it as  n=$(device_counter NAME) || exit 1.
device_counter() {
    value=$("$CLU" status --counters --device "$EMU_SOCKET" --ready-timeout 30 |
        sed -n "s/^$1=//p")
    [ -n "$value" ] || fail "ibm4767-clu status --counters printed no '$1'"
    echo "$value"
}

# tls_port_listening PORT: true when a TCP socket listens on PORT.
tls_port_listening() {
    hex=$(printf ':%04X' "$1")
    awk -v port="$hex" '$4 == "0A" && substr($2, length($2) - 4) == port { found = 1 }
        END { exit !found }' /proc/net/tcp /proc/net/tcp6 2>/dev/null
}

# tls_pick_port VARIABLE: set VARIABLE to a port from 30000 to 54999 that
# nothing listens on and that this test has not picked before.
TLS_PORTS_PICKED=""
tls_pick_port() {
    tries=0
    while [ $tries -lt 100 ]; do
        port=$(($(od -An -N2 -tu2 /dev/urandom) % 25000 + 30000))
        case " $TLS_PORTS_PICKED " in
        *" $port "*) ;;
        *)
            if ! tls_port_listening "$port"; then
                TLS_PORTS_PICKED="$TLS_PORTS_PICKED $port"
                eval "$1=$port"
                return 0
            fi
            ;;
        esac
        tries=$((tries + 1))
    done
    fail "found no free TCP port on 127.0.0.1"
}

# tls_wait_listening PID PORT NAME: wait (at most 10 s) until PORT listens;
# fail naming NAME when PID exits first or the time runs out.
tls_wait_listening() {
    i=0
    while ! tls_port_listening "$2"; do
        i=$((i + 1))
        kill -0 "$1" 2>/dev/null || return 1
        [ $i -le 100 ] || fail "$3 does not listen on 127.0.0.1:$2 after 10 s"
        sleep 0.1
    done
}

# tls_wait_exit PID SECONDS: wait for PID, a child of this shell, to exit;
# after SECONDS send SIGKILL.  Returns 1 when SIGKILL was needed.
tls_wait_exit() {
    i=0
    while kill -0 "$1" 2>/dev/null; do
        i=$((i + 1))
        if [ $i -gt $(($2 * 10)) ]; then
            kill -KILL "$1" 2>/dev/null
            wait "$1" 2>/dev/null
            return 1
        fi
        sleep 0.1
    done
    wait "$1" 2>/dev/null
    return 0
}

# ---- nginx -------------------------------------------------------------

# tls_nginx_conf: print an nginx.conf in Debian's style (master as root,
# NGINX_WORKERS workers as NGINX_USER when set) with every path in
# NGINX_DIR, which includes the server blocks in NGINX_DIR/servers.conf.
# Sessions are neither cached nor resumed and every connection closes
# after one response, so each request is a full handshake.
tls_nginx_conf() {
    cat <<EOF
${NGINX_USER:+user $NGINX_USER;}
worker_processes $NGINX_WORKERS;
daemon off;
pid $NGINX_DIR/nginx.pid;
lock_file $NGINX_DIR/nginx.lock;
error_log $NGINX_DIR/error.log info;

# nginx clears the environment of its workers and of a new master started
# by a binary upgrade, except for the variables named here.
env OPENSSL_CONF;
env IBM4767_KEY_STORAGE;

events {
    worker_connections 512;
}

http {
    log_format tls '\$pid \$ssl_protocol \$ssl_cipher \$status';
    access_log $NGINX_DIR/access.log tls;
    client_body_temp_path $NGINX_DIR/client_body;
    proxy_temp_path $NGINX_DIR/proxy;
    fastcgi_temp_path $NGINX_DIR/fastcgi;
    uwsgi_temp_path $NGINX_DIR/uwsgi;
    scgi_temp_path $NGINX_DIR/scgi;

    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_session_cache off;
    ssl_session_tickets off;
    keepalive_timeout 0;

    include $NGINX_DIR/servers.conf;
}
EOF
}

# tls_nginx_server PORT CERT KEY: print a server block on 127.0.0.1:PORT
# that returns 200 and a short text for every request.
tls_nginx_server() {
    cat <<EOF
server {
    listen 127.0.0.1:$1 ssl;
    ssl_certificate $2;
    ssl_certificate_key $3;
    location / {
        return 200 "served by nginx over \$ssl_protocol\n";
    }
}
EOF
}

# tls_nginx_start SERVERS-FUNCTION PORT-VARIABLE: start nginx (daemon off,
# so the master is a child of this shell; NGINX_PID) with the server
# blocks that SERVERS-FUNCTION prints, and wait until the port in
# PORT-VARIABLE listens.  SERVERS-FUNCTION runs in this shell and picks its
# ports with tls_pick_port.  When another process took a port in the
# meantime, it runs again with new ports, at most 3 times.
tls_nginx_start() {
    tls_require nginx nginx-light
    mkdir -p "$NGINX_DIR" || fail "cannot create $NGINX_DIR"
    tls_nginx_conf >"$NGINX_CONF"
    attempt=0
    while :; do
        "$1" >"$NGINX_DIR/servers.conf"
        eval "port=\$$2"
        # shellcheck disable=SC2086 # SANITIZER_PRELOAD_ENV is a word list
        OPENSSL_CONF="$TLS_CNF" $SANITIZER_PRELOAD_ENV "$(tls_find nginx)" \
            -p "$NGINX_DIR" -c "$NGINX_CONF" >>"$NGINX_DIR/stderr.log" 2>&1 &
        NGINX_PID=$!
        TLS_BG_PIDS="$TLS_BG_PIDS $NGINX_PID"
        if tls_wait_listening "$NGINX_PID" "$port" nginx; then
            return 0
        fi
        wait "$NGINX_PID" 2>/dev/null
        tls_bg_forget "$NGINX_PID"
        NGINX_PID=""
        attempt=$((attempt + 1))
        if [ $attempt -ge 3 ] ||
            ! grep -qs 'Address already in use' "$NGINX_DIR/error.log" "$NGINX_DIR/stderr.log"; then
            cat "$NGINX_DIR/stderr.log" "$NGINX_DIR/error.log" >&2 2>/dev/null
            fail "nginx exited before listening"
        fi
    done
}

# tls_nginx_reload: "nginx -s reload".  It parses the configuration and
# loads the keys before it signals the master, so it needs the provider
# (OPENSSL_CONF) too.
tls_nginx_reload() {
    # shellcheck disable=SC2086 # SANITIZER_PRELOAD_ENV is a word list
    OPENSSL_CONF="$TLS_CNF" $SANITIZER_PRELOAD_ENV "$(tls_find nginx)" \
        -p "$NGINX_DIR" -c "$NGINX_CONF" -s reload 2>"$T/reload.err" ||
        { cat "$T/reload.err" >&2; fail "nginx -s reload failed"; }
}

# tls_nginx_stop: stop nginx gracefully (SIGQUIT to the master) and wait
# for it, at most 20 s.
tls_nginx_stop() {
    [ -n "$NGINX_PID" ] || return 0
    kill -QUIT "$NGINX_PID" 2>/dev/null
    tls_wait_exit "$NGINX_PID" 20 || echo "NOTE: nginx needed SIGKILL to stop" >&2
    tls_bg_forget "$NGINX_PID"
    NGINX_PID=""
}

# tls_nginx_workers: print the process ids of the nginx workers, the
# children of NGINX_PID, sorted.
tls_nginx_workers() {
    ps -o pid= --ppid "$NGINX_PID" | tr -d ' ' | sort
}

# tls_nginx_log_clean: fail when error.log has an entry of level crit,
# alert or emerg (a crash, a lost worker, a key that did not load).
tls_nginx_log_clean() {
    if grep -E '\[(crit|alert|emerg)\]' "$NGINX_DIR/error.log" >"$T/severe.log"; then
        head -n 5 "$T/severe.log" >&2
        fail "nginx logged $(wc -l <"$T/severe.log") crit, alert or emerg entries"
    fi
}

# ---- clients -----------------------------------------------------------

# tls_get PORT NAME [curl options...]: one HTTPS request to 127.0.0.1:PORT
# that must succeed, verifying the server against $T/NAME.crt.  curl's
# verbose output goes to $T/get.log; prints "PROTOCOL CIPHER SUBJECT".
tls_get() {
    port=$1
    name=$2
    shift 2
    # shellcheck disable=SC2086 # CURL_LIMITS is a list of options
    curl -sS -v $CURL_LIMITS --no-sessionid --cacert "$T/$name.crt" \
        -o "$T/get.body" "$@" "https://127.0.0.1:$port/" 2>"$T/get.log" ||
        { cat "$T/get.log" >&2; fail "HTTPS request to port $port ($name) failed"; }
    protocol_cipher=$(sed -n 's/^\* SSL connection using \([^ ]*\) \/ \([^ ]*\).*/\1 \2/p' "$T/get.log")
    subject=$(sed -n 's/^\*  subject: //p' "$T/get.log")
    [ -n "$protocol_cipher" ] || { cat "$T/get.log" >&2; fail "curl printed no TLS connection line"; }
    echo "$protocol_cipher $subject"
}

# tls_load PORT NAME COUNT PARALLEL OUT [curl options...]: COUNT requests
# to 127.0.0.1:PORT, at most PARALLEL at a time, each on a new connection
# with a full handshake (no session ID, no reuse).  OUT gets one line per
# request: "HTTP-STATUS CURL-EXIT-CODE ERROR".  Gives up after 120 s.
tls_load() {
    port=$1
    name=$2
    count=$3
    parallel=$4
    out=$5
    shift 5

    i=1
    while [ $i -le "$count" ]; do
        printf 'url = "https://127.0.0.1:%s/%s"\noutput = "/dev/null"\n' "$port" "$i"
        i=$((i + 1))
    done >"$out.urls"
    # shellcheck disable=SC2086 # CURL_LIMITS is a list of options
    timeout 120 curl -sS $CURL_LIMITS --parallel --parallel-max "$parallel" \
        --no-sessionid -H 'Connection: close' --cacert "$T/$name.crt" \
        -w '%{http_code} %{exitcode} %{errormsg}\n' "$@" -K "$out.urls" \
        >"$out" 2>"$out.err"
}

# tls_load_check OUT COUNT DESCRIPTION: every one of COUNT requests in OUT
# returned 200.
tls_load_check() {
    ok=$(grep -c '^200 0 *$' "$1")
    if [ "$ok" -ne "$2" ]; then
        grep -v '^200 0 *$' "$1" | sort | uniq -c | head -n 5 >&2
        fail "$3: $ok of $2 requests returned 200"
    fi
}

# ---- HAProxy -----------------------------------------------------------

HAPROXY_DIR="$T/haproxy"
HAPROXY_CHROOT="$HAPROXY_DIR/chroot"
HAPROXY_CFG="$HAPROXY_DIR/haproxy.cfg"
HAPROXY_PID=""

# tls_haproxy_chroot: make HAPROXY_CHROOT, an empty directory that only
# root can write, and move the emulator socket into it
# (EMU_SOCKET=HAPROXY_CHROOT/run/crp01.sock).  HAProxy's master loads the
# keys before the chroot and its worker connects to the device after it,
# both through the same path from openssl.cnf.  Inside the chroot that
# path is HAPROXY_CHROOT/HAPROXY_CHROOT/run/crp01.sock, so a link
# HAPROXY_CHROOT/HAPROXY_CHROOT -> / leads it back to the socket.  Call it
# before tls_emu_start and tls_write_openssl_cnf.
tls_haproxy_chroot() {
    mkdir -p "$HAPROXY_CHROOT$(dirname "$HAPROXY_CHROOT")" ||
        fail "cannot create the chroot $HAPROXY_CHROOT"
    ln -s / "$HAPROXY_CHROOT$HAPROXY_CHROOT" || fail "cannot link the chroot to itself"
    chmod 0755 "$HAPROXY_DIR" "$HAPROXY_CHROOT"
    EMU_SOCKET="$HAPROXY_CHROOT/run/crp01.sock"
}

# tls_haproxy_bundle NAME: HAPROXY_DIR/NAME.pem, the certificate followed
# by the key token PEM in one file, as HAProxy's "crt" takes them.
tls_haproxy_bundle() {
    cat "$T/$1.crt" "$T/$1.key" >"$HAPROXY_DIR/$1.pem" ||
        fail "cannot write $HAPROXY_DIR/$1.pem"
}

# tls_haproxy_conf GLOBAL-LINE...: print a haproxy.cfg in Debian's style
# (user and group haproxy, chroot HAPROXY_CHROOT) with one frontend that
# terminates TLS on PORT_RSA and PORT_EC with the bundles rsa.pem and
# ec.pem and returns 200 itself.  Each GLOBAL-LINE goes into the global
# section.  TLS tickets and the session cache are off, so each connection
# is a full handshake.
tls_haproxy_conf() {
    echo "global"
    echo "    user haproxy"
    echo "    group haproxy"
    echo "    chroot $HAPROXY_CHROOT"
    echo "    log stderr format short local0 notice"
    echo "    tune.ssl.cachesize 0"
    echo "    ssl-default-bind-options ssl-min-ver TLSv1.2 no-tls-tickets"
    for line in "$@"; do
        echo "    $line"
    done
    cat <<EOF

defaults
    mode http
    log global
    timeout connect 5s
    timeout client 30s
    timeout server 30s

frontend tls
    bind 127.0.0.1:$PORT_RSA ssl crt $HAPROXY_DIR/rsa.pem
    bind 127.0.0.1:$PORT_EC ssl crt $HAPROXY_DIR/ec.pem
    http-request return status 200 content-type text/plain lf-string "served by haproxy over %[ssl_fc_protocol]\n"
EOF
}

# tls_haproxy_start GLOBAL-LINE...: pick PORT_RSA and PORT_EC, write
# HAPROXY_CFG and start HAProxy as Debian's service does, in master-worker
# mode (-W), here in the foreground (-db) so that the master is a child of
# this shell (HAPROXY_PID).  Waits until both ports listen.
tls_haproxy_start() {
    tls_require haproxy haproxy
    tls_pick_port PORT_RSA
    tls_pick_port PORT_EC
    tls_haproxy_conf "$@" >"$HAPROXY_CFG"
    # shellcheck disable=SC2086 # SANITIZER_PRELOAD_ENV is a word list
    OPENSSL_CONF="$TLS_CNF" $SANITIZER_PRELOAD_ENV "$(tls_find haproxy)" \
        -c -q -f "$HAPROXY_CFG" >"$HAPROXY_DIR/check.log" 2>&1 ||
        { cat "$HAPROXY_DIR/check.log" >&2; fail "haproxy -c rejected $HAPROXY_CFG"; }
    # shellcheck disable=SC2086 # SANITIZER_PRELOAD_ENV is a word list
    OPENSSL_CONF="$TLS_CNF" $SANITIZER_PRELOAD_ENV "$(tls_find haproxy)" \
        -W -db -f "$HAPROXY_CFG" >>"$HAPROXY_DIR/haproxy.log" 2>&1 &
    HAPROXY_PID=$!
    TLS_BG_PIDS="$TLS_BG_PIDS $HAPROXY_PID"
    for port in "$PORT_RSA" "$PORT_EC"; do
        tls_wait_listening "$HAPROXY_PID" "$port" haproxy ||
            { cat "$HAPROXY_DIR/haproxy.log" >&2; fail "haproxy exited before listening"; }
    done
}

# tls_haproxy_worker: print the process id of HAProxy's worker, the child
# of the master, once it runs (at most 10 s).
tls_haproxy_worker() {
    i=0
    while :; do
        worker=$(ps -o pid= --ppid "$HAPROXY_PID" | tr -d ' ')
        [ -n "$worker" ] && break
        i=$((i + 1))
        [ $i -le 100 ] || fail "HAProxy started no worker process in 10 s"
        sleep 0.1
    done
    echo "$worker"
}

# tls_haproxy_stop: stop HAProxy (SIGTERM to the master) and wait for it,
# at most 20 s.
tls_haproxy_stop() {
    [ -n "$HAPROXY_PID" ] || return 0
    kill -TERM "$HAPROXY_PID" 2>/dev/null
    tls_wait_exit "$HAPROXY_PID" 20 || echo "NOTE: HAProxy needed SIGKILL to stop" >&2
    tls_bg_forget "$HAPROXY_PID"
    HAPROXY_PID=""
}
