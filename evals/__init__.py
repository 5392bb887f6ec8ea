"""Agent eval suites: tasks as data, scored by the database end state, pass^k, a CI gate."""
