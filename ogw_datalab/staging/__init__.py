"""Staging: raw tables renamed, cleaned, typed and filtered to the gemeente, in EPSG:28992."""
