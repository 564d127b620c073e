"""One router per domain, each under ``/api/v1``."""
