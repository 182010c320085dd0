# backend: targets are added here
