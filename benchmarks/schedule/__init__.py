"""Scheduling benchmark: PlantOps' engine against the textbook CP-SAT model on the public job-shop sets."""
