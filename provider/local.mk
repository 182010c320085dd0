# provider: the OpenSSL provider module ibm4767.so.
#
# A loadable module, not a library: libtool builds it without a version
# suffix and exports only OSSL_provider_init.  The backend is a
# convenience library, so it ends up inside the module.

module_LTLIBRARIES += provider/ibm4767.la

provider_ibm4767_la_SOURCES = \
	provider/prov.h \
	provider/prov.c \
	provider/err.c \
	provider/key.c \
	provider/digest.c \
	provider/der.c \
	provider/keymgmt_rsa.h \
	provider/keymgmt_rsa.c \
	provider/keymgmt_rsa_data.c \
	provider/rsa_pss.h \
	provider/rsa_pss.c \
	provider/signature_rsa.c \
	provider/asym_rsa.c \
	provider/decoder.c \
	provider/encoder.c \
	provider/encoder_text.c \
	provider/ec_util.h \
	provider/ec_util.c \
	provider/keymgmt_ec.c \
	provider/keymgmt_ec_data.c \
	provider/signature_ecdsa.c \
	provider/exch_ecdh.c \
	provider/cipher_aes.h \
	provider/cipher_aes_common.c \
	provider/cipher_aes.c \
	provider/cipher_aes_gcm.c \
	provider/rand.c
provider_ibm4767_la_CFLAGS = $(AM_CFLAGS) $(CRYPTO_CFLAGS)
provider_ibm4767_la_LDFLAGS = $(AM_LDFLAGS) -module -avoid-version -shared \
	-export-symbols-regex '^OSSL_provider_init$$'
# A symbol left undefined would only show when OpenSSL loads the module;
# fail the link instead.  Sanitizer runtimes resolve their symbols in the
# executable, so sanitized builds skip the check.
if !SANITIZERS
provider_ibm4767_la_LDFLAGS += -Wl,-z,defs
endif
provider_ibm4767_la_LIBADD = backend/libibm4767.la $(CRYPTO_LIBS)

# libtool cannot uninstall the module once its .la is gone.
uninstall-local: provider-uninstall-local
provider-uninstall-local:
	rm -f "$(DESTDIR)$(moduledir)/ibm4767.so"

.PHONY: provider-uninstall-local

# Key storage: the ibm4767: store loader and the CCA KEY LABEL decoder.
provider_ibm4767_la_SOURCES += provider/store.c provider/decoder_label.c
