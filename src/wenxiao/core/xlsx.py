"""Every workbook the system writes: text stays text.

xlsxwriter turns a string that starts with "=" into a formula and one that looks like a URL into a link. A target
value such as "=5" would then be read back as 0, and user text such as "=HYPERLINK(…)" would become a live formula
in an exported file (formula injection). `workbook()` switches both off; use it instead of `xlsxwriter.Workbook`.
"""

from __future__ import annotations

import xlsxwriter

SAFE = {"strings_to_formulas": False, "strings_to_urls": False}


def workbook(target, options: dict | None = None) -> xlsxwriter.Workbook:
    return xlsxwriter.Workbook(target, {**(options or {}), **SAFE})
