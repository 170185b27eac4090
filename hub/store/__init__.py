"""The audit and tracking store: SQLAlchemy 2.0 over SQLite (embedded) or PostgreSQL."""
