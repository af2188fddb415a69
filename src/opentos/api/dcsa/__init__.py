"""DCSA interfaces: Track & Trace 2.2 events and Operational Vessel Schedules 3.0."""
