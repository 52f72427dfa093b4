"""Errors a user can cause. Their message is written for the user and shown as it is."""


class UserError(ValueError):
    """Bad input or a refused action; the message says what to do in the user's terms."""


class NotFound(UserError):
    """An unknown framework key, item code, objective or id."""
