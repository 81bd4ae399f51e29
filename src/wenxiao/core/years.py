"""The budget year a page shows: one rule for every page with a year selector."""

from django.conf import settings


def year_of(request, data=None) -> int:
    """The budget year asked for (query string, or `data` such as request.POST); the fiscal year otherwise."""
    y = str((request.GET if data is None else data).get("year", ""))
    return int(y) if y.isdigit() and 2000 <= int(y) <= 2100 else settings.FISCAL_YEAR


def years() -> range:
    """The years offered in selectors: this fiscal year and the three before."""
    return range(settings.FISCAL_YEAR, settings.FISCAL_YEAR - 4, -1)
