"""Benchmarks that print ratios; each runs as `python -m bench.<name>` (see README.md)."""
