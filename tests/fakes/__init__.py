"""Faithful fakes of outside services, served over real HTTP on loopback in tests."""
