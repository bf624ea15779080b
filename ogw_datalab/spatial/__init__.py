"""Spatial joins in DuckDB: points to buurten, distances, partner rows to places."""
