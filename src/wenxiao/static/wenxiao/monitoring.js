// Charts of 绩效运行监控: execution rate against time progress (overview), a project's monthly curve.
(function () {
  const read = (id) => { const el = document.getElementById(id); return el ? JSON.parse(el.textContent) : null; };
  const charts = [];
  const deps = read("departments-data");
  if (deps && document.getElementById("chart-departments")) {
    const tp = read("time-progress");
    const rows = deps.filter((d) => d.rate !== null);
    const c = echarts.init(document.getElementById("chart-departments"));
    c.setOption({
      grid: { left: 50, right: 20, top: 40, bottom: 110 },
      tooltip: { trigger: "axis" },
      legend: { top: 0, data: ["执行率%", "序时进度%"] },
      xAxis: { type: "category", data: rows.map((d) => d.name), axisLabel: { rotate: 40, fontSize: 10 } },
      yAxis: { type: "value", name: "%", max: 100 },
      series: [
        { name: "执行率%", type: "bar", data: rows.map((d) => ({ value: d.rate, itemStyle: { color: d.rate < tp - 20 ? "#dc3545" : d.rate < tp - 10 ? "#f0ad4e" : "#198754" } })) },
        { name: "序时进度%", type: "line", symbol: "none", data: rows.map(() => tp), lineStyle: { type: "dashed", color: "#8b1a1a" } },
      ],
    });
    charts.push(c);
  }
  const rules = read("rules-data");
  if (rules && document.getElementById("chart-rules")) {
    const c = echarts.init(document.getElementById("chart-rules"));
    c.setOption({
      grid: { left: 130, right: 20, top: 30, bottom: 20 },
      tooltip: { trigger: "axis" },
      legend: { top: 0, data: ["红灯", "黄灯"] },
      xAxis: { type: "value" },
      yAxis: { type: "category", data: rules.map((r) => r.title), axisLabel: { fontSize: 10 } },
      series: [
        { name: "红灯", type: "bar", stack: "n", data: rules.map((r) => r.red), itemStyle: { color: "#dc3545" } },
        { name: "黄灯", type: "bar", stack: "n", data: rules.map((r) => r.n - r.red), itemStyle: { color: "#f0ad4e" } },
      ],
    });
    charts.push(c);
  }
  const p = read("project-data");
  if (p && document.getElementById("chart-project")) {
    const months = Array.from({ length: 12 }, (_, i) => `${i + 1}月`);
    const cumulative = (arr) => { let s = 0; return arr.map((v) => (s += v)); };
    const pct = (arr) => cumulative(arr).map((v) => (p.budget ? +((v / p.budget) * 100).toFixed(2) : null));
    const now = p.months.reduce((last, v, i) => (v > 0 ? i : last), -1);
    const thisYear = pct(p.months).map((v, i) => (i <= now ? v : null));
    const c = echarts.init(document.getElementById("chart-project"));
    c.setOption({
      grid: { left: 70, right: 50, top: 40, bottom: 30 },
      tooltip: { trigger: "axis" },
      legend: { top: 0, data: ["当月支付（万元）", "累计执行率%", "上年累计%", "序时进度%"] },
      xAxis: { type: "category", data: months },
      yAxis: [{ type: "value", name: "万元" }, { type: "value", name: "%", max: 100 }],
      series: [
        { name: "当月支付（万元）", type: "bar", data: p.months.map((v) => +(v / 10000).toFixed(2)), itemStyle: { color: "#8ea9db" } },
        { name: "累计执行率%", type: "line", yAxisIndex: 1, data: thisYear, itemStyle: { color: "#8b1a1a" } },
        { name: "上年累计%", type: "line", yAxisIndex: 1, data: p.last_budget ? cumulative(p.last).map((v) => +((v / p.last_budget) * 100).toFixed(2)) : [], lineStyle: { type: "dotted" }, itemStyle: { color: "#999" } },
        { name: "序时进度%", type: "line", yAxisIndex: 1, symbol: "none", data: months.map((_, i) => +(((i + 1) / 12) * 100).toFixed(2)), lineStyle: { type: "dashed" }, itemStyle: { color: "#198754" } },
      ],
    });
    charts.push(c);
  }
  window.addEventListener("resize", () => charts.forEach((c) => c.resize()));
})();
