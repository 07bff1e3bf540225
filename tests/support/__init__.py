"""Helpers shared by the tests and the benchmarks: databases, the served portal, browsers."""
