"""The `fyhub` command line: `main.app` gathers the verb groups, one module each."""
