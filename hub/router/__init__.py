"""The router: validates each outbox record, decides who gets what, and says so in the journal."""
