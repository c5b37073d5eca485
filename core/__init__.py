"""The kernel: what every app may use. It imports no project app (tests/test_layers.py keeps it so)."""
