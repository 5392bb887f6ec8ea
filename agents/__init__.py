"""The agents: one module per agent (sales, support, inventory, logistics)."""
