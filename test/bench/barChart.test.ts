import { describe, expect, it } from 'vitest';
import { renderBarChart } from '../../bench/lib/barChart.js';

const widths = (svg: string) => [...svg.matchAll(/<rect x="\d+" y="\d+" width="([\d.]+)"/g)].map((match) => Number(match[1]));

describe('benchmark bar chart', () => {
  it('scales each group to its own longest bar and writes the values', () => {
    const svg = renderBarChart({
      title: 'CPU',
      subtitle: 'µs',
      groups: [
        { label: 'a', bars: [{ series: 'ws broadcast', value: 10 }, { series: 'chatserver', value: 5 }] },
        { label: 'b', bars: [{ series: 'ws broadcast', value: 1000 }, { series: 'chatserver', value: 250 }] },
      ],
    });
    const [a1, a2, b1, b2] = widths(svg);
    expect(a1).toBe(b1);
    expect(a2! / a1!).toBeCloseTo(0.5, 2);
    expect(b2! / b1!).toBeCloseTo(0.25, 2);
    expect(svg).toContain('>5.00<');
    expect(svg).toContain('>1,000<');
    // Our bars get the accent colour, the peer's a neutral one.
    expect(svg.match(/fill="#d9480f"/g)).toHaveLength(2);
  });

  it('escapes text and draws no bar for a missing figure', () => {
    const svg = renderBarChart({ title: '<script>&', subtitle: '"x"', groups: [{ label: 'g', bars: [{ series: 'nginx', value: Number.NaN }] }] });
    expect(svg).not.toContain('<script>');
    expect(svg).toContain('&#60;script&#62;&#38;');
    expect(widths(svg)).toEqual([0]);
    expect(svg).toContain('>n/a<');
  });
});
