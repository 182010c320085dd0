#!/bin/sh
# Malformed frames against a live emulator get an error reply or a clean
# close, and the daemon keeps serving (test/integration/malformed_frames.c).
. "$top_srcdir/test/scripts/common.sh"

emu_start frames
"$top_builddir/test/integration/malformed_frames" "$EMU_SOCKET"
status=$?
kill -0 "$EMU_PID" 2>/dev/null || fail "the emulator exited during the malformed-frame test"
exit $status
