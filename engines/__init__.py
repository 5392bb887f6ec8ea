"""Engines: pure computation behind the tools (forecasting, replenishment, routing)."""
