"""考核与综合评价: 考核 of departments and lower bureaus, 财政运行综合绩效评价, reform tasks, work reports."""
