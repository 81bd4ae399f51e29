// Charts of 绩效评价: grade mix before and after 复评, self-scores against re-evaluated scores.
(function () {
  const read = (id) => { const el = document.getElementById(id); return el ? JSON.parse(el.textContent) : null; };
  const charts = [];
  const grades = ["优", "良", "中", "差"];
  const declared = read("declared-data");
  const final = read("final-data");
  if (declared && document.getElementById("chart-grades")) {
    const c = echarts.init(document.getElementById("chart-grades"));
    c.setOption({
      tooltip: { trigger: "axis" },
      legend: { top: 0, data: ["规则得分", "复评后"] },
      grid: { left: 40, right: 10, top: 40, bottom: 30 },
      xAxis: { type: "category", data: grades },
      yAxis: { type: "value", minInterval: 1 },
      series: [
        { name: "规则得分", type: "bar", data: grades.map((g) => declared[g]), itemStyle: { color: "#9bb7d4" } },
        { name: "复评后", type: "bar", data: grades.map((g) => final[g]), itemStyle: { color: "#1f4e79" } },
      ],
    });
    charts.push(c);
  }
  const pairs = read("pairs-data");
  if (pairs && document.getElementById("chart-pairs")) {
    const c = echarts.init(document.getElementById("chart-pairs"));
    c.setOption({
      tooltip: { formatter: (p) => `自评 ${p.value[0]} → 复评 ${p.value[1]}` },
      grid: { left: 50, right: 20, top: 20, bottom: 40 },
      xAxis: { type: "value", name: "自评规则得分", min: 40, max: 100 },
      yAxis: { type: "value", name: "复评得分", min: 40, max: 100 },
      series: [
        { type: "scatter", data: pairs, symbolSize: 8, itemStyle: { color: "#c0392b" } },
        { type: "line", data: [[40, 40], [100, 100]], symbol: "none", lineStyle: { type: "dashed", color: "#999" }, tooltip: { show: false } },
      ],
    });
    charts.push(c);
  }
  window.addEventListener("resize", () => charts.forEach((c) => c.resize()));
})();
