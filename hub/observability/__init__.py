"""Metrics and health of the hub's services (docs/design.md §8, docs/architecture.md §9).

`hooks` names what each service tells its metrics, and the facts it hands them (no-op by default,
so a service builds without them); `metrics` keeps the numbers on a service's `CollectorRegistry`
beside FastStream's own Kafka metrics (`outcomes` works out those no fact states outright);
`health` holds the probes, and `http` serves `/metrics` and `/healthz`. Nothing here reads the
store: the import contracts in pyproject.toml forbid it.
"""
