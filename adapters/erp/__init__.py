"""ERP adapters: the built-in SQL store of record, a REST client for another ERP, CSV imports."""
