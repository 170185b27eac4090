"""The tracker's pure logic: delivery states, overdue notices and the redelivery policy.

Nothing here reads a database or touches Kafka; the tracker service loads `Delivery` snapshots
from the store, asks these modules what to do, publishes, and stores the snapshots they return.
"""
