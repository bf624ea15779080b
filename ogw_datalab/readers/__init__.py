"""Readers: ``read_*`` functions turn one local file into a (Geo)DataFrame in EPSG:28992."""

from .read_source import SourceError, read_source

__all__ = ["SourceError", "read_source"]
