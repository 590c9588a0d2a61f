/**
 * The charts of report.html. `drawCharts` runs in the browser: html-report.ts embeds it with
 * Function.prototype.toString, so it must not refer to anything outside its own body (no imports,
 * no module-level helpers) and it only touches the few DOM calls typed below (the build has no DOM
 * lib). Every chart is SVG built at load time from the data embedded in the page; each element it
 * draws for a cell carries class bar|curve|point and data-cell, which the Chromium test counts.
 */

/** What the page needs of one cell (a subset of the report, computed in Node). */
export interface ChartCell {
  /** 1-based number shown on every chart and in the legend. */
  n: number;
  label: string;
  throughput: number;
  p99Micros: number;
  /** [percentile 0..100, latency micros], ascending percentile. */
  curve: Array<[number, number]>;
}

export interface ChartElement {
  setAttribute(name: string, value: string): void;
  appendChild(child: ChartElement): ChartElement;
  textContent: string | null;
}

export interface ChartDocument {
  createElementNS(namespace: string, tag: string): ChartElement;
  createElement(tag: string): ChartElement;
  getElementById(id: string): ChartElement | null;
}

export function drawCharts(doc: ChartDocument, cells: ChartCell[]): void {
  const SVG = 'http://www.w3.org/2000/svg';
  const PALETTE = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#79706e'];
  const DASHES = ['', '6 3', '2 3', '8 3 2 3'];
  const color = (n: number): string => PALETTE[(n - 1) % PALETTE.length] as string;
  const dash = (n: number): string => DASHES[Math.floor((n - 1) / PALETTE.length) % DASHES.length] as string;

  const el = (parent: ChartElement, tag: string, attrs: Record<string, string | number>, text?: string): ChartElement => {
    const node = doc.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
    if (text !== undefined) node.textContent = text;
    parent.appendChild(node);
    return node;
  };
  const svgIn = (id: string, width: number, height: number): ChartElement | null => {
    const host = doc.getElementById(id);
    if (host === null) return null;
    const svg = doc.createElementNS(SVG, 'svg');
    svg.setAttribute('viewBox', `0 0 ${width} ${height}`);
    svg.setAttribute('width', '100%');
    svg.setAttribute('role', 'img');
    host.appendChild(svg);
    return svg;
  };
  const short = (s: string, max: number): string => (s.length <= max ? s : `${s.slice(0, max - 1)}…`);
  const rate = (v: number): string => `${Math.round(v).toLocaleString('en-US')} msg/s`;
  const millis = (micros: number): string => {
    const ms = micros / 1000;
    if (ms >= 100) return `${Math.round(ms)} ms`;
    if (ms >= 1) return `${ms.toFixed(1)} ms`;
    return `${ms.toPrecision(2)} ms`;
  };
  const log10 = (v: number): number => Math.log10(Math.max(v, 1e-9));
  // A round axis step (1, 2 or 5 times a power of ten) so tick labels read well.
  const niceStep = (v: number): number => {
    const e = 10 ** Math.floor(Math.log10(Math.max(v, 1e-9)));
    const f = v / e;
    return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 2.5 ? 2.5 : f <= 5 ? 5 : 10) * e;
  };
  const msTick = (exp: number): string => {
    const ms = 10 ** exp / 1000;
    return ms >= 1 ? `${ms} ms` : `${Number(ms.toPrecision(1))} ms`;
  };

  // Throughput per cell: horizontal bars, so long labels stay readable.
  {
    const rowH = 24;
    const labelW = 360;
    const valueW = 120;
    const width = 960;
    const height = cells.length * rowH + 30;
    const svg = svgIn('chart-throughput', width, height);
    if (svg !== null) {
      const step = niceStep(Math.max(1, ...cells.map((c) => c.throughput)) / 4);
      const max = step * Math.max(1, Math.ceil(Math.max(1, ...cells.map((c) => c.throughput)) / step));
      const span = width - labelW - valueW;
      for (let v = 0; v <= max; v += step) {
        const gx = labelW + (span * v) / max;
        el(svg, 'line', { x1: gx, x2: gx, y1: 0, y2: height - 24, class: 'grid' });
        el(svg, 'text', { x: gx, y: height - 8, 'text-anchor': 'middle', class: 'tick' }, Math.round(v).toLocaleString('en-US'));
      }
      cells.forEach((c, i) => {
        const y = i * rowH + 4;
        el(svg, 'text', { x: labelW - 8, y: y + rowH / 2 + 1, 'text-anchor': 'end', class: 'label' }, short(`#${c.n} ${c.label}`, 50));
        const bar = el(svg, 'rect', {
          x: labelW, y, width: Math.max(1, (span * c.throughput) / max), height: rowH - 6, fill: color(c.n), class: 'bar', 'data-cell': c.n,
        });
        el(bar, 'title', {}, `#${c.n} ${c.label}: ${rate(c.throughput)}`);
        el(svg, 'text', { x: labelW + (span * c.throughput) / max + 6, y: y + rowH / 2 + 1, class: 'value' }, rate(c.throughput));
      });
    }
  }

  // Latency percentile curves: percentile on a log axis of 1/(1 - p), latency on a log axis.
  {
    const width = 960;
    const height = 440;
    const m = { l: 80, r: 40, t: 16, b: 50 };
    const svg = svgIn('chart-latency', width, height);
    if (svg !== null) {
      const toX = (p: number): number => log10(100 / (100 - p));
      const points = cells.flatMap((c) => c.curve.filter(([p, v]) => p < 100 && v > 0));
      const xMax = Math.max(2, Math.ceil(Math.max(0, ...points.map(([p]) => toX(p)))));
      const yLo = Math.floor(Math.min(...points.map(([, v]) => log10(v)), 3));
      const yHi = Math.max(yLo + 1, Math.ceil(Math.max(...points.map(([, v]) => log10(v)), yLo + 1)));
      const sx = (x: number): number => m.l + ((width - m.l - m.r) * x) / xMax;
      const sy = (y: number): number => height - m.b - ((height - m.t - m.b) * (y - yLo)) / (yHi - yLo);
      for (let k = 0; k <= xMax; k++) {
        const label = k === 0 ? 'p0' : `p${Number((100 - 100 / 10 ** k).toFixed(k))}`;
        el(svg, 'line', { x1: sx(k), x2: sx(k), y1: m.t, y2: height - m.b, class: 'grid' });
        el(svg, 'text', { x: sx(k), y: height - m.b + 18, 'text-anchor': 'middle', class: 'tick' }, label);
      }
      for (let e = yLo; e <= yHi; e++) {
        el(svg, 'line', { x1: m.l, x2: width - m.r, y1: sy(e), y2: sy(e), class: 'grid' });
        el(svg, 'text', { x: m.l - 8, y: sy(e) + 4, 'text-anchor': 'end', class: 'tick' }, msTick(e));
      }
      el(svg, 'text', { x: (m.l + width - m.r) / 2, y: height - 8, 'text-anchor': 'middle', class: 'axis' }, 'percentile (log scale of 1 / (1 - p))');
      el(svg, 'text', { x: 16, y: (m.t + height - m.b) / 2, 'text-anchor': 'middle', class: 'axis', transform: `rotate(-90 16 ${(m.t + height - m.b) / 2})` }, 'latency (log scale)');
      for (const c of cells) {
        const d = c.curve
          .filter(([p, v]) => p < 100 && v > 0)
          .map(([p, v], i) => `${i === 0 ? 'M' : 'L'}${sx(toX(p)).toFixed(1)},${sy(log10(v)).toFixed(1)}`)
          .join(' ');
        const path = el(svg, 'path', { d, fill: 'none', stroke: color(c.n), 'stroke-width': 2, 'stroke-dasharray': dash(c.n), class: 'curve', 'data-cell': c.n });
        el(path, 'title', {}, `#${c.n} ${c.label}`);
      }
    }
  }

  // Throughput against p99 latency: one point per cell, p99 on a log axis.
  {
    const width = 960;
    const height = 440;
    const m = { l: 90, r: 30, t: 16, b: 50 };
    const svg = svgIn('chart-scatter', width, height);
    if (svg !== null) {
      const lat = cells.map((c) => log10(Math.max(1, c.p99Micros)));
      const xLo = Math.floor(Math.min(3, ...lat));
      const xHi = Math.max(xLo + 1, Math.ceil(Math.max(xLo + 1, ...lat)));
      const yStep = niceStep((Math.max(1, ...cells.map((c) => c.throughput)) * 1.05) / 4);
      const yMax = yStep * Math.max(1, Math.ceil((Math.max(1, ...cells.map((c) => c.throughput)) * 1.05) / yStep));
      const sx = (x: number): number => m.l + ((width - m.l - m.r) * (x - xLo)) / (xHi - xLo);
      const sy = (y: number): number => height - m.b - ((height - m.t - m.b) * y) / yMax;
      for (let e = xLo; e <= xHi; e++) {
        el(svg, 'line', { x1: sx(e), x2: sx(e), y1: m.t, y2: height - m.b, class: 'grid' });
        el(svg, 'text', { x: sx(e), y: height - m.b + 18, 'text-anchor': 'middle', class: 'tick' }, msTick(e));
      }
      for (let v = 0; v <= yMax; v += yStep) {
        el(svg, 'line', { x1: m.l, x2: width - m.r, y1: sy(v), y2: sy(v), class: 'grid' });
        el(svg, 'text', { x: m.l - 8, y: sy(v) + 4, 'text-anchor': 'end', class: 'tick' }, Math.round(v).toLocaleString('en-US'));
      }
      el(svg, 'text', { x: (m.l + width - m.r) / 2, y: height - 8, 'text-anchor': 'middle', class: 'axis' }, 'p99 latency (log scale)');
      el(svg, 'text', { x: 16, y: (m.t + height - m.b) / 2, 'text-anchor': 'middle', class: 'axis', transform: `rotate(-90 16 ${(m.t + height - m.b) / 2})` }, 'throughput (msg/s)');
      cells.forEach((c, i) => {
        const x = sx(lat[i] as number);
        const y = sy(c.throughput);
        const point = el(svg, 'circle', { cx: x, cy: y, r: 6, fill: color(c.n), class: 'point', 'data-cell': c.n });
        el(point, 'title', {}, `#${c.n} ${c.label}: ${rate(c.throughput)}, p99 ${millis(c.p99Micros)}`);
        el(svg, 'text', { x: x + 8, y: y - 8, class: 'value' }, `#${c.n}`);
      });
    }
  }

  // One legend for all three charts: number, colour (and dash for curves past the palette), label.
  const legend = doc.getElementById('legend');
  if (legend !== null) {
    for (const c of cells) {
      const item = doc.createElement('li');
      const swatch = doc.createElementNS(SVG, 'svg');
      swatch.setAttribute('width', '28');
      swatch.setAttribute('height', '12');
      el(swatch, 'line', { x1: 0, x2: 28, y1: 6, y2: 6, stroke: color(c.n), 'stroke-width': 4, 'stroke-dasharray': dash(c.n) });
      item.appendChild(swatch);
      const text = doc.createElement('span');
      text.textContent = ` #${c.n} ${c.label}`;
      item.appendChild(text);
      item.setAttribute('class', 'legend-item');
      legend.appendChild(item);
    }
  }
}
