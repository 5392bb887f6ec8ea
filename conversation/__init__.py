"""The chat service: a turn in from any channel, session and identity, the graph run, the reply out."""
