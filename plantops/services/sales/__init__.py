"""Sales: customers' orders, promised from available-to-promise, and their cancellation."""
