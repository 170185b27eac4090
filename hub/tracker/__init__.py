"""The tracker service (督办): finds receipts and replies past due in the store, tells the unit
and the joint-meeting office with `hub.overdue.v1`, and redelivers unreceipted copies.

The decisions are `hub.deliveries`'s; this package reads the store, publishes, and journals what
it did (`delivery.overdue`, `delivery.redelivered`, `delivery.escalated`) for the auditor."""
