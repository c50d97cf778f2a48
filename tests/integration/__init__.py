"""Integration tests of the reference backend (examples/backend) on real databases."""
