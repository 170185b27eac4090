"""The auditor: reads `fy.hub.journal` and writes the audit and tracking store, its only writer
(docs/design.md §2, §7): the router's decisions, `fyhub calendar apply`'s and the tracker's.

`records` reads journal records, `changes` (with `answers` and `rows`) works out purely what a
batch changes, `apply` writes it in the caller's transaction, `service` runs it on FastStream,
`replay` rebuilds the store from the journal, and `queries` (shown by `render`) answers
`fyhub trace` and `fyhub overdue`. `measures` keeps the seals and freezes in force from the
control requests and answers routed, and the ends the tracker reminded the courts of.
"""
