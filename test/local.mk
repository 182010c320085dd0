# test: targets are added here
