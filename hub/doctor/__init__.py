"""`fyhub doctor`: a deployment checked from its settings. `facts` holds what is gathered,
`gather` asks the brokers, the store and the files (I/O), `checks` judges the facts (pure)."""
