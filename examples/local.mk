# examples: targets are added here
