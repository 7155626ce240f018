"""Local fake platform servers for tests and benchmarks."""
