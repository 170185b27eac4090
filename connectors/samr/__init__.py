"""The market-supervision connector (市场监督管理局): a market-registration database answering the
court: equity and registration inquiries, equity freezes, officer restrictions on listed debtors,
deregistration after bankruptcy.

`store` holds the tables, `app.SamrApp` the handlers, `demo` generated data; `answers` is the
pure logic and `registry` the database access behind them. The shared department side comes from
`connectors.tax` (`desk`, `department`, `punishment`, `agency`).
"""
