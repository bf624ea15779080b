"""Spatial benchmarks (not part of the test suite): see run_benchmarks.py."""
