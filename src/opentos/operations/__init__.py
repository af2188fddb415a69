"""The application layer: the one place that composes OpenTOS's subsystems.

Each business operation is a plain function over a
:class:`~opentos.storage.store.Store` that runs in one transaction and raises
only the errors of :mod:`opentos.errors`: import an interchange, create or
update a visit, plan a visit, assign a berth, record a move, record a hold,
run a twin study. The CLI (:mod:`opentos.cli`) and the server
(:mod:`opentos.api`) are thin front ends over these functions; neither holds
business logic, and the twin (:mod:`opentos.twin`) is assembled here, behind
the equipment link.
"""
