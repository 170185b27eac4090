"""Metrics and health of the hub's services (docs/design.md §8).

`hooks` names what each service tells its metrics (no-op by default, so a service builds without
them); `outcomes` and `answers` work out the numbers; `metrics` keeps them on a service's
`CollectorRegistry` beside FastStream's own Kafka metrics; `health` and `http` serve `/metrics`
and `/healthz`.
"""
