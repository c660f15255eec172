"""Tracking services: ingest events, webhooks, exception cases, the sweep, the sandbox player."""
