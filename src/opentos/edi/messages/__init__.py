"""One module per message type: tables (``SPECS``) and mapping to and from the model."""
