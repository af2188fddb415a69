"""The server: a thin FastAPI front end over :mod:`opentos.operations` (REST API and web pages;
see ``docs/api.md``)."""
