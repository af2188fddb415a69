"""``python -m opentos`` runs the command line."""

from opentos.cli.main import main

main()
