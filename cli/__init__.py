"""The `topllantas` command line."""
