# Helpers shared by the RSA shell tests.  Source it after common.sh:
#   . "$top_srcdir/test/scripts/common.sh"
#   . "$top_srcdir/test/scripts/rsa_common.sh"

CLU="$top_builddir/tools/ibm4767-clu"
SERVER_PID=""

# Stop a TLS server left running by a failed check, then run common.sh's
# cleanup (emulators, temporary directory).
rsa_cleanup() {
    if [ -n "$SERVER_PID" ]; then
        kill "$SERVER_PID" 2>/dev/null
        wait "$SERVER_PID" 2>/dev/null
    fi
    cleanup
}
trap rsa_cleanup EXIT

# run DESCRIPTION COMMAND...: the command must succeed; on failure its
# stderr is shown and the test fails naming DESCRIPTION.
run() {
    desc=$1
    shift
    "$@" 2>"$T/run.err" || { cat "$T/run.err" >&2; fail "$desc"; }
}

# rsa_genkey OUT [BITS [USAGE]]: generate an RSA key in the device and
# write its token PEM to OUT.  USAGE is sign, keymgmt or both (the
# default).
rsa_genkey() {
    # shellcheck disable=SC2086 # PROV_OPTS and DEVICE_PROPQ are word lists
    run "generating an RSA-${2:-2048} key (${3:-both}) in the device" \
        "$OPENSSL" genpkey $PROV_OPTS $DEVICE_PROPQ -algorithm RSA \
        -pkeyopt "rsa_keygen_bits:${2:-2048}" \
        -pkeyopt "ibm4767-usage:${3:-both}" -out "$1"
}

# rsa_pubout KEY OUT: write the SubjectPublicKeyInfo PEM of a device key.
rsa_pubout() {
    # shellcheck disable=SC2086
    run "pkey -pubout of $1" "$OPENSSL" pkey $PROV_OPTS -in "$1" -pubout \
        -out "$2"
}

# have_clu: true when ibm4767-clu was built.  Tests that read the device
# counters skip that check, saying so, when it was not.
have_clu() {
    [ -x "$CLU" ]
}

# counter NAME: the value of device counter NAME on the emulator at
# EMU_SOCKET (the one started last).
counter() {
    value=$("$CLU" status --counters --device "$EMU_SOCKET" |
        sed -n "s/^$1=//p")
    [ -n "$value" ] || fail "ibm4767-clu status --counters has no '$1'"
    echo "$value"
}

# token_of PEM OUT: the binary key token inside a CCA KEY TOKEN PEM file.
token_of() {
    sed -n '/-----BEGIN/,/-----END/{/-----/d;p}' "$1" | tr -d '\n' |
        "$OPENSSL" base64 -d -A >"$2" || fail "cannot decode the token PEM $1"
    [ -s "$2" ] || fail "the token PEM $1 contains no data"
}

# token_pem TOKEN OUT: wrap the binary TOKEN as a CCA KEY TOKEN PEM.
token_pem() {
    {
        echo "-----BEGIN CCA KEY TOKEN-----"
        "$OPENSSL" base64 -e <"$1"
        echo "-----END CCA KEY TOKEN-----"
    } >"$2"
}

# flip_byte FILE OFFSET: invert the lowest bit of the byte at OFFSET.
flip_byte() {
    byte=$(od -An -v -tu1 -j "$2" -N 1 "$1" | tr -d ' ')
    [ -n "$byte" ] || fail "flip_byte: $1 has no byte at offset $2"
    # shellcheck disable=SC2059 # the format is the octal escape itself
    printf "\\$(printf '%03o' $((byte ^ 1)))" |
        dd of="$1" bs=1 seek="$2" conv=notrunc 2>/dev/null
}

# server_start NAME OPTIONS...: start "openssl s_server" on 127.0.0.1 at
# the first free port of a range, with OPTIONS added.  Sets SERVER_PID and
# SERVER_PORT; the server's output goes to $T/NAME.log.  Each attempt
# waits until the server prints ACCEPT (listening) or exits (port taken).
server_start() {
    name=$1
    shift
    SERVER_PORT=$((40000 + $$ % 20000))
    attempt=0
    while [ $attempt -lt 20 ]; do
        "$OPENSSL" s_server -accept "127.0.0.1:$SERVER_PORT" "$@" \
            </dev/null >"$T/$name.log" 2>&1 &
        SERVER_PID=$!
        i=0
        while [ $i -lt 100 ]; do
            grep -q '^ACCEPT' "$T/$name.log" && return 0
            kill -0 "$SERVER_PID" 2>/dev/null || break
            sleep 0.1
            i=$((i + 1))
        done
        if kill -0 "$SERVER_PID" 2>/dev/null; then
            server_stop
            cat "$T/$name.log" >&2
            fail "s_server $name did not start listening within 10 s"
        fi
        wait "$SERVER_PID" 2>/dev/null
        SERVER_PID=""
        if ! grep -qi 'address already in use\|bind' "$T/$name.log"; then
            cat "$T/$name.log" >&2
            fail "s_server $name exited before listening"
        fi
        SERVER_PORT=$((SERVER_PORT + 1))
        attempt=$((attempt + 1))
    done
    fail "s_server $name found no free port on 127.0.0.1"
}

# server_stop: stop the s_server started last, if it still runs.
server_stop() {
    kill "$SERVER_PID" 2>/dev/null
    wait "$SERVER_PID" 2>/dev/null
    SERVER_PID=""
}
