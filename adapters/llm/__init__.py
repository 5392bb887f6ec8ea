"""Language models behind one chat-model interface: the offline Spanish model and OpenAI-compatible LLMs."""
