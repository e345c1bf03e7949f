"""The national-scale benchmark (`python bench/run.py`): harness, figures and report."""
