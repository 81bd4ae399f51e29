"""CLI commands of this app (registered in wenxiao/cli.py)."""


def add_parsers(sub, imsub) -> None:
    pass
