"""Use cases, one module per domain; each owns its unit of work."""
