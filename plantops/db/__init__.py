"""Tables (one module per domain), the session factory and the unit of work."""
