"""Demo data of the 一体化 interface: exchange batches."""


def seed_exchange(year, rng, actor) -> dict:
    return {}
