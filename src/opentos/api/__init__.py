"""The server: a FastAPI app over the operations layer (REST API and web pages)."""
