"""The digital twin: a discrete-event (SimPy) emulation of the terminal's machines.

The equipment control (:mod:`opentos.control`) drives the twin through the
same :class:`~opentos.control.link.EquipmentLink` it would use for real
machines; the twin records every container movement in the ledger, checked.
"""
