/**
 * Where a scenario's figures go: JSON into bench/results/ always, and its charts into
 * docs/bench/ (the README shows them) for a full run. A `--quick` run's figures mean nothing,
 * so its charts stay in bench/results/ and the committed ones are left alone.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { renderBarChart, type BarChart } from './barChart.js';
import { HAS_TASKSET } from './processes.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const RESULTS = path.join(ROOT, 'bench/results');
const CHARTS = path.join(ROOT, 'docs/bench');

/** Writes bench/results/<name>.json with the machine it ran on. */
export function writeResults(name: string, figures: object): void {
  mkdirSync(RESULTS, { recursive: true });
  const machine = { cpus: os.availableParallelism(), memoryGiB: Math.round(os.totalmem() / 2 ** 30), node: process.version, pinned: HAS_TASKSET };
  writeFileSync(path.join(RESULTS, `${name}.json`), `${JSON.stringify({ at: new Date().toISOString(), machine, ...figures }, null, 2)}\n`);
}

/** Writes a chart as SVG: docs/bench/<name>.svg for a full run, bench/results/ for a quick one. */
export function writeChart(name: string, chart: BarChart, quick: boolean): void {
  const folder = quick ? RESULTS : CHARTS;
  mkdirSync(folder, { recursive: true });
  const file = path.join(folder, `${name}.svg`);
  writeFileSync(file, renderBarChart(chart));
  console.log(`chart: ${path.relative(ROOT, file)}`);
}
