(function () {
  const rows = JSON.parse(document.getElementById("stats-data").textContent).filter((r) => r.required > 0);
  const chart = echarts.init(document.getElementById("chart-rate"));
  chart.setOption({
    grid: { left: 60, right: 50, top: 40, bottom: 110 },
    tooltip: { trigger: "axis" },
    legend: { top: 0, data: ["应申报", "已申报", "申报率%"] },
    xAxis: { type: "category", data: rows.map((r) => r.department), axisLabel: { rotate: 40, fontSize: 10 } },
    yAxis: [{ type: "value", name: "项目数" }, { type: "value", name: "%", max: 100 }],
    series: [
      { name: "应申报", type: "bar", data: rows.map((r) => r.required), itemStyle: { color: "#ccc" } },
      { name: "已申报", type: "bar", data: rows.map((r) => r.declared), itemStyle: { color: "#b23a3a" } },
      { name: "申报率%", type: "line", yAxisIndex: 1, data: rows.map((r) => r.rate) },
    ],
  });
  window.addEventListener("resize", () => chart.resize());
})();
