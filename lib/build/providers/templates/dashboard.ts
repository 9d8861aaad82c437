import { capitalise, type Template } from './template';

// A dashboard: summary cards, an inline-SVG chart and the table behind it, over sample data that says it
// is sample data. The data's shape follows the subject when we know one (weather, sales, fitness, …).

type Sample = { metric: string; unit: string; labels: string[]; values: number[]; bars?: { metric: string; unit: string; values: number[] } };

const DAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun'];

const SAMPLES: { words: RegExp; sample: Sample }[] = [
  {
    words: /weather|temperature|forecast|climate|rain/i,
    sample: { metric: 'Temperature', unit: '°C', labels: DAYS, values: [14, 16, 13, 18, 21, 19, 17], bars: { metric: 'Rain', unit: 'mm', values: [2, 0, 5, 1, 0, 3, 4] } },
  },
  { words: /sales|revenue|shop|store|orders|finance|budget|money/i, sample: { metric: 'Revenue', unit: '€', labels: MONTHS, values: [4200, 3900, 5100, 4800, 6200, 6900] } },
  { words: /fitness|steps|workout|running|health|sleep/i, sample: { metric: 'Steps', unit: '', labels: DAYS, values: [6400, 8200, 7100, 9900, 5300, 12100, 10400] } },
  { words: /traffic|visitors|analytics|website|users/i, sample: { metric: 'Visitors', unit: '', labels: DAYS, values: [320, 410, 380, 450, 520, 290, 260] } },
  { words: /stock|crypto|price|market|shares/i, sample: { metric: 'Price', unit: '$', labels: DAYS, values: [101.2, 103.8, 102.1, 99.6, 104.9, 107.3, 106.0] } },
];

function sampleFor(subject: string | null, prompt: string): Sample {
  const known = SAMPLES.find((s) => s.words.test(prompt));
  if (known) return known.sample;
  return { metric: subject ? capitalise(subject) : 'Value', unit: '', labels: DAYS, values: [12, 19, 15, 22, 18, 25, 21] };
}

export const DASHBOARD: Template = {
  kind: 'dashboard with a chart',
  words: { dashboard: 3, chart: 3, charts: 3, graph: 3, graphs: 3, plot: 2, stats: 2, statistics: 2, analytics: 2, metrics: 2, report: 1, overview: 1 },
  body: (w) => `<p class="note" id="sample-note">Sample data${w.subject ? ` for ${w.subject}` : ''}: made up to show the layout, not live figures.</p>
    <section class="cards" aria-label="Summary">
      <article class="card"><h2>Latest</h2><p class="big" id="latest"></p></article>
      <article class="card"><h2>Average</h2><p class="big" id="average"></p></article>
      <article class="card"><h2>Highest</h2><p class="big" id="highest"></p></article>
    </section>
    <figure>
      <svg id="chart" viewBox="0 0 640 280" role="img" aria-labelledby="chart-title"><title id="chart-title">Chart</title></svg>
      <figcaption class="note" id="chart-caption"></figcaption>
    </figure>
    <table aria-label="The data behind the chart"><thead id="table-head"></thead><tbody id="table-body"></tbody></table>`,
  script: (raw) => `const SAMPLE = ${JSON.stringify(sampleFor(raw.subject, raw.prompt))};
const SVG = 'http://www.w3.org/2000/svg';
const W = 640;
const H = 280;
const PAD = 36;
const chart = document.getElementById('chart');
const withUnit = (v, unit) => (unit === '€' || unit === '$' ? unit + v.toLocaleString() : v.toLocaleString() + (unit ? ' ' + unit : ''));

function el(name, attrs, text) {
  const node = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  if (text !== undefined) node.textContent = text;
  chart.append(node);
  return node;
}

function draw() {
  const values = SAMPLE.values;
  const max = Math.max(...values, ...(SAMPLE.bars ? SAMPLE.bars.values : [])) * 1.15;
  const min = Math.min(0, ...values);
  const x = (i) => PAD + (i * (W - 2 * PAD)) / (values.length - 1);
  const y = (v) => H - PAD - ((v - min) / (max - min)) * (H - 2 * PAD);
  el('line', { x1: PAD, y1: H - PAD, x2: W - PAD, y2: H - PAD, stroke: 'currentColor', opacity: 0.3 });
  if (SAMPLE.bars) {
    SAMPLE.bars.values.forEach((v, i) => {
      el('rect', { x: x(i) - 10, y: y(v), width: 20, height: H - PAD - y(v), fill: 'var(--muted)', opacity: 0.35 });
    });
  }
  const points = values.map((v, i) => x(i) + ',' + y(v)).join(' ');
  el('polyline', { points, fill: 'none', stroke: 'var(--accent)', 'stroke-width': 3, 'stroke-linejoin': 'round' });
  values.forEach((v, i) => {
    el('circle', { cx: x(i), cy: y(v), r: 4, fill: 'var(--accent)' });
    el('text', { x: x(i), y: y(v) - 10, 'text-anchor': 'middle', 'font-size': 12, fill: 'currentColor' }, String(v));
    el('text', { x: x(i), y: H - PAD + 18, 'text-anchor': 'middle', 'font-size': 12, fill: 'currentColor' }, SAMPLE.labels[i]);
  });
  const what = SAMPLE.metric + (SAMPLE.unit ? ' (' + SAMPLE.unit + ')' : '');
  const bars = SAMPLE.bars ? '; bars: ' + SAMPLE.bars.metric + ' (' + SAMPLE.bars.unit + ')' : '';
  document.getElementById('chart-title').textContent = what + ' — sample data';
  document.getElementById('chart-caption').textContent = 'Line: ' + what + bars + '. Sample data.';
}

function summarise() {
  const values = SAMPLE.values;
  const average = Math.round((values.reduce((a, b) => a + b, 0) / values.length) * 10) / 10;
  document.getElementById('latest').textContent = withUnit(values[values.length - 1], SAMPLE.unit);
  document.getElementById('average').textContent = withUnit(average, SAMPLE.unit);
  document.getElementById('highest').textContent = withUnit(Math.max(...values), SAMPLE.unit);
}

function table() {
  const head = document.createElement('tr');
  for (const name of ['', SAMPLE.metric, SAMPLE.bars ? SAMPLE.bars.metric : null]) {
    if (name === null) continue;
    const th = document.createElement('th');
    th.textContent = name;
    head.append(th);
  }
  document.getElementById('table-head').append(head);
  SAMPLE.labels.forEach((label, i) => {
    const tr = document.createElement('tr');
    const cells = [label, withUnit(SAMPLE.values[i], SAMPLE.unit)];
    if (SAMPLE.bars) cells.push(withUnit(SAMPLE.bars.values[i], SAMPLE.bars.unit));
    for (const c of cells) {
      const td = document.createElement('td');
      td.textContent = c;
      tr.append(td);
    }
    document.getElementById('table-body').append(tr);
  });
}

draw();
summarise();
table();
`,
};
