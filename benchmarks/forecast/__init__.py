"""Forecast accuracy and speed on the M3 and M1 forecasting competitions (``python -m benchmarks.forecast``)."""
