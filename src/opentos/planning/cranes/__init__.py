"""Quay crane planning: which crane works which bay task, in what order and when."""
