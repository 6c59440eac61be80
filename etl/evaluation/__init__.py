"""Built-in evaluations against reference data (read at run time, never shipped)."""
