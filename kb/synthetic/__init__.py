"""Synthetic data for benchmarks: `manage.py generate_data` (see `kb.synthetic.generator`)."""
