"""The benchmark harness of `python cli.py bench` (product.md, "Performance targets")."""
