"""The router→auditor contract, both directions: the entries the router writes to `fy.hub.journal`
(`entries`) and how a journal record is read back (`reading`)."""
