# test/unit.mk: tests registered by this area
