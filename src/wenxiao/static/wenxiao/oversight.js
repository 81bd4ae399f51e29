// Charts of 考核与综合评价: total score per subject in ranking order, coloured by grade.
(function () {
  const el = document.getElementById("ranking-data");
  const box = document.getElementById("chart-ranking");
  if (!el || !box || typeof echarts === "undefined") return;
  const data = JSON.parse(el.textContent);
  const rows = data.rows;
  const colors = { "优": "#198754", "良": "#0d6efd", "中": "#f0ad4e", "差": "#dc3545" };
  const c = echarts.init(box);
  c.setOption({
    grid: { left: 50, right: 20, top: 30, bottom: rows.length > 8 ? 130 : 50 },
    tooltip: { trigger: "axis", formatter: (p) => `${p[0].name}<br>总分 ${p[0].value}（${rows[p[0].dataIndex].grade || "—"}，第${rows[p[0].dataIndex].rank || "—"}名）` },
    xAxis: { type: "category", data: rows.map((r) => r.name), axisLabel: { rotate: rows.length > 8 ? 45 : 0, fontSize: 10, interval: 0 } },
    yAxis: { type: "value", name: "分", max: 100 },
    series: [{
      type: "bar",
      data: rows.map((r) => ({ value: r.total, itemStyle: { color: colors[r.grade] || "#8ea9db" } })),
      label: { show: rows.length <= 12, position: "top", fontSize: 10 },
      markLine: { symbol: "none", silent: true, lineStyle: { type: "dashed", color: "#999" }, data: Object.entries(data.bands || {}).map(([g, v]) => ({ yAxis: v, label: { formatter: g, position: "end" } })) },
    }],
  });
  window.addEventListener("resize", () => c.resize());
})();
