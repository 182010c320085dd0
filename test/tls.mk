# test/tls.mk: TLS servers and clients with keys in the device: nginx,
# HAProxy, curl and the examples/sign_label program.  Each script starts
# its own emulator and servers on temporary paths and 127.0.0.1 ports and
# stops them at the end.  The scripts that need nginx, HAProxy or curl
# skip (exit 77) when it is not installed, and the ones that run workers
# as www-data or haproxy skip when not run as root.

TLS_TESTS = \
	test/tls/nginx_token_www_data.sh \
	test/tls/nginx_reload_under_load.sh \
	test/tls/nginx_emulator_restart.sh \
	test/tls/nginx_label_pem.sh \
	test/tls/haproxy_token_crt.sh \
	test/tls/haproxy_ssl_mode_async.sh \
	test/tls/curl_client_cert.sh \
	test/tls/sign_label.sh

TESTS += $(TLS_TESTS)
EXTRA_DIST += $(TLS_TESTS) test/tls/tls_common.sh test/tls/bench_nginx.sh

# nginx TLS handshakes per second with the key in the device against the
# same key in a plain PEM file; not part of make check.  Options go in
# BENCH_NGINX_OPTIONS (see test/tls/bench_nginx.sh --help).
.PHONY: bench-nginx
bench-nginx: all
	top_builddir='$(abs_top_builddir)' top_srcdir='$(abs_top_srcdir)' \
	OPENSSL='$(OPENSSL)' $(SHELL) '$(abs_top_srcdir)/test/tls/bench_nginx.sh' \
		$(BENCH_NGINX_OPTIONS)
