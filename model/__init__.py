"""The landmark network, its model bundle and inference. Imports no app or training code."""
