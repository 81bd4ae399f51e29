"""绩效评价 (evaluation): 单位自评 scoring with credibility checks (REFERENCE §6, §13; issue 7).

`scoring` is the pure rule engine, `credibility` the S01–S09 checks, `selfeval_file` reads the JSON and
项目支出绩效自评表 XLSX inputs, and `score_cli` is `wenxiao score selfeval`. None of them needs Django.
"""
