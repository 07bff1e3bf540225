"""Benchmarks of the served portal: figures to watch over time, not tests (nothing here asserts a time).

Run with `make bench` (or `.venv/bin/python -m bench [scenario ...]` from the repo root). Each module in
`bench/scenarios/` measures one thing against one production build served on 127.0.0.1, so a
new feature adds a scenario without touching the harness. Results print as a table and are saved
to `bench/results/latest.json` (git-ignored: figures depend on the machine).
"""
