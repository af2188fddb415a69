"""The API's routers, one per resource family; :mod:`opentos.api.app` includes them."""
