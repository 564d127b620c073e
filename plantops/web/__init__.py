"""The web app: server-rendered pages (Jinja2 + HTMX) on the same services as the API."""
