"""Benchmarks: `make bench` (python -m bench). Each prints one BENCH line with its baseline measured in the same run."""
