"""The HTTP API: a thin FastAPI front end over :mod:`opentos.operations` (see ``docs/api.md``)."""
