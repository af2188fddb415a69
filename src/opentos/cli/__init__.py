"""The ``opentos`` command (typer + rich)."""
