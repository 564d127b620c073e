"""The pages, one module per domain: each translates a request to service calls and a template."""
