"""Training package: the GLDv2 pipeline, training, evaluation and export. Nothing imports it."""
