# test/rsa.mk: tests registered by this area
