"""Assets, one module per layer: raw, staging, joined, indicators, maps."""
