"""OpenTOS: an open-source terminal operating system for automated container terminals.

The package is split by subsystem (see ``docs/`` and the README):

- :mod:`opentos.model` -- the domain: ids, containers, vessels, layout, visits, moves, ledger;
- :mod:`opentos.storage` -- SQLAlchemy persistence with Alembic migrations;
- :mod:`opentos.presets` -- reference terminals as data files;
- :mod:`opentos.cli` -- the ``opentos`` command.
"""

__version__ = "0.1.0"
