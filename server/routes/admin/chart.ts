// A bar chart drawn on the server as SVG geometry (no JavaScript); the template draws it and a table says the same.
import type { DayCount } from '../../db/admin-accounts-repository';

export interface Bar {
  day: string;
  count: number;
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface BarChart {
  width: number;
  height: number;
  plotTop: number;
  plotBottom: number;
  plotLeft: number;
  /** The top of the scale: a round number at least the peak. */
  max: number;
  /** The most registrations on one day: what the chart's text says. */
  peak: number;
  bars: Bar[];
  /** Value gridlines with their y position. */
  ticks: Array<{ value: number; y: number }>;
  /** Every seventh day, counted back from the last, is labelled along the axis (MM-DD). */
  labels: Array<{ text: string; x: number }>;
}

/** A round number at least `max` for the top of the scale: 1, 2, 5, 10, 20, 50 … */
export function niceMax(max: number): number {
  if (max <= 1) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(max));
  for (const step of [1, 2, 5, 10]) if (step * magnitude >= max) return step * magnitude;
  return 10 * magnitude;
}

export function barChart(days: DayCount[], width = 640, height = 220): BarChart {
  const plotLeft = 40;
  const plotRight = width - 10;
  const plotTop = 10;
  const plotBottom = height - 30;
  const peak = Math.max(0, ...days.map((d) => d.count));
  const max = niceMax(peak);
  const slot = days.length ? (plotRight - plotLeft) / days.length : 0;
  const barWidth = Math.max(1, slot * 0.7);
  const scale = (value: number) => plotBottom - ((plotBottom - plotTop) * value) / max;
  const round = (n: number) => Math.round(n * 10) / 10;
  const bars = days.map((d, i) => {
    const y = scale(d.count);
    return {
      day: d.day,
      count: d.count,
      x: round(plotLeft + i * slot + (slot - barWidth) / 2),
      y: round(y),
      width: round(barWidth),
      height: round(plotBottom - y),
    };
  });
  const ticks = [0, max / 2, max]
    .filter((v, i, all) => Number.isInteger(v) && all.indexOf(v) === i)
    .map((value) => ({ value, y: round(scale(value)) }));
  const labels = days
    .map((d, i) => ({ text: d.day.slice(5), x: round(plotLeft + i * slot + slot / 2), i }))
    .filter((l) => (days.length - 1 - l.i) % 7 === 0)
    .map(({ text, x }) => ({ text, x }));
  return { width, height, plotTop, plotBottom, plotLeft, max, peak, bars, ticks, labels };
}
