// 领导驾驶舱: charts from the snapshot (json_script blocks), click to drill, PNG export; the 大屏 uses the dark theme.
(function () {
  const dataEl = document.getElementById("cockpit-data");
  if (!dataEl) return;
  const d = JSON.parse(dataEl.textContent);
  const links = JSON.parse(document.getElementById("cockpit-links").textContent);
  const screen = document.body.classList.contains("cockpit-screen");
  const theme = screen ? "dark" : null;
  const fontSize = screen ? 16 : 12;
  const bg = screen ? "#0b1a33" : "#ffffff";
  const charts = [];

  function drill(kind, params) {
    const q = new URLSearchParams(Object.assign({ year: links.year, scope: links.scope }, params || {}));
    window.location.href = links.drill.replace("_KIND_", kind) + "?" + q.toString();
  }

  function chart(id, option, onClick) {
    const el = document.getElementById(id);
    if (!el) return null;
    const c = echarts.init(el, theme);
    option.backgroundColor = screen ? "transparent" : bg;
    option.textStyle = { fontSize: fontSize };
    ["xAxis", "yAxis"].forEach((k) => {
      if (option[k]) option[k].axisLabel = Object.assign({ fontSize: fontSize - 1 }, option[k].axisLabel || {});
    });
    if (option.legend) option.legend.textStyle = { fontSize: fontSize - 1 };
    c.setOption(option);
    if (onClick) c.on("click", onClick);
    c.group = "cockpit";
    charts.push(c);
    return c;
  }

  const pctFmt = (v) => (v === null || v === undefined ? "—" : Number(v).toFixed(2) + "%");
  const wan = (v) => Math.round((Number(v) || 0) / 100) / 100;
  const empty = (text) => ({ title: { text: text, left: "center", top: "middle", textStyle: { fontSize: fontSize, color: "#999" } } });

  // 各环节覆盖率 → the stage's own list page
  chart(
    "chart-coverage",
    {
      grid: { left: 110, right: 60, top: 10, bottom: 25 },
      tooltip: { trigger: "axis", valueFormatter: pctFmt },
      xAxis: { type: "value", max: 100, axisLabel: { formatter: "{value}%" } },
      yAxis: { type: "category", inverse: true, data: d.coverage.map((c) => c.label) },
      series: [
        {
          type: "bar",
          data: d.coverage.map((c) => c.value),
          itemStyle: { color: "#b23a3a" },
          label: { show: true, position: "right", formatter: (p) => pctFmt(p.value) },
        },
      ],
    },
    (p) => {
      const url = links.coverage[d.coverage[p.dataIndex].key];
      if (url) window.location.href = url;
    }
  );

  // 执行率与序时进度 by department (or unit) → drill execution
  const ex = d.execution;
  const groups = ex.groups.slice(0, screen ? 12 : 20);
  chart(
    "chart-execution",
    groups.length
      ? {
          grid: { left: screen ? 170 : 150, right: 40, top: 30, bottom: 25 },
          legend: { data: ["执行率", "序时进度"], top: 0 },
          tooltip: { trigger: "axis", valueFormatter: pctFmt },
          xAxis: { type: "value", max: (v) => Math.max(100, Math.ceil(v.max / 10) * 10), axisLabel: { formatter: "{value}%" } },
          yAxis: { type: "category", inverse: true, data: groups.map((g) => g.name) },
          series: [
            {
              name: "执行率",
              type: "bar",
              data: groups.map((g) => ({
                value: g.rate,
                itemStyle: { color: ex.time_progress !== null && g.rate !== null && g.rate < ex.time_progress - 20 ? "#e05252" : ex.time_progress !== null && g.rate !== null && g.rate < ex.time_progress - 10 ? "#e6a23c" : "#409eff" },
              })),
              markLine: ex.time_progress === null ? undefined : { symbol: "none", label: { position: "start", formatter: "序时进度 {c}%" }, lineStyle: { color: "#c62828", type: "dashed" }, data: [{ xAxis: ex.time_progress }] },
            },
            { name: "序时进度", type: "line", data: [], itemStyle: { color: "#c62828" } },
          ],
        }
      : empty("暂无监控数据（尚未运行预警）"),
    (p) => {
      const g = groups[p.dataIndex];
      if (!g) return;
      drill("execution", ex.group_kind === "unit" ? { unit: g.id } : { department: g.id });
    }
  );

  // 预警灯分布 → drill execution by light
  const lightNames = { red: "红灯", yellow: "黄灯", green: "绿灯" };
  const lightColors = { red: "#e05252", yellow: "#e6a23c", green: "#67c23a" };
  const lights = ["red", "yellow", "green"].filter((k) => ex.lights[k]);
  chart(
    "chart-lights",
    lights.length
      ? {
          tooltip: { trigger: "item" },
          legend: screen ? undefined : { bottom: 0 },
          series: [
            {
              type: "pie",
              radius: ["40%", "68%"],
              data: lights.map((k) => ({ name: lightNames[k], value: ex.lights[k], key: k, itemStyle: { color: lightColors[k] } })),
              label: { formatter: "{b} {c}" },
            },
          ],
        }
      : empty("暂无监控数据"),
    (p) => drill("execution", { light: p.data.key })
  );

  // 预警按规则 (stacked red/yellow) → drill warnings
  const rules = d.warnings.by_rule;
  chart(
    "chart-warnings",
    rules.length
      ? {
          grid: { left: 50, right: 20, top: 30, bottom: 25 },
          legend: { data: ["红灯", "黄灯"], top: 0 },
          tooltip: { trigger: "axis", formatter: (ps) => rules[ps[0].dataIndex].code + " " + rules[ps[0].dataIndex].title + "<br>" + ps.map((x) => x.seriesName + "：" + x.value).join("<br>") },
          xAxis: { type: "category", data: rules.map((r) => r.code) },
          yAxis: { type: "value" },
          series: [
            { name: "红灯", type: "bar", stack: "w", data: rules.map((r) => r.red), itemStyle: { color: "#e05252" } },
            { name: "黄灯", type: "bar", stack: "w", data: rules.map((r) => r.n - r.red), itemStyle: { color: "#e6a23c" } },
          ],
        }
      : empty("暂无预警"),
    (p) => drill("warnings", { code: rules[p.dataIndex].code, level: p.seriesName === "红灯" ? "red" : "yellow" })
  );

  // 评价等级分布: 单位自评 and 部门/财政评价 → drill selfeval / evaluations by grade
  const grades = ["优", "良", "中", "差"];
  const gradeColors = ["#2e7d32", "#1976d2", "#f9a825", "#c62828"];
  chart(
    "chart-grades",
    {
      grid: { left: 90, right: 20, top: 30, bottom: 25 },
      legend: { data: grades, top: 0 },
      tooltip: { trigger: "axis" },
      xAxis: { type: "value" },
      yAxis: { type: "category", data: ["单位自评", "部门/财政评价"] },
      series: grades.map((g, i) => ({
        name: g,
        type: "bar",
        stack: "g",
        itemStyle: { color: gradeColors[i] },
        data: [d.grades.selfeval[g], d.grades.evaluation[g]],
      })),
    },
    (p) => drill(p.dataIndex === 0 ? "selfeval" : "evaluations", { grade: p.seriesName })
  );

  // 整改销号 → drill rectify by state
  const r = d.rectify;
  const rOpen = r.items - r.closed - r.overdue;
  chart(
    "chart-rectify",
    r.items
      ? {
          tooltip: { trigger: "item" },
          legend: screen ? undefined : { bottom: 0 },
          title: { text: r.rate === null ? "—" : r.rate.toFixed(1) + "%", subtext: "完成率", left: "center", top: "36%", textStyle: { fontSize: screen ? 26 : 18 } },
          series: [
            {
              type: "pie",
              radius: ["45%", "68%"],
              label: { formatter: "{b} {c}" },
              data: [
                { name: "已核验销号", value: r.closed, key: "verified", itemStyle: { color: "#67c23a" } },
                { name: "整改中（未逾期）", value: rOpen, key: "open", itemStyle: { color: "#409eff" } },
                { name: "逾期未销号", value: r.overdue, key: "overdue", itemStyle: { color: "#e05252" } },
              ],
            },
          ],
        }
      : empty("暂无整改事项"),
    (p) => drill("rectify", { state: p.data.key })
  );

  // 结果应用：预算建议 by action → drill funds
  const acts = d.funds.actions;
  chart(
    "chart-funds",
    acts.length
      ? {
          grid: { left: 60, right: 20, top: 30, bottom: 25 },
          legend: { data: ["本年预算", "建议安排"], top: 0 },
          tooltip: { trigger: "axis", valueFormatter: (v) => v.toLocaleString("zh-CN") + " 万元" },
          xAxis: { type: "category", data: acts.map((a) => a.label) },
          yAxis: { type: "value" },
          series: [
            { name: "本年预算", type: "bar", data: acts.map((a) => wan(a.current)), itemStyle: { color: "#909399" } },
            { name: "建议安排", type: "bar", data: acts.map((a) => wan(a.suggested)), itemStyle: { color: "#b23a3a" } },
          ],
        }
      : empty("暂无预算建议表"),
    (p) => drill("funds", { label: acts[p.dataIndex].label })
  );

  // 自评平均分排名 → drill selfeval of that department (unit)
  const rank = d.rankings.selfeval.slice(0, screen ? 8 : 15);
  const rankKey = ex.group_kind === "unit" ? "unit" : "department";
  chart(
    "chart-selfeval-rank",
    rank.length
      ? {
          grid: { left: screen ? 170 : 150, right: 50, top: 10, bottom: 25 },
          tooltip: { trigger: "axis" },
          xAxis: { type: "value", min: (v) => Math.max(0, Math.floor(v.min - 5)), max: 100 },
          yAxis: { type: "category", inverse: true, data: rank.map((x) => x.name) },
          series: [{ type: "bar", data: rank.map((x) => x.score), itemStyle: { color: "#1976d2" }, label: { show: true, position: "right" } }],
        }
      : empty("暂无已提交的自评"),
    (p) => drill("selfeval", { [rankKey]: rank[p.dataIndex].id })
  );

  // 下级区划执行率 (大屏) → that region's cockpit
  const regions = d.rankings.regions;
  chart(
    "chart-regions",
    regions.length
      ? {
          grid: { left: 80, right: 50, top: 10, bottom: 25 },
          tooltip: { trigger: "axis", valueFormatter: pctFmt },
          xAxis: { type: "value", max: 100, axisLabel: { formatter: "{value}%" } },
          yAxis: { type: "category", inverse: true, data: regions.map((x) => x.name) },
          series: [{ type: "bar", data: regions.map((x) => x.rate), itemStyle: { color: "#ffd166" }, label: { show: true, position: "right", formatter: (p) => pctFmt(p.value) } }],
        }
      : empty("无下级区划"),
    (p) => {
      const q = new URLSearchParams({ year: links.year, scope: "r" + regions[p.dataIndex].id });
      window.location.href = window.location.pathname + "?" + q.toString();
    }
  );

  echarts.connect("cockpit");
  window.addEventListener("resize", () => charts.forEach((c) => c.resize()));

  function download(url, name) {
    const a = document.createElement("a");
    a.href = url;
    a.download = name;
    document.body.appendChild(a);
    a.click();
    a.remove();
  }
  const base = d.subject.name + d.year + "年度";
  document.querySelectorAll(".chart-png").forEach((btn) =>
    btn.addEventListener("click", () => {
      const c = echarts.getInstanceByDom(document.getElementById(btn.dataset.chart));
      if (c) download(c.getDataURL({ type: "png", pixelRatio: 2, backgroundColor: bg }), base + "-" + btn.dataset.chart + ".png");
    })
  );
  const whole = document.getElementById("export-page-png");
  if (whole && charts.length)
    whole.addEventListener("click", () =>
      download(charts[0].getConnectedDataURL({ type: "png", pixelRatio: 2, backgroundColor: bg }), base + "驾驶舱.png")
    );
})();
