"""信息公开: the public site at /public/ (no login) showing only what was explicitly published."""
