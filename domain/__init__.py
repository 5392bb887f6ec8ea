"""Pure business types and rules: no I/O."""
