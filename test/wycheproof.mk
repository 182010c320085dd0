# test/wycheproof.mk: tests registered by this area
