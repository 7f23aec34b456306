"""GUI-free core of the app: scanning, metadata, index and the tagging pipeline.

Nothing in this package may import Qt (tests/test_layers.py enforces it).
"""
