"""FastAPI application: the ERP REST API, OAuth, health; chat and webhooks come later."""
