"""Benchmarks: each reports the app's throughput as a ratio to a bare baseline measured in the same run."""
