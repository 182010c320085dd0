# test/ec.mk: tests registered by this area
