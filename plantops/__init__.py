"""PlantOps: production and operations management, from demand to delivery."""

__version__ = "0.1.0"
