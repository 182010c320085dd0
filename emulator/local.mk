# emulator: ibm4767-emud, the emulated IBM 4767 coprocessor.  It links
# only the common part of the backend (frame codec, codes, logging, token
# layout) and OpenSSL, never the provider.

sbin_PROGRAMS += emulator/ibm4767-emud

emulator_ibm4767_emud_SOURCES = \
	emulator/emud.h \
	emulator/conn.h \
	emulator/main.c \
	emulator/options.c \
	emulator/device.c \
	emulator/state.c \
	emulator/selftest.c \
	emulator/listen.c \
	emulator/server.c \
	emulator/conn.c \
	emulator/engine.c \
	emulator/profile.c \
	emulator/dispatch.c \
	emulator/status.c \
	emulator/rng.c \
	emulator/keycache.c \
	emulator/wrap.c \
	emulator/key.c \
	emulator/pka.c \
	emulator/pka_rsa.c \
	emulator/pka_rsa_ops.c \
	emulator/pka_ec.c \
	emulator/sym_engine.h \
	emulator/sym_aes.c \
	emulator/sym_token.c \
	emulator/sym_cipher.c \
	emulator/sym_chain.c
emulator_ibm4767_emud_CFLAGS = $(AM_CFLAGS) $(CRYPTO_CFLAGS)
emulator_ibm4767_emud_LDADD = backend/libibm4767-common.la $(CRYPTO_LIBS)

dist_man_MANS += doc/ibm4767-emud.8

# Device administration and validation: resets, injected driver codes,
# firmware load and unload, master keys, access control points, and the
# device key certificate (emulator/admin.h).
emulator_ibm4767_emud_SOURCES += \
	emulator/admin.h \
	emulator/admin.c \
	emulator/admin_mk.c \
	emulator/admin_token.c \
	emulator/admin_state.c \
	emulator/acp.c \
	emulator/validation.c

# Retained keys: kept inside the device by label (emulator/retained.h).
emulator_ibm4767_emud_SOURCES += \
	emulator/retained.h \
	emulator/retained.c \
	emulator/retained_verbs.c
emulator_ibm4767_emud_CPPFLAGS = $(AM_CPPFLAGS) \
	-DIBM4767_VALIDATION_DIR='"$(validationdir)"'

# The emulated manufacturer's keys, made once per build tree with the
# openssl command and never committed.  The root key (ECC P-521) certifies
# the class key (ECC P-521), which certifies each device's RSA key when
# ibm4767-emud makes a device.  ibm4767-clu validate pins root.pem and
# compares the segment hashes with the ones this build's daemon reports.
# The root's private key stays in the build tree; the class key is
# installed readable by its owner only.
validationdir = $(pkgdatadir)/validation
validation_DATA = \
	emulator/validation/root.pem \
	emulator/validation/class.pem \
	emulator/validation/segments
noinst_DATA = emulator/validation/class-key.pem
CLEANFILES += $(validation_DATA) emulator/validation/class-key.pem \
	emulator/validation/root-key.pem

VALIDATION_OPENSSL = OPENSSL_CONF=/dev/null $(OPENSSL)
VALIDATION_DAYS = 7300

emulator/validation/root-key.pem emulator/validation/class-key.pem:
	@$(MKDIR_P) emulator/validation
	$(AM_V_GEN)umask 077 && $(VALIDATION_OPENSSL) genpkey -algorithm EC \
	    -pkeyopt ec_paramgen_curve:P-521 -out $@.tmp && mv $@.tmp $@

emulator/validation/root.pem: emulator/validation/root-key.pem
	$(AM_V_GEN)$(VALIDATION_OPENSSL) req -new -x509 -sha512 \
	    -key emulator/validation/root-key.pem -days $(VALIDATION_DAYS) \
	    -subj '/O=ibm4767 emulator/CN=ibm4767 emulated manufacturer root' \
	    -addext 'basicConstraints=critical,CA:TRUE' \
	    -addext 'keyUsage=critical,keyCertSign,cRLSign' \
	    -out $@.tmp && mv $@.tmp $@

