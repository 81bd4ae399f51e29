"""绩效运行监控 ("双监控"): budget execution and target progress side by side, with warnings and actions."""
