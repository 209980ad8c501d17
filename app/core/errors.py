"""Errors that end in one sentence for the person who caused them, never a traceback."""


class StakemapError(Exception):
    """A problem the user can act on; str(error) is the sentence shown to them."""


class ConfigError(StakemapError):
    """A missing or invalid setting; the message names the variable to set."""


class NotFound(StakemapError):
    """The thing asked for does not exist in this workspace."""


class Forbidden(StakemapError):
    """The caller may not do this."""


class InvalidInput(StakemapError):
    """Field-level validation problems, keyed by the field (a modal's block_id)."""

    def __init__(self, errors: dict[str, str]):
        self.errors = errors
        super().__init__("; ".join(f"{field}: {message}" for field, message in errors.items()))
