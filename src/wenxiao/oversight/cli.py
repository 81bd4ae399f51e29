"""`wenxiao` subcommands of oversight."""


def add_parsers(sub, imsub) -> None:
    """Add this app's subcommands to the `wenxiao` parser (`sub`) and to `wenxiao import` (`imsub`)."""
