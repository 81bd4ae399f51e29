"""The budget year a page shows, and the dates a form posts: one rule each for every page."""

from datetime import date

from django.conf import settings


def year_of(request, data=None) -> int:
    """The budget year asked for (query string, or `data` such as request.POST); the fiscal year otherwise."""
    y = str((request.GET if data is None else data).get("year", ""))
    return int(y) if y.isdigit() and 2000 <= int(y) <= 2100 else settings.FISCAL_YEAR


def years() -> range:
    """The years offered in selectors: this fiscal year and the three before."""
    return range(settings.FISCAL_YEAR, settings.FISCAL_YEAR - 4, -1)


def posted_date(text) -> date | None:
    """A date field as posted (YYYY-MM-DD); None when empty or not a date, for the service to report in Chinese."""
    try:
        return date.fromisoformat(str(text)) if text else None
    except ValueError:
        return None


def posted_int(text) -> int | None:
    """An id or number as posted; None unless it is all digits (so hostile input is refused, not a server error)."""
    text = str(text or "").strip()
    return int(text) if text.isdigit() and len(text) < 19 else None
