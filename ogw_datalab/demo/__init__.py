"""The embedded demo municipality: a fictional gemeente written in real file formats."""