emulator/validation/class.pem: emulator/validation/class-key.pem \
		emulator/validation/root.pem
	$(AM_V_GEN)$(VALIDATION_OPENSSL) req -new -sha512 \
	    -key emulator/validation/class-key.pem -days $(VALIDATION_DAYS) \
	    -subj '/O=ibm4767 emulator/CN=ibm4767 emulated coprocessor class' \
	    -addext 'basicConstraints=critical,CA:TRUE,pathlen:0' \
	    -addext 'keyUsage=critical,keyCertSign' \
	    -CA emulator/validation/root.pem \
	    -CAkey emulator/validation/root-key.pem \
	    -out $@.tmp && mv $@.tmp $@

emulator/validation/segments: emulator/ibm4767-emud$(EXEEXT)
	@$(MKDIR_P) emulator/validation
	$(AM_V_GEN)emulator/ibm4767-emud$(EXEEXT) --print-segments >$@.tmp \
	    && mv $@.tmp $@

install-data-local: emulator-install-class-key
emulator-install-class-key: emulator/validation/class-key.pem
	$(MKDIR_P) '$(DESTDIR)$(validationdir)'
	$(INSTALL) -m 600 emulator/validation/class-key.pem \
	    '$(DESTDIR)$(validationdir)/class-key.pem'

uninstall-local: emulator-uninstall-class-key
emulator-uninstall-class-key:
	rm -f '$(DESTDIR)$(validationdir)/class-key.pem'

.PHONY: emulator-install-class-key emulator-uninstall-class-key

dist_doc_DATA += doc/administration.md

# libcsulcca-emu.so: this project's CCA host library, the CCA verbs the
# cca transport calls, carried out over the emulator's socket.  It is a
# module of the build tree and never installed: under IBM's name it would
# shadow the real library on a host with a card, and under its own name
# only the tests and the demo load it, by path (IBM4767_CCA_LIBRARY).
# -rpath makes libtool build it shared although it is not installed.
noinst_LTLIBRARIES += emulator/csulcca/libcsulcca-emu.la

# The CCA verbs without the status extension; test/cca.mk builds them
# alone into a stand-in for IBM's library.
csulcca_verb_sources = \
	emulator/csulcca/emu.h \
	emulator/csulcca/emu_core.c \
	emulator/csulcca/emu_facility.c \
	emulator/csulcca/emu_pka.c \
	emulator/csulcca/emu_sign.c \
	emulator/csulcca/emu_crypt.c \
	emulator/csulcca/emu_sym.c \
	emulator/csulcca/emu_gcm.c \
	emulator/csulcca/emu_random.c \
	emulator/csulcca/emu_keys.c \
	emulator/csulcca/emu_keylist.c
emulator_csulcca_libcsulcca_emu_la_SOURCES = $(csulcca_verb_sources) \
	emulator/csulcca/emu_status.c
emulator_csulcca_libcsulcca_emu_la_CPPFLAGS = $(AM_CPPFLAGS) \
	-I$(top_srcdir)/backend
emulator_csulcca_libcsulcca_emu_la_CFLAGS = $(AM_CFLAGS) $(CRYPTO_CFLAGS)
# Only the verbs and the status extension are exported, so the backend
# inside binds to itself and never to another copy in the process.
emulator_csulcca_libcsulcca_emu_la_LDFLAGS = $(AM_LDFLAGS) -module \
	-avoid-version -shared -rpath '$(abs_builddir)/emulator/csulcca' \
	-export-symbols-regex '^(CS[A-Z0-9]+|ibm4767_emu_status)$$'
if !SANITIZERS
emulator_csulcca_libcsulcca_emu_la_LDFLAGS += -Wl,-z,defs
endif
emulator_csulcca_libcsulcca_emu_la_LIBADD = backend/libibm4767.la \
	$(CRYPTO_LIBS)
