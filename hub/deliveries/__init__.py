"""A delivery's life, as pure logic: its states, overdue notices and the redelivery policy.

Nothing here reads a database or touches Kafka. The auditor, the tracker, observability and the
supervision read side share it; the tracker service loads `Delivery` snapshots
from the store, asks these modules what to do, publishes, and stores the snapshots they return.
"""
