"""ERP adapters: the built-in SQL store of record, a REST client for an existing ERP, CSV imports."""
