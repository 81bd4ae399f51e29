"""Filters of the public pages: money in 万元 from the snapshots' yuan strings."""

from decimal import Decimal, InvalidOperation

from django import template

register = template.Library()


@register.filter
def wan(value) -> str:
    """ "1234567.00" (yuan) → "123.46" (万元); empty stays "—"."""
    try:
        return f"{Decimal(str(value)) / 10000:,.2f}"
    except (InvalidOperation, TypeError, ValueError):
        return "—"


@register.filter
def pct(value) -> str:
    return "—" if value in (None, "") else f"{value}%"


@register.filter
def get_item(mapping, key):
    return (mapping or {}).get(key)
