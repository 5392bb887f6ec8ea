"""Language models behind one chat-model interface: offline Spanish model and OpenAI-compatible."""
