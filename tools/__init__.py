"""Agent-facing tools: verb_noun functions that read identity from the runtime context."""
