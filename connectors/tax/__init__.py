"""The tax office's connector (税务局): a tax administration database answering the court.

`store` holds the tables, `app.TaxApp` the handlers, `demo` generated data; `answers` is the pure
logic and `ledger` the database access behind them.

The department side that every department connector shares lives here too: `desk` (answering
each request once, now or later), `department` (the defendant agency's answers and the notices),
`punishment` (joint-punishment measures) and `agency` (their pure answers).
"""
