#!/bin/sh
# Requests in flight together on one connection come back matched by id
# (test/integration/pipelining.c against a live emulator).
. "$top_srcdir/test/scripts/common.sh"

emu_start pipe
"$top_builddir/test/integration/pipelining" "$EMU_SOCKET"

exit $?
