"""Kubernetes: the resources a deployment on Kubernetes is made of, rendered from the registry."""
