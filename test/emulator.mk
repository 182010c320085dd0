# test/emulator.mk: tests registered by this area
