"""Template filters for money and states."""

from decimal import Decimal

from django import template

register = template.Library()


@register.filter
def wan(value) -> str:
    """Yuan → 万元 with two decimals and thousands separators, as the forms show money."""
    if value in (None, ""):
        return "—"
    return f"{Decimal(value) / Decimal(10000):,.2f}"


@register.filter
def yuan(value) -> str:
    if value in (None, ""):
        return "—"
    return f"{Decimal(value):,.2f}"


@register.simple_tag(takes_context=True)
def query_with(context, **kwargs) -> str:
    """The current query string with some parameters replaced (for pagination and sorting links)."""
    params = context["request"].GET.copy()
    for key, value in kwargs.items():
        params[key] = value
    return params.urlencode()


@register.filter
def get_item(mapping, key):
    return mapping.get(key, "") if isinstance(mapping, dict) else ""


@register.filter
def get_attr(obj, name: str):
    return getattr(obj, name, "")


@register.simple_tag
def options(choices, selected="") -> str:
    """`<option>` elements for (value, label) pairs, the one equal to `selected` marked.

    A Python loop: a city has 400 主管部门, and a template `{% for %}` over them cost more than the rest of a list page.
    """
    from html import escape  # what django.utils.html.escape calls, without its lazy-string wrapper

    from django.utils.safestring import mark_safe

    chosen = "" if selected is None else str(selected)
    return mark_safe(
        "".join(
            f'<option value="{escape(str(v))}"{" selected" if str(v) == chosen else ""}>{escape(str(label))}</option>'
            for v, label in choices
        )
    )
