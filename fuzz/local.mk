# fuzz/local.mk: libFuzzer targets and their regression runs.
#
# Every target is a check program.  In a normal build it links
# fuzz/driver.c, a main() that runs the target once over each file of
# fuzz/corpus/NAME, and `make check` runs it as a test: the seeds and every
# input that once crashed a target run through the same code without
# libFuzzer.  A build configured with --enable-fuzzing (clang) links
# libFuzzer instead; `make fuzz` sets up such a build under fuzz/build and
# runs each target for FUZZ_SECONDS.  doc/hardening.md describes the
# targets and how to run them.

FUZZ_NAMES = frame token label decoder-der decoder-pem pkey-params \
	cipher-params
fuzz_programs = \
	fuzz/fuzz-frame \
	fuzz/fuzz-token \
	fuzz/fuzz-label \
	fuzz/fuzz-decoder-der \
	fuzz/fuzz-decoder-pem \
	fuzz/fuzz-pkey-params \
	fuzz/fuzz-cipher-params
check_PROGRAMS += $(fuzz_programs)

# Helpers of every target; a static convenience library, so a target
# takes only the objects it uses.
noinst_LTLIBRARIES += fuzz/libfuzz-common.la fuzz/libfuzz-driver.la
fuzz_libfuzz_common_la_SOURCES = \
	fuzz/fuzz.h \
	fuzz/common.c \
	fuzz/params.h \
	fuzz/params.c \
	fuzz/fuzz_provider.h \
	fuzz/provider.c \
	fuzz/emu_client.h \
	fuzz/emu_client.c
fuzz_libfuzz_common_la_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/emulator \
	-DFUZZ_MODULES_DIR='"$(abs_top_builddir)/provider/.libs"'
fuzz_libfuzz_common_la_CFLAGS = $(AM_CFLAGS) $(CRYPTO_CFLAGS)

fuzz_libfuzz_driver_la_SOURCES = fuzz/fuzz.h fuzz/driver.c
fuzz_libfuzz_driver_la_CPPFLAGS = $(AM_CPPFLAGS) \
	-DFUZZ_SRCDIR='"$(abs_top_srcdir)"'

if FUZZING
fuzz_main =
fuzz_link_flags = $(AM_LDFLAGS) -fsanitize=fuzzer
else
fuzz_main = fuzz/libfuzz-driver.la
fuzz_link_flags = $(AM_LDFLAGS)
TESTS += $(fuzz_programs)
endif

fuzz_compile_flags = $(AM_CFLAGS) $(CRYPTO_CFLAGS)
fuzz_link_libs = $(fuzz_main) fuzz/libfuzz-common.la backend/libibm4767.la \
	$(CRYPTO_LIBS)

# The emulator's own sources, main.c included: its main() is renamed so
# that fuzz/emu_client.c can run the whole daemon in a thread.  The
# renamed main() has no prototype, hence -Wno-missing-prototypes; the
# daemon's own build keeps the warning for these files.
noinst_LTLIBRARIES += fuzz/libfuzz-emud.la
fuzz_libfuzz_emud_la_SOURCES = $(emulator_ibm4767_emud_SOURCES)
fuzz_libfuzz_emud_la_CPPFLAGS = $(AM_CPPFLAGS) \
	$(emulator_ibm4767_emud_CPPFLAGS) -Dmain=ibm4767_emud_main
fuzz_libfuzz_emud_la_CFLAGS = $(emulator_ibm4767_emud_CFLAGS) \
	-Wno-missing-prototypes
fuzz_emud_libs = fuzz/libfuzz-common.la fuzz/libfuzz-emud.la \
	$(emulator_ibm4767_emud_LDADD)

fuzz_fuzz_frame_SOURCES = fuzz/frame.c
fuzz_fuzz_frame_CFLAGS = $(fuzz_compile_flags)
fuzz_fuzz_frame_LDFLAGS = $(fuzz_link_flags)
fuzz_fuzz_frame_LDADD = $(fuzz_main) $(fuzz_emud_libs)

fuzz_fuzz_token_SOURCES = fuzz/token.c
fuzz_fuzz_token_CFLAGS = $(fuzz_compile_flags)
fuzz_fuzz_token_LDFLAGS = $(fuzz_link_flags)
fuzz_fuzz_token_LDADD = $(fuzz_link_libs)

fuzz_fuzz_label_SOURCES = fuzz/label.c
fuzz_fuzz_label_CFLAGS = $(fuzz_compile_flags)
fuzz_fuzz_label_LDFLAGS = $(fuzz_link_flags)
fuzz_fuzz_label_LDADD = $(fuzz_link_libs)

fuzz_fuzz_decoder_der_SOURCES = fuzz/decoder.c
fuzz_fuzz_decoder_der_CPPFLAGS = $(AM_CPPFLAGS) -DFUZZ_INPUT_TYPE='"DER"'
fuzz_fuzz_decoder_der_CFLAGS = $(fuzz_compile_flags)
fuzz_fuzz_decoder_der_LDFLAGS = $(fuzz_link_flags)
fuzz_fuzz_decoder_der_LDADD = $(fuzz_link_libs)

