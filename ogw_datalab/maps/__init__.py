"""The static site: map pages per opgave and indicator, buurt- and wijkprofielen, front page, colophon, downloads."""
