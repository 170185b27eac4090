"""The county public-security bureau's connector (公安局): its own database answering the court's
police requests.

`store` holds the tables (persons and their whereabouts, vehicles, the border-control list, the
criminal-case register), `app.PoliceApp` the handlers, `connectors.demo.police_books` generated
data; `answers` is the pure logic and `records` the database access behind them.
"""
