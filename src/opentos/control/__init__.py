"""Equipment control (ECS): dispatching, routing, yard and crane scheduling, charging and faults.

Nothing here imports opentos.twin.
"""
