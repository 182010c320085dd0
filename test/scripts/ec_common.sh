# Helpers shared by the EC shell tests.  Source it after common.sh:
#   . "$top_srcdir/test/scripts/common.sh"
#   . "$top_srcdir/test/scripts/ec_common.sh"

CLU="$top_builddir/tools/ibm4767-clu"
SERVER_PID=""

# Stop a TLS server left running by a failed check, then do common.sh's
# cleanup (emulators, temporary directory).
ec_cleanup() {
    if [ -n "$SERVER_PID" ]; then
        kill "$SERVER_PID" 2>/dev/null
        wait "$SERVER_PID" 2>/dev/null
    fi
    cleanup
}
trap ec_cleanup EXIT

# ec_genkey CURVE OUT [USAGE]: generate an EC key of CURVE (P-256, P-384,
# P-521) in the device and write its token PEM to OUT.  USAGE is sign,
# derive or both (the default).
ec_genkey() {
    gen_curve=$1
    gen_out=$2
    gen_usage=${3:-both}
    # shellcheck disable=SC2086 # PROV_OPTS and DEVICE_PROPQ are word lists
    if ! "$OPENSSL" genpkey $PROV_OPTS $DEVICE_PROPQ -algorithm EC \
            -pkeyopt "ec_paramgen_curve:$gen_curve" \
            -pkeyopt "ibm4767-usage:$gen_usage" -out "$gen_out" \
            2>"$T/genpkey.err"
    then
        cat "$T/genpkey.err" >&2
        fail "generating an EC $gen_curve key ($gen_usage) in the device failed"
    fi
}

# ec_pubout KEY OUT: write the SubjectPublicKeyInfo PEM of a device key.
ec_pubout() {
    # shellcheck disable=SC2086
    "$OPENSSL" pkey $PROV_OPTS -in "$1" -pubout -out "$2" 2>"$T/pubout.err" ||
        { cat "$T/pubout.err" >&2; fail "pkey -pubout of $1 failed"; }
}

# have_clu: true when ibm4767-clu was built.  Tests that read the device
# counters skip that check, saying so, when it was not.
have_clu() {
    [ -x "$CLU" ]
}

# counter NAME: print the value of the device counter NAME on the emulator
# started last (EMU_SOCKET).
counter() {
    counter_value=$("$CLU" status --counters --device "$EMU_SOCKET" |
        sed -n "s/^$1=//p")
    [ -n "$counter_value" ] ||
        fail "ibm4767-clu status --counters has no '$1'"
    echo "$counter_value"
}

# hex_of FILE: the bytes of FILE as one line of lower-case hex.
hex_of() {
    od -An -v -tx1 "$1" | tr -d ' \n'
}

# flip_byte FILE OFFSET: invert the lowest bit of the byte at OFFSET.
flip_byte() {
    flip_value=$(od -An -v -tu1 -j "$2" -N 1 "$1" | tr -d ' ')
    [ -n "$flip_value" ] || fail "flip_byte: $1 has no byte at offset $2"
    # shellcheck disable=SC2059 # the format is the octal escape itself
    printf "\\$(printf '%03o' $((flip_value ^ 1)))" |
        dd of="$1" bs=1 seek="$2" conv=notrunc 2>/dev/null
}

# token_of PEM OUT: the binary key token inside a "CCA KEY TOKEN" PEM file.
token_of() {
    sed -n '/-----BEGIN/,/-----END/{/-----/d;p}' "$1" | tr -d '\n' |
        "$OPENSSL" base64 -d -A >"$2" || fail "cannot decode the token PEM $1"
    [ -s "$2" ] || fail "the token PEM $1 holds no data"
}

# token_pem TOKEN LABEL OUT: wrap binary TOKEN as PEM with LABEL.
token_pem() {
    {
        echo "-----BEGIN $2-----"
        "$OPENSSL" base64 -e <"$1"
        echo "-----END $2-----"
    } >"$3"
}

# server_start NAME CONF OPTIONS...: start "openssl s_server" with the
# configuration file CONF and OPTIONS on 127.0.0.1, at the first free port
# from a range.  Sets SERVER_PID and SERVER_PORT; the server's output goes
# to $T/NAME.log.  Each attempt waits until the server prints ACCEPT
# (listening) or exits (port taken).
server_start() {
    srv_name=$1
    srv_conf=$2
    shift 2
    SERVER_PORT=$((20000 + $$ % 20000))
    srv_attempt=0
    while [ $srv_attempt -lt 20 ]; do
        OPENSSL_CONF=$srv_conf "$OPENSSL" s_server \
            -accept "127.0.0.1:$SERVER_PORT" "$@" \
            </dev/null >"$T/$srv_name.log" 2>&1 &
        SERVER_PID=$!
        srv_wait=0
        while [ $srv_wait -lt 100 ]; do
            if grep -q '^ACCEPT' "$T/$srv_name.log" 2>/dev/null; then
                return 0
            fi
            kill -0 "$SERVER_PID" 2>/dev/null || break
            sleep 0.1
            srv_wait=$((srv_wait + 1))
        done
        if kill -0 "$SERVER_PID" 2>/dev/null; then
            kill "$SERVER_PID"
            wait "$SERVER_PID" 2>/dev/null
            cat "$T/$srv_name.log" >&2
            fail "s_server $srv_name did not start listening within 10 s"
        fi
        wait "$SERVER_PID" 2>/dev/null
        if ! grep -qi 'address already in use' "$T/$srv_name.log"; then
            cat "$T/$srv_name.log" >&2
            fail "s_server $srv_name exited before listening"
        fi
        SERVER_PORT=$((SERVER_PORT + 1))
        srv_attempt=$((srv_attempt + 1))
    done
    fail "s_server $srv_name found no free port on 127.0.0.1"
}

# server_stop: stop the s_server started last, if it still runs.
server_stop() {
    kill "$SERVER_PID" 2>/dev/null
    wait "$SERVER_PID" 2>/dev/null
    SERVER_PID=""
}
