"""Helpers the tests and benches share: launchers with test hooks, synthetic release inputs.

Importable as ``tests.support`` with the repo root on ``sys.path`` (pytest's ``pythonpath = ["."]``; the bench
scripts add the root themselves). Nothing under ``hub_tools/`` or ``training/`` imports it.
"""
