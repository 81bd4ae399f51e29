"""第三方机构、专家和监督指导库 (R41–R44): the pure engines behind the libraries.

`similarity` finds template (copy-paste) reports, `draw` draws experts at random with conflict-of-interest
exclusions, `quality` scores reports at acceptance, ranks agencies each year and checks selection conditions.
"""
