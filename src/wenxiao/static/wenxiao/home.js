(function () {
  const data = JSON.parse(document.getElementById("chart-data").textContent);
  const f = echarts.init(document.getElementById("chart-functions"));
  f.setOption({
    grid: { left: 150, right: 40, top: 10, bottom: 20 },
    tooltip: { trigger: "axis", valueFormatter: (v) => v.toLocaleString("zh-CN") + " 万元" },
    xAxis: { type: "value" },
    yAxis: { type: "category", inverse: true, data: data.functions.map((d) => d.name) },
    series: [{ type: "bar", data: data.functions.map((d) => d.value), itemStyle: { color: "#b23a3a" } }],
  });
  const k = echarts.init(document.getElementById("chart-kinds"));
  k.setOption({
    tooltip: { trigger: "item", valueFormatter: (v) => v.toLocaleString("zh-CN", { maximumFractionDigits: 2 }) + " 万元" },
    series: [{ type: "pie", radius: ["40%", "70%"], data: data.kinds, label: { formatter: "{b}\n{d}%" } }],
    color: ["#b23a3a", "#e6a23c", "#409eff", "#67c23a"],
  });
  window.addEventListener("resize", () => { f.resize(); k.resize(); });
})();
