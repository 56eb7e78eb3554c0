"""The installer's one error: a problem the person running it must fix."""


class InstallError(Exception):
    """A problem the person running the installer must fix; str() is the message."""
