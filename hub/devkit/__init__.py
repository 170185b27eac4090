"""What only a developer's machine runs: the local broker manager, demo enrolment, and the demo
wiring. The product packages never import it."""
