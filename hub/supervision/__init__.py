"""The joint-meeting office's read side: what the store says about an event, a case, what is
late and who the liaisons are (`reads`, shown as `text`), the monthly and annual scorecards, and
the office console. It reads the store and never writes it."""
