"""Routing engine tests: builder, backends, checker, travel matrices, readers, CLI, quality."""
