"""The broker's access control lists, planned from the unit registry and applied to the brokers."""
