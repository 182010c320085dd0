# tools: targets are added here
