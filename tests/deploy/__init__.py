"""Tests of the deployment files (the Helm chart, `fyhub k8s render`, the compose file) that need
a tool the set-up fetches or builds: helm from its Go module (`make helm`), the Compose
Specification's schema (`make compose-schema`). `make test` runs them; `make unit` does not."""
