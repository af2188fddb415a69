"""Berth allocation: which vessel moors at which berth, and when."""
