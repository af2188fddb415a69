"""Rail load planning: which container goes on which wagon platform and slot of a train."""
