// A comparison as an SVG chart: one bar per scenario, the ratio on a log scale around 1 (right of the
// line: Postfach faster than Dovecot, or PostgreSQL faster than SQLite for `-postgres` results). run-all.ts writes it beside the JSON results; run by hand,
// `node dist/bench/ratio-chart.js bench/results/<file>.json` renders an existing results file.
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

interface ChartFigure {
  readonly scenario: string;
  readonly ratio?: number;
}

const ROW_PX = 22;
const LABEL_PX = 190;
const PLOT_PX = 420;
/** The plot spans ratios 1/MAX_RATIO … MAX_RATIO; larger ratios are clipped and labelled. */
const MAX_RATIO = 200;

function escapeXml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** `fasterLabel` names what a ratio above 1 favours (Postfach against Dovecot, PostgreSQL against SQLite). */
export function renderRatioChart(
  figures: readonly ChartFigure[],
  title: string,
  fasterLabel = "Postfach",
): string {
  const rows = figures.filter((f): f is Required<ChartFigure> => f.ratio !== undefined && f.ratio > 0);
  const scale = PLOT_PX / 2 / Math.log10(MAX_RATIO);
  const centre = LABEL_PX + PLOT_PX / 2;
  const height = 40 + rows.length * ROW_PX + 30;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${LABEL_PX + PLOT_PX + 70}" height="${height}" font-family="sans-serif" font-size="12">`,
    `<text x="10" y="20" font-size="14">${escapeXml(title)}</text>`,
  ];
  rows.forEach((figure, i) => {
    const y = 40 + i * ROW_PX;
    const clipped = Math.max(-1, Math.min(1, Math.log10(figure.ratio) / Math.log10(MAX_RATIO)));
    const width = Math.abs(clipped) * (PLOT_PX / 2);
    const x = clipped >= 0 ? centre : centre - width;
    const colour = figure.ratio >= 1 ? "#2a7d2a" : "#b03a2e";
    parts.push(
      `<text x="${LABEL_PX - 8}" y="${y + 14}" text-anchor="end">${escapeXml(figure.scenario)}</text>`,
      `<rect x="${x.toFixed(1)}" y="${y + 3}" width="${Math.max(1, width).toFixed(1)}" height="${ROW_PX - 6}" fill="${colour}"/>`,
      `<text x="${(clipped >= 0 ? x + width + 4 : centre + 4).toFixed(1)}" y="${y + 14}">${figure.ratio.toFixed(2)}</text>`,
    );
  });
  const axisY = 40 + rows.length * ROW_PX;
  parts.push(`<line x1="${centre}" y1="32" x2="${centre}" y2="${axisY}" stroke="#000"/>`);
  for (const tick of [0.01, 0.1, 1, 10, 100]) {
    const tx = centre + Math.log10(tick) * scale;
    parts.push(
      `<text x="${tx.toFixed(1)}" y="${axisY + 16}" text-anchor="middle" fill="#555">${tick}×</text>`,
    );
  }
  parts.push(
    `<text x="${centre}" y="${axisY + 30}" text-anchor="middle" fill="#555">ratio (log scale): right of 1× ${escapeXml(fasterLabel)} is faster</text>`,
    "</svg>",
  );
  return `${parts.join("\n")}\n`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const path = process.argv[2];
  if (!path) {
    console.error("usage: node dist/bench/ratio-chart.js bench/results/<file>.json");
    process.exit(2);
  }
  const results = JSON.parse(readFileSync(path, "utf8")) as {
    startedAt: string;
    figures: ChartFigure[];
  };
  const out = path.replace(/\.json$/, ".svg");
  const isPostgres = path.includes("-postgres");
  const title = isPostgres ? "Postfach on PostgreSQL vs on SQLite" : "Postfach vs Dovecot 2.3";
  writeFileSync(
    out,
    renderRatioChart(
      results.figures,
      `${title}, ${results.startedAt}`,
      isPostgres ? "PostgreSQL" : "Postfach",
    ),
  );
  console.log(`written to ${out}`);
}
