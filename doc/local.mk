# doc: targets are added here
