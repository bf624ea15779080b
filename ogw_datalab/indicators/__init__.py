"""Indicators per buurt, with roll-ups to wijk and gemeente that recompute rates from sums."""
