/**
 * The report's charts as SVG, drawn by Apache ECharts on the server (no browser, no canvas). The SVG is
 * made to live under the UI's strict CSP: ECharts' hover <style> block is dropped (a printed chart has no
 * hover) and inline style attributes become SVG presentation attributes.
 */
import * as echarts from "echarts";
import { CLASS_NAMES, DEADLINE_NAMES, type Lang } from "../http/ui/i18n.ts";
import type { ReportData } from "./data.ts";
import { periodName } from "./sections.ts";
import { REPORT_WORDS } from "./words.ts";

const COLORS = { major: "#c62828", severe: "#e65100", general: "#1565c0", ok: "#2e7d32", limit: "#9ca3af" };
// Unquoted: ECharts writes the family into a double-quoted style attribute without escaping quotes.
const FONT = "Noto Sans CJK SC, PingFang SC, Microsoft YaHei, sans-serif";

function render(option: echarts.EChartsOption, width = 560, height = 260): string {
  const chart = echarts.init(null, null, { renderer: "svg", ssr: true, width, height });
  try {
    chart.setOption({ animation: false, textStyle: { fontFamily: FONT }, ...option });
    return cspSafe(chart.renderToSVGString());
  } finally {
    chart.dispose();
  }
}

/** No <style> element, no style="" attribute: the same drawing with presentation attributes. */
export function cspSafe(svg: string): string {
  return svg
    .replace(/<style[\s\S]*?<\/style>/g, "")
    .replace(/ style="([^"]*)"/g, (_m, css: string) =>
      css
        .split(";")
        .map((d) => d.trim())
        .filter((d) => /^[a-z-]+:/.test(d))
        .map((d) => {
          const i = d.indexOf(":");
          return ` ${d.slice(0, i)}="${d.slice(i + 1).replace(/"/g, "&quot;")}"`;
        })
        .join(""),
    );
}

export function reportCharts(r: ReportData, lang: Lang): Array<{ id: string; title: string; svg: string }> {
  const w = REPORT_WORDS[lang];
  const cls = (c: string) => CLASS_NAMES[lang][c] ?? c;
  const months = render({
    grid: { left: 50, right: 20, top: 30, bottom: 40 },
    xAxis: { type: "category", data: r.months.map((m) => periodName(m.label, lang)) },
    yAxis: { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value} %" } },
    series: [
      {
        type: "bar",
        data: r.months.map((m) => ({
          value: Math.floor(m.kpi.timeliness * 10000) / 100,
          itemStyle: { color: m.kpi.metTarget ? COLORS.ok : COLORS.major },
        })),
        label: { show: true, position: "top", formatter: "{c} %" },
        // The target line needs no label of its own (the axis says 100 %); at the right edge it is cut off.
        markLine: {
          silent: true,
          symbol: "none",
          data: [{ yAxis: r.kpi.target * 100 }],
          lineStyle: { color: COLORS.limit },
          label: { show: false },
        },
      },
    ],
  });
  const classes = render({
    grid: { left: 50, right: 20, top: 30, bottom: 40 },
    xAxis: { type: "category", data: (["major", "severe", "general"] as const).map(cls) },
    yAxis: { type: "value", minInterval: 1 },
    series: [
      {
        type: "bar",
        data: (["major", "severe", "general"] as const).map((c) => ({
          value: r.faultsPerClass[c],
          itemStyle: { color: COLORS[c] },
        })),
        label: { show: true, position: "top" },
      },
    ],
  });
  const hours = (s: number) => Math.round((s / 3600) * 100) / 100;
  const times = render(
    {
      grid: { left: 60, right: 20, top: 40, bottom: 60 },
      legend: { top: 0, data: [w.average, w.max, w.limit] },
      xAxis: {
        type: "category",
        data: r.times.map((t) => `${cls(t.class)}·${DEADLINE_NAMES[lang][t.deadline] ?? t.deadline}`),
      },
      yAxis: { type: "value", name: w.hours },
      series: [
        { name: w.average, type: "bar", data: r.times.map((t) => hours(t.averageSeconds)), itemStyle: { color: COLORS.general } },
        { name: w.max, type: "bar", data: r.times.map((t) => hours(t.maxSeconds)), itemStyle: { color: COLORS.severe } },
        {
          name: w.limit,
          type: "scatter",
          symbol: "rect",
          symbolSize: [28, 3],
          data: r.times.map((t) => hours(t.limitSeconds)),
          itemStyle: { color: "#111827" },
        },
      ],
    },
    560,
    300,
  );
  return [
    { id: "chart-months", title: w.months, svg: months },
    { id: "chart-classes", title: w.perClass, svg: classes },
    { id: "chart-times", title: w.times, svg: times },
  ];
}
