"""Prompt files (Spanish), loaded by name."""
