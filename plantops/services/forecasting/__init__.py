"""Demand forecasting: forecast versions from the sales history, published to MRP; overrides,
new items by analogy, accuracy tracking."""
