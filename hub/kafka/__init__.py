"""How the hub reads and writes Kafka: its records, producer, batches, topics and dead letters,
shared by the router, the tracker and operations."""
