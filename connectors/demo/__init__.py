"""Demo data for fyhub: plausible people, companies and court traffic, deterministic from a seed."""
