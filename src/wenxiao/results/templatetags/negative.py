"""`{% negative_badge unit_id project_id %}`: the 负面清单 mark wherever a project or unit is shown (R40)."""

from django import template
from django.utils.html import format_html

from wenxiao.results.selectors import negative_listed

register = template.Library()


@register.simple_tag
def negative_badge(unit_id, project_id=None):
    entries = negative_listed(unit_id, project_id) if unit_id else []
    if not entries:
        return ""
    e = entries[0]
    what = "本项目" if e.project_id else "本单位"
    return format_html(
        '<span class="badge text-bg-dark" title="{}列入负面清单：{}（{}）">负面清单</span>',
        what,
        e.reason,
        e.added_at.strftime("%Y-%m-%d"),
    )
