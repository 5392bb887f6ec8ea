"""The outside world behind Protocols: ERP systems, channels, language models."""
