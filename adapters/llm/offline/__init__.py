"""The offline Spanish model: NLU, dialogue policies and response templates, no network."""
