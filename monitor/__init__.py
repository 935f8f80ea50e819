"""Ingestion and persistence: sources, the store, the poller and the value objects."""
