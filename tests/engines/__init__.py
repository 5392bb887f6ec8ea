"""Tests of the engines (pure computation)."""
