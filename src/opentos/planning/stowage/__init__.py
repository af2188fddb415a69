"""Stowage planning: where containers go on board so that few have to be shifted later."""
