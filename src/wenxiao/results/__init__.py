"""结果应用: rectification ledger, budget linkage with a closed loop, feedback letters, reports to
government and 人大."""
