#!/bin/sh
# The bad-input catalogue (test/badinput/badinput.h) against two
# emulators: the main one, and a second with its own master keys that
# makes a token of another coprocessor.
. "$top_srcdir/test/scripts/common.sh"

emu_start main
main_socket=$EMU_SOCKET
emu_start other
other_socket=$EMU_SOCKET
unset IBM4767_DEVICES

"$top_builddir/test/badinput/badinput" "$main_socket" "$other_socket" "$T"
status=$?
if [ $status -ne 0 ]; then
    echo "--- emulator log (main)" >&2
    tail -n 40 "$T/main.log" >&2
fi
exit $status
