"""Benchmarks, and the planner laboratory (benchmarks.planlab) that tests share with them."""
