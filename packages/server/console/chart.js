// Charts drawn by uPlot: small sparklines in the overview table, larger charts on the queue page.
import { html } from './html.js';
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';

/** Line colours, chosen to stay apart for common colour-vision deficiencies. */
export const colors = { blue: '#2563eb', green: '#059669', orange: '#d97706', purple: '#7c3aed', grey: '#64748b' };

function makeOptions({ width, height, series, compact, yLabel }) {
  const lines = series.map((s) => ({ label: s.label, stroke: s.color, width: compact ? 1.5 : 2, points: { show: false } }));
  if (compact) {
    return {
      width,
      height,
      series: [{}, ...lines],
      legend: { show: false },
      cursor: { show: false },
      select: { show: false },
      axes: [{ show: false }, { show: false }],
      scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, Math.max(1, max)] } },
      padding: [2, 2, 2, 2],
    };
  }
  return {
    width,
    height,
    series: [{}, ...lines],
    scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, Math.max(1, max * 1.1)] } },
    axes: [{}, { label: yLabel, size: 60 }],
  };
}

/**
 * A live line chart. `data` is uPlot's column layout: [times in seconds, ...one array per series];
 * `series` names and colours the lines. Fills its container's width unless `width` is given.
 */
export function Chart({ data, series, height = 200, width, compact = false, yLabel = '', title }) {
  const box = useRef(null);
  const plot = useRef(null);

  useEffect(() => {
    const el = box.current;
    const w = width ?? Math.max(200, el.clientWidth);
    plot.current = new uPlot(makeOptions({ width: w, height, series, compact, yLabel }), data, el);
    let observer;
    if (width === undefined) {
      observer = new ResizeObserver(() => plot.current.setSize({ width: Math.max(200, el.clientWidth), height }));
      observer.observe(el);
    }
    return () => {
      if (observer) observer.disconnect();
      plot.current.destroy();
      plot.current = null;
    };
  }, [height, width, compact, series.length]);

  useEffect(() => {
    if (plot.current) plot.current.setData(data);
  }, [data]);

  return html`<div class=${compact ? 'chart spark' : 'chart'} ref=${box} role="img" aria-label=${title ?? series.map((s) => s.label).join(', ')}></div>`;
}
