#!/bin/sh
# Streaming through the ibm4767 ciphers gives the same bytes as the
# default provider: many small updates, one update of several MiB, in
# place, partial blocks (test/aes/aes_stream.c).  The large updates reach
# the device as chains of bounded requests.  Over IBM4767_TRANSPORT=cca
# the CTR cipher is checked to be refused, and the mode AES_CCA_MODE names
# (cbc by default) runs in its place.
. "$top_srcdir/test/scripts/common.sh"
. "$top_srcdir/test/scripts/aes_common.sh"

aes_require_built "$top_builddir/provider/.libs/ibm4767.so" "$CLU"
aes_cca_mode
emu_start crp01
bytes=$(aes_counter symmetric-bytes)
aes_run_program aes_stream
# Four ciphers each encrypt and decrypt a 5 MiB message.
aes_expect_growth symmetric-bytes "$bytes" $((8 * 5 * 1024 * 1024))
exit 0
