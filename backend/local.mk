# backend: the host side of the device.
#
# libibm4767-common holds what both sides of the socket use: the frame
# codec, the code table, logging, the key token layout and key labels
# (a retained-key token carries one).  The emulator
# links it on its own; everything on the host links libibm4767, which adds
# the configuration, the transport, the device pool and the verbs.

noinst_LTLIBRARIES += backend/libibm4767-common.la backend/libibm4767.la

backend_libibm4767_common_la_SOURCES = \
	backend/protocol.c \
	backend/codes.c \
	backend/log.c \
	backend/token_int.h \
	backend/token.c \
	backend/token_build.c \
	backend/symtoken.c \
	backend/label.c
backend_libibm4767_common_la_CFLAGS = $(AM_CFLAGS) $(CRYPTO_CFLAGS)
backend_libibm4767_common_la_LIBADD = $(CRYPTO_LIBS)

backend_libibm4767_la_SOURCES = \
	backend/backend_int.h \
	backend/config.c \
	backend/transport.c \
	backend/backend.c \
	backend/pool.c \
	backend/dispatch.c \
	backend/readiness.c \
	backend/reply.c \
	backend/result.c \
	backend/verbs_status.c \
	backend/verbs_pka.c \
	backend/verbs_pka_pss.c \
	backend/verbs_sign.c \
	backend/verbs_random.c \
	backend/verbs_sym.c \
	backend/async.c
backend_libibm4767_la_CFLAGS = $(AM_CFLAGS) $(CRYPTO_CFLAGS)
backend_libibm4767_la_LIBADD = backend/libibm4767-common.la $(CRYPTO_LIBS)

dist_doc_DATA += doc/protocol.md doc/error-codes.md

# Key storage: key records by label in SQLite, with the host record cache.
backend_libibm4767_la_SOURCES += \
	backend/keystore_int.h \
	backend/keystore.c \
	backend/keystore_db.c \
	backend/keystore_cache.c
backend_libibm4767_la_CFLAGS += $(SQLITE_CFLAGS)
backend_libibm4767_la_LIBADD += $(SQLITE_LIBS)

# Device administration: reset, faults, firmware, master keys, access
# control points, key token change and validation (ibm4767/admin.h).
backend_libibm4767_la_SOURCES += include/ibm4767/admin.h backend/verbs_admin.c

# Retained keys: generate, list and delete, and sending each request for a
# retained key to the device that keeps it.
backend_libibm4767_la_SOURCES += backend/retained.c

# The cca transport: the verb API over IBM's CCA host library, loaded
# with dlopen (in libc since glibc 2.34).
backend_libibm4767_la_SOURCES += \
	backend/ccaverbs.h \
	backend/transport_cca.c \
	backend/transport_cca_status.c \
	backend/transport_cca_pka.c \
	backend/transport_cca_crypt.c \
	backend/transport_cca_sign.c \
	backend/transport_cca_sym.c \
	backend/transport_cca_random.c \
	backend/transport_cca_keys.c \
	backend/transport_cca_keylist.c