fuzz_fuzz_decoder_pem_SOURCES = fuzz/decoder.c
fuzz_fuzz_decoder_pem_CPPFLAGS = $(AM_CPPFLAGS) -DFUZZ_INPUT_TYPE='"PEM"'
fuzz_fuzz_decoder_pem_CFLAGS = $(fuzz_compile_flags)
fuzz_fuzz_decoder_pem_LDFLAGS = $(fuzz_link_flags)
fuzz_fuzz_decoder_pem_LDADD = $(fuzz_link_libs)

fuzz_fuzz_pkey_params_SOURCES = fuzz/pkey_params.c
fuzz_fuzz_pkey_params_CFLAGS = $(fuzz_compile_flags)
fuzz_fuzz_pkey_params_LDFLAGS = $(fuzz_link_flags)
fuzz_fuzz_pkey_params_LDADD = $(fuzz_link_libs)

fuzz_fuzz_cipher_params_SOURCES = fuzz/cipher_params.c
fuzz_fuzz_cipher_params_CFLAGS = $(fuzz_compile_flags)
fuzz_fuzz_cipher_params_LDFLAGS = $(fuzz_link_flags)
fuzz_fuzz_cipher_params_LDADD = $(fuzz_link_libs)

EXTRA_DIST += fuzz/corpus fuzz/dict

# fuzz-seeds writes the seed corpora; `make fuzz-seeds` replaces the
# seed-* files of fuzz/corpus in the source tree.
check_PROGRAMS += fuzz/fuzz-seeds
fuzz_fuzz_seeds_SOURCES = fuzz/seeds.h fuzz/seeds.c fuzz/seeds_frame.c
fuzz_fuzz_seeds_CFLAGS = $(fuzz_compile_flags)
fuzz_fuzz_seeds_LDADD = $(fuzz_emud_libs) backend/libibm4767.la \
	$(CRYPTO_LIBS)

fuzz-seeds: fuzz/fuzz-seeds$(EXEEXT)
	./fuzz/fuzz-seeds$(EXEEXT) '$(srcdir)/fuzz/corpus'

# ---------------------------------------------------------------------
# make fuzz: run each target (or those named in FUZZ_TARGETS) for
# FUZZ_SECONDS seconds.  New inputs go to fuzz/work/NAME in the fuzzing
# build, findings to fuzz/findings/.  Copy a finding into
# fuzz/corpus/NAME of the source tree once its bug is fixed, so that
# `make check` replays it.
FUZZ_SECONDS = 60
FUZZ_TARGETS = $(FUZZ_NAMES)
FUZZ_BUILD = fuzz/build

if FUZZING
fuzz: $(fuzz_programs) provider/ibm4767.la
	@for name in $(FUZZ_TARGETS); do \
	    dict=''; \
	    if test -f '$(srcdir)/fuzz/dict/'$$name.dict; then \
	        dict='-dict=$(srcdir)/fuzz/dict/'$$name.dict; \
	    fi; \
	    $(MKDIR_P) fuzz/work/$$name fuzz/findings || exit 1; \
	    echo "make fuzz: fuzz-$$name for $(FUZZ_SECONDS) s"; \
	    ./fuzz/fuzz-$$name -max_total_time=$(FUZZ_SECONDS) \
	        -artifact_prefix=fuzz/findings/$$name- $$dict \
	        fuzz/work/$$name '$(srcdir)/fuzz/corpus/'$$name || exit 1; \
	done
else
# The fuzzing build needs a clean source tree to configure from.  When
# this build is the source tree itself, it gets a copy made by distdir.
fuzz:
	@if test '$(CLANG)' = no; then \
	    echo "make fuzz: clang was not found when configure ran: install" \
	         "the Debian packages clang and libclang-rt-14-dev and run" \
	         "configure again" >&2; \
	    exit 1; \
	fi
	@$(MKDIR_P) $(FUZZ_BUILD)
	@if test ! -f $(FUZZ_BUILD)/Makefile; then \
	    src='$(abs_top_srcdir)'; \
	    if test -f '$(abs_top_srcdir)/config.status'; then \
	        $(MAKE) $(AM_MAKEFLAGS) distdir distdir=$(FUZZ_BUILD)/src \
	            || exit 1; \
	        src='$(abs_top_builddir)/$(FUZZ_BUILD)/src'; \
	    fi; \
	    echo "make fuzz: configuring a clang build in $(FUZZ_BUILD)"; \
	    (cd $(FUZZ_BUILD) && "$$src/configure" -q CC='$(CLANG)' \
	        --enable-fuzzing --enable-sanitizers=address,undefined) \
	        || exit 1; \
	fi
	$(MAKE) -C $(FUZZ_BUILD) fuzz FUZZ_SECONDS='$(FUZZ_SECONDS)' \
	    FUZZ_TARGETS='$(FUZZ_TARGETS)'
endif

clean-local: fuzz-clean-local
fuzz-clean-local:
	-rm -rf fuzz/work fuzz/findings $(FUZZ_BUILD)

.PHONY: fuzz fuzz-seeds fuzz-clean-local
