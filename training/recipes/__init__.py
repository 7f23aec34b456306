"""Recipes: complete, seeded ways of producing a specific model (the app's default bundle)
from the training package's parts."""
