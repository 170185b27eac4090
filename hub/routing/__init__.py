"""The routing table and the pure functions the router applies with it: who receives an event,
which of its fields each recipient gets, and when the answers are due."""
