"""EDI: the UN/EDIFACT messages a terminal exchanges with shipping lines (SMDG guides).

Layers, from bytes up: :mod:`~opentos.edi.syntax` (ISO 9735 tokens, with pydifact),
:mod:`~opentos.edi.envelope` (UNB/UNH/UNT/UNZ), :mod:`~opentos.edi.structure`
(the declarative segment-group tables and the reader that follows them), and
:mod:`opentos.edi.messages` (one module per message type: its tables and the
mapping to and from the domain model). This package imports only the model.
"""
