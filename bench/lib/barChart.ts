/**
 * A grouped horizontal bar chart as a standalone SVG: one group per case (say "500 receivers,
 * burst"), one bar per server. Our server's bars get the accent colour, the peers' neutral ones,
 * so the README reads at a glance. Each group has its own scale (its longest bar spans the
 * width), so one chart can hold figures in different units. No dependencies.
 */
export interface BarChart {
  readonly title: string;
  /** Shown under the title: the unit and which way is better. */
  readonly subtitle: string;
  readonly groups: ReadonlyArray<{ readonly label: string; readonly bars: ReadonlyArray<{ readonly series: string; readonly value: number }> }>;
  /** How a value is written beside its bar. */
  readonly format?: (value: number) => string;
}

const WIDTH = 760;
const LABEL_WIDTH = 170;
const BAR_AREA = 470;
const BAR_HEIGHT = 16;
const BAR_GAP = 4;
const GROUP_GAP = 14;
const ACCENT = '#d9480f';
const PEER_COLOURS = ['#495057', '#868e96', '#1c7ed6', '#5c940d', '#ae3ec9'];

function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function defaultFormat(value: number): string {
  if (!Number.isFinite(value)) return 'n/a';
  if (Math.abs(value) >= 100) return Math.round(value).toLocaleString('en-US');
  return value.toFixed(Math.abs(value) >= 10 ? 1 : 2);
}

export function renderBarChart(chart: BarChart): string {
  const format = chart.format ?? defaultFormat;
  const peers = [...new Set(chart.groups.flatMap((group) => group.bars.map((bar) => bar.series)))].filter((series) => !series.startsWith('chatserver'));
  const colour = (series: string) => (series.startsWith('chatserver') ? ACCENT : PEER_COLOURS[peers.indexOf(series) % PEER_COLOURS.length]!);

  const parts: string[] = [];
  let y = 58;
  for (const group of chart.groups) {
    const max = Math.max(...group.bars.map((bar) => bar.value).filter(Number.isFinite), 0) || 1;
    parts.push(`<text x="12" y="${y + 12}" font-weight="bold">${escapeXml(group.label)}</text>`);
    y += 20;
    for (const bar of group.bars) {
      const width = Number.isFinite(bar.value) ? Math.max(1, (bar.value / max) * BAR_AREA) : 0;
      parts.push(
        `<text x="${LABEL_WIDTH - 8}" y="${y + 12}" text-anchor="end">${escapeXml(bar.series)}</text>`,
        `<rect x="${LABEL_WIDTH}" y="${y}" width="${width.toFixed(1)}" height="${BAR_HEIGHT}" fill="${colour(bar.series)}"/>`,
        `<text x="${LABEL_WIDTH + width + 6}" y="${y + 12}">${escapeXml(format(bar.value))}</text>`,
      );
      y += BAR_HEIGHT + BAR_GAP;
    }
    y += GROUP_GAP;
  }
  const height = y + 6;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="system-ui, sans-serif" font-size="12" role="img" aria-label="${escapeXml(chart.title)}">`,
    `<rect width="${WIDTH}" height="${height}" fill="#ffffff"/>`,
    `<text x="12" y="22" font-size="15" font-weight="bold">${escapeXml(chart.title)}</text>`,
    `<text x="12" y="40" fill="#495057">${escapeXml(chart.subtitle)}</text>`,
    ...parts,
    '</svg>',
    '',
  ].join('\n');
}
