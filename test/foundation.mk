# test/foundation.mk: tests registered by this area
