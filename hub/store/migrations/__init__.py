"""Alembic migrations of the store; run them through `hub.store.migrate`."""
