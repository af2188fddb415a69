"""Planning (TOS): berth plans, stowage, crane split and sequences, yard relocations, trains.

Planners are pure: a frozen problem in, a :class:`~opentos.planning.result.Result`
out (status, objective, plan, statistics, runtime). They do no I/O and never
raise for infeasibility. OR-Tools stays inside the ``solver`` modules. Every
planner's output is checked by an independent validator in the tests.
"""
