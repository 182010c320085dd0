# examples: the openssl.cnf example and the demo.

exampledir = $(docdir)/examples
dist_example_DATA = examples/openssl-ibm4767.cnf
dist_example_DATA += examples/openssl-rand.cnf
EXTRA_DIST += examples/demo.sh

# 'make demo' runs the demo against the programs of this build tree.
.PHONY: demo
demo: all
	top_builddir='$(abs_top_builddir)' top_srcdir='$(abs_top_srcdir)' \
	OPENSSL='$(OPENSSL)' $(SHELL) '$(abs_top_srcdir)/examples/demo.sh'

# TLS servers: nginx and HAProxy configurations, systemd units and
# openssl.cnf files for servers and for several devices (described in
# doc/tls-offload.md).
examplenginxdir = $(exampledir)/nginx
dist_examplenginx_DATA = examples/nginx/nginx.conf \
	examples/nginx/ibm4767-site.conf examples/nginx/override.conf
examplehaproxydir = $(exampledir)/haproxy
dist_examplehaproxy_DATA = examples/haproxy/haproxy.cfg \
	examples/haproxy/override.conf
examplesystemddir = $(exampledir)/systemd
dist_examplesystemd_DATA = examples/systemd/ibm4767-emud.service
dist_example_DATA += examples/openssl-tls-server.cnf \
	examples/openssl-several-devices.cnf

# sign_label: sign with a key from key storage through OSSL_STORE and EVP
# only.  make check builds it and test/tls/sign_label.sh runs it; its
# source is installed with the examples.
check_PROGRAMS += examples/sign_label
examples_sign_label_SOURCES = examples/sign_label.c
examples_sign_label_CFLAGS = $(AM_CFLAGS) $(CRYPTO_CFLAGS)
examples_sign_label_LDADD = $(CRYPTO_LIBS)
dist_example_DATA += examples/sign_label.c
