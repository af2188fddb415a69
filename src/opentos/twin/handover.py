"""Handover spots: where an AGV and a crane meet to pass a container.

An AGV that reaches a handover node announces itself (carrying a box to
deliver, or ready to receive one); a crane that must pass a box waits until
the right AGV is at one of its nodes. The rendezvous is by container number,
so the two machines need no other knowledge of each other.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

import simpy

from opentos.model.ids import ContainerNumber


@dataclass(slots=True)
class Waiting:
    """An AGV at a handover node, delivering ``container`` or expecting it."""

    agv: str
    node: str
    container: ContainerNumber
    delivering: bool
    done: simpy.Event
    """Succeeds when the crane has taken or given the box."""


class Handovers:
    """The AGVs waiting at handover nodes, and cranes waiting for them."""

    def __init__(self, env: simpy.Environment) -> None:
        self._env = env
        self._at: dict[ContainerNumber, Waiting] = {}
        # By box and direction: a quay crane may wait to take a load from its AGV before the
        # yard crane waits to give the box to that AGV; neither may overwrite the other.
        self._wanted: dict[tuple[ContainerNumber, bool], tuple[simpy.Event, Collection[str]]] = {}

    def announce(
        self, agv: str, node: str, container: ContainerNumber, delivering: bool
    ) -> Waiting:
        """An AGV is at ``node``; the returned ``done`` event fires after the transfer."""
        waiting = Waiting(agv, node, container, delivering, self._env.event())
        self._at[container] = waiting
        wanted = self._wanted.get((container, delivering))
        if wanted is not None and self._matches(waiting, wanted[1], delivering):
            del self._wanted[(container, delivering)]
            wanted[0].succeed(waiting)
        return waiting

    @staticmethod
    def _matches(waiting: Waiting, nodes: Collection[str], delivering: bool) -> bool:
        return waiting.node in nodes and waiting.delivering == delivering

    def wait_for(
        self, container: ContainerNumber, nodes: Collection[str], *, delivering: bool
    ) -> simpy.Event:
        """An event that succeeds with the :class:`Waiting` AGV for ``container``.

        Only an AGV at one of ``nodes`` counts, and only one that is ``delivering``
        the box (the crane takes it) or, with ``delivering`` False, waiting to
        receive it (the crane gives it).
        """
        found = self._at.get(container)
        event = self._env.event()
        if found is not None and self._matches(found, nodes, delivering):
            event.succeed(found)
        else:
            self._wanted[(container, delivering)] = (event, nodes)
        return event

    def finish(self, waiting: Waiting) -> None:
        """The transfer is done: release the AGV."""
        del self._at[waiting.container]
        waiting.done.succeed()
