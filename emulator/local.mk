# emulator: targets are added here
