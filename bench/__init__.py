"""Benchmarks of pxrules at a trust's and at national scale, against baselines measured in the same run."""
