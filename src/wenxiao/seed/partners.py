"""Demo data of partners."""


def seed_partners(year, rng, system) -> dict:
    return {}
