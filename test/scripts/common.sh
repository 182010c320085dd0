# Shared helpers for the shell tests.  Source it from a test script:
#   . "$top_srcdir/test/scripts/common.sh"
# It makes a private temporary directory ($T), starts and stops emulators
# on sockets inside it, and writes an openssl.cnf that activates the
# provider from the build tree next to the default provider.
#
# Exit codes follow Automake's test driver: 0 pass, 1 fail, 77 skip,
# 99 hard error.

set -u

: "${top_builddir:?run through make check, or set top_builddir}"
: "${top_srcdir:?run through make check, or set top_srcdir}"

T=$(mktemp -d "${TMPDIR:-/tmp}/ibm4767-test.XXXXXX") || exit 99
EMU_PIDS=""
OPENSSL=${OPENSSL:-openssl}

# In a build configured with --enable-sanitizers the module is
# instrumented but the system's openssl is not, and the sanitizer runtime
# must be the first library of the process.  The harness preloads it
# (test/hardening.mk sets IBM4767_SANITIZER_PRELOAD).  $OPENSSL becomes a
# wrapper script that does so, hidden in $T so that tests listing $T/* do
# not see it.  Put $SANITIZER_PRELOAD_ENV, unquoted, in front of any other
# program that loads the module (nginx, HAProxy, curl): it is empty in a
# normal build, and an env command that preloads the runtime in a
# sanitizer build.  env runs the program in its own process, so $! of a
# server started in the background is still the server.  Leak detection
# is off for those programs, because the servers do not free everything
# at exit; the module's leaks are checked in the openssl commands and the
# C tests.  doc/hardening.md explains the choice.
SANITIZER_PRELOAD_ENV=""
if [ -n "${IBM4767_SANITIZER_PRELOAD:-}" ]; then
    SANITIZER_PRELOAD_ENV="env LD_PRELOAD=$IBM4767_SANITIZER_PRELOAD${LD_PRELOAD:+:$LD_PRELOAD} ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
    real_openssl=$(command -v "$OPENSSL") || {
        echo "openssl ($OPENSSL) not found in PATH" >&2
        exit 99
    }
    cat >"$T/.openssl-preloaded" <<EOF
#!/bin/sh
LD_PRELOAD="$IBM4767_SANITIZER_PRELOAD\${LD_PRELOAD:+:\$LD_PRELOAD}" exec "$real_openssl" "\$@"
EOF
    chmod +x "$T/.openssl-preloaded"
    OPENSSL="$T/.openssl-preloaded"
fi

cleanup() {
    for pid in $EMU_PIDS; do
        kill "$pid" 2>/dev/null
    done
    for pid in $EMU_PIDS; do
        wait "$pid" 2>/dev/null
    done
    rm -rf "$T"
}
trap cleanup EXIT

fail() {
    echo "FAIL: $*" >&2
    exit 1
}

skip() {
    echo "SKIP: $*" >&2
    exit 77
}

# emu_start NAME [ibm4767-emud options...]
# Starts an emulator with its socket at $T/NAME.sock and its state in
# $T/NAME.state, waits until the socket exists, and sets EMU_PID and
# EMU_SOCKET.  Extra options (e.g. --post-seconds 2) go to the daemon.
emu_start() {
    name=$1
    shift
    EMU_SOCKET="$T/$name.sock"
    "$top_builddir/emulator/ibm4767-emud" --socket "$EMU_SOCKET" \
        --state-dir "$T/$name.state" --post-seconds 0 --foreground \
        --log-level info "$@" >>"$T/$name.log" 2>&1 &
    EMU_PID=$!
    EMU_PIDS="$EMU_PIDS $EMU_PID"
    i=0
    while [ ! -S "$EMU_SOCKET" ]; do
        i=$((i + 1))
        if [ $i -gt 100 ] || ! kill -0 "$EMU_PID" 2>/dev/null; then
            cat "$T/$name.log" >&2
            echo "emulator $name did not start" >&2
            exit 99
        fi
        sleep 0.1
    done
    IBM4767_DEVICES=${IBM4767_DEVICES:+$IBM4767_DEVICES,}$EMU_SOCKET
    export IBM4767_DEVICES
}

# emu_stop PID: stop one emulator started by emu_start and wait for it.
emu_stop() {
    kill "$1" 2>/dev/null
    wait "$1" 2>/dev/null
    EMU_PIDS=$(echo " $EMU_PIDS " | sed "s/ $1 / /")
}

# write_openssl_cnf FILE: a configuration that activates ibm4767 and
# default, as examples/openssl-ibm4767.cnf shows.
write_openssl_cnf() {
    cat >"$1" <<EOF
openssl_conf = openssl_init

[openssl_init]
providers = provider_sect

[provider_sect]
default = default_sect
ibm4767 = ibm4767_sect

[default_sect]
activate = 1

[ibm4767_sect]
module = $top_builddir/provider/.libs/ibm4767.so
activate = 1
EOF
}

# Options that load the provider from the build tree on an openssl command.
# default first: OpenSSL 3.0 takes an algorithm both providers offer from
# the one activated first, and TLS bulk ciphers must stay in software.
PROV_OPTS="-provider-path $top_builddir/provider/.libs -provider default -provider ibm4767"
DEVICE_PROPQ="-propquery provider=ibm4767"

# expect_fail DESCRIPTION PATTERN COMMAND...: the command must exit non-zero
# and its stderr must match the extended regular expression PATTERN.
expect_fail() {
    desc=$1
    pattern=$2
    shift 2
    if "$@" >"$T/out" 2>"$T/err"; then
        fail "$desc: succeeded, expected an error matching '$pattern'"
    fi
    if ! grep -Eq -- "$pattern" "$T/err"; then
        cat "$T/err" >&2
        fail "$desc: error does not match '$pattern'"
    fi
    echo "ok: $desc"
}
