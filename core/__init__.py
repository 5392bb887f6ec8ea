"""Cross-cutting pieces: settings, errors, logging, security."""
