# provider: targets are added here
