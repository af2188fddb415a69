"""Yard planning: relocation (pre-marshalling and retrieval) problems on container stacks."""
