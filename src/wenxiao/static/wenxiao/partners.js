// Charts of the agency library: the annual quality ranking (mean report score per agency).
(function () {
  const read = (id) => { const el = document.getElementById(id); return el ? JSON.parse(el.textContent) : null; };
  const rows = read("ranking-data");
  const box = document.getElementById("chart-ranking");
  if (!rows || !box) return;
  const chart = echarts.init(box);
  chart.setOption({
    grid: { left: 200, right: 40, top: 20, bottom: 30 },
    tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
    xAxis: { type: "value", name: "平均分", min: 0, max: 100 },
    yAxis: { type: "category", inverse: true, data: rows.map((r) => r.name), axisLabel: { fontSize: 11 } },
    series: [{
      type: "bar",
      data: rows.map((r) => ({ value: r.mean, itemStyle: { color: r.eliminated ? "#dc3545" : r.mean >= 90 ? "#198754" : r.mean >= 80 ? "#0d6efd" : "#f0ad4e" } })),
      label: { show: true, position: "right" },
      markLine: { symbol: "none", data: [{ xAxis: 60, name: "合格线" }], lineStyle: { type: "dashed", color: "#8b1a1a" } },
    }],
  });
  window.addEventListener("resize", () => chart.resize());
})();
