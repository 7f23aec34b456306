"""Errors of the model layer."""


class ModelError(Exception):
    """Base class of model-layer errors reported to the user."""


class BundleError(ModelError):
    """A model bundle is missing, corrupt or does not match what it declares."""


class UnknownBackboneError(ModelError):
    """A backbone name is not in the registry."""
