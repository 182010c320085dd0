# tools: ibm4767-clu, the coprocessor load utility.
bin_PROGRAMS += tools/ibm4767-clu

tools_ibm4767_clu_SOURCES = \
	tools/clu.h \
	tools/clu.c \
	tools/clu_status.c \
	tools/clu_status_print.c
tools_ibm4767_clu_CFLAGS = $(AM_CFLAGS) $(CRYPTO_CFLAGS)
tools_ibm4767_clu_LDADD = backend/libibm4767.la $(CRYPTO_LIBS)

# Administration commands of ibm4767-clu; validate pins the root key that
# emulator/local.mk installs in $(validationdir).
tools_ibm4767_clu_SOURCES += \
	tools/clu_admin.c \
	tools/clu_mk.c \
	tools/clu_validate.c \
	tools/clu_retained.c
tools_ibm4767_clu_CPPFLAGS = $(AM_CPPFLAGS) \
	-DIBM4767_VALIDATION_DIR='"$(validationdir)"'

# ibm4767-keys: key storage management.
bin_PROGRAMS += tools/ibm4767-keys

tools_ibm4767_keys_SOURCES = \
	tools/keys.h \
	tools/keys.c \
	tools/keys_generate.c \
	tools/keys_import.c \
	tools/keys_list.c \
	tools/keys_export.c \
	tools/keys_reencipher.c \
	tools/keys_retained.c
tools_ibm4767_keys_CFLAGS = $(AM_CFLAGS) $(CRYPTO_CFLAGS)
tools_ibm4767_keys_LDADD = backend/libibm4767.la $(CRYPTO_LIBS)
dist_man_MANS += doc/ibm4767-keys.1
dist_doc_DATA += doc/key-storage.md

# ibm4767-bench: device against default provider, side by side.
bin_PROGRAMS += tools/ibm4767-bench

tools_ibm4767_bench_SOURCES = \
	tools/bench.h \
	tools/bench.c \
	tools/bench_ops.c \
	tools/bench_keys.c \
	tools/bench_run.c \
	tools/bench_tls.c \
	tools/bench_label.c \
	tools/bench_model.c
tools_ibm4767_bench_CFLAGS = $(AM_CFLAGS) $(CRYPTO_CFLAGS) $(SSL_CFLAGS)
tools_ibm4767_bench_LDADD = backend/libibm4767.la $(SSL_LIBS) $(CRYPTO_LIBS)
dist_man_MANS += doc/ibm4767-bench.1
dist_doc_DATA += doc/benchmarks.md
