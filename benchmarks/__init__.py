"""salesflow benchmarks: each scenario measures salesflow against a baseline in the same run."""
