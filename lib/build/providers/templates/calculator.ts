import type { Template } from './template';

// A calculator with a keypad, and a unit converter: two small tools that need no data at all.

const UNIT_WORDS: [RegExp, string][] = [
  [/^(metres?|meters?)$/, 'metre'],
  [/^(kilometres?|kilometers?|km|kms)$/, 'kilometre'],
  [/^(centimetres?|centimeters?|cm)$/, 'centimetre'],
  [/^miles?$/, 'mile'],
  [/^(feet|foot|ft)$/, 'foot'],
  [/^(inch|inches)$/, 'inch'],
  [/^(kilograms?|kg|kgs|kilos?)$/, 'kilogram'],
  [/^grams?$/, 'gram'],
  [/^(pounds?|lbs?)$/, 'pound'],
  [/^(ounces?|oz)$/, 'ounce'],
  [/^(celsius|centigrade)$/, 'celsius'],
  [/^fahrenheit$/, 'fahrenheit'],
  [/^kelvin$/, 'kelvin'],
];

/** The converter's units a prompt names, in its order: "miles to kilometres" → ["mile", "kilometre"]. */
export function unitsNamed(prompt: string): string[] {
  const out: string[] = [];
  for (const word of prompt.toLowerCase().match(/[a-z]+/g) ?? []) {
    const unit = UNIT_WORDS.find(([re]) => re.test(word))?.[1];
    if (unit && !out.includes(unit)) out.push(unit);
  }
  return out.slice(0, 2);
}

export const CALCULATOR: Template = {
  kind: 'calculator',
  words: { calculator: 3, calc: 3, arithmetic: 2, math: 2, maths: 2, add: 0.5, sum: 1, tip: 1, bmi: 1 },
  body: () => `<output id="display" class="big" aria-live="polite" aria-label="Result">0</output>
    <div class="keys" id="keys" aria-label="Keys"></div>`,
  script: `const display = document.getElementById('display');
const KEYS = ['7', '8', '9', '/', '4', '5', '6', '*', '1', '2', '3', '-', '0', '.', '=', '+', 'C'];
let expression = '';

function show(text) {
  display.textContent = text || '0';
}

// Evaluates + - * / with the usual precedence, without eval: a tiny shunting-yard.
function evaluate(text) {
  const tokens = text.match(/\\d+(?:\\.\\d+)?|[-+*/]/g) || [];
  const out = [];
  const ops = [];
  const rank = { '+': 1, '-': 1, '*': 2, '/': 2 };
  const apply = () => {
    const b = out.pop();
    const a = out.pop();
    const op = ops.pop();
    out.push(op === '+' ? a + b : op === '-' ? a - b : op === '*' ? a * b : a / b);
  };
  for (const t of tokens) {
    if (t in rank) {
      while (ops.length && rank[ops[ops.length - 1]] >= rank[t]) apply();
      ops.push(t);
    } else out.push(Number(t));
  }
  while (ops.length) apply();
  const result = out.pop();
  return Number.isFinite(result) ? String(Math.round(result * 1e10) / 1e10) : 'Error';
}

function press(key) {
  if (key === 'C') expression = '';
  else if (key === '=') expression = evaluate(expression);
  else expression += key;
  show(expression);
}

for (const key of KEYS) {
  const button = document.createElement('button');
  button.textContent = key;
  button.setAttribute('aria-label', key === 'C' ? 'Clear' : key === '=' ? 'Equals' : key);
  button.addEventListener('click', () => press(key));
  document.getElementById('keys').append(button);
}
document.addEventListener('keydown', (event) => {
  if (/^[\\d.+\\-*/]$/.test(event.key)) press(event.key);
  else if (event.key === 'Enter') press('=');
  else if (event.key === 'Escape') press('C');
});
`,
};

export const CONVERTER: Template = {
  kind: 'unit converter',
  words: { converter: 3, convert: 3, conversion: 3, units: 2, unit: 2, celsius: 2, fahrenheit: 2, miles: 2, kilometres: 2, kilometers: 2, pounds: 1, kilograms: 1, currency: 1 },
  body: () => `<form id="convert" class="stack">
      <label>Quantity<select id="kind"></select></label>
      <div class="row">
        <label>Value<input id="value" type="number" step="any" value="1"></label>
        <label>From<select id="from"></select></label>
        <label>To<select id="to"></select></label>
      </div>
    </form>
    <p id="result" class="big" aria-live="polite"></p>`,
  script: (raw) => `// Each unit as its factor to the quantity's base unit; temperature is converted through Celsius.
// ASKED: the units the prompt named, in its order ("miles to kilometres"), preselected as From and To.
const ASKED = ${JSON.stringify(unitsNamed(raw.prompt))};
const UNITS = {
  Length: { metre: 1, kilometre: 1000, centimetre: 0.01, mile: 1609.344, foot: 0.3048, inch: 0.0254 },
  Weight: { kilogram: 1, gram: 0.001, pound: 0.45359237, ounce: 0.028349523125 },
  Temperature: { celsius: null, fahrenheit: null, kelvin: null },
};
const kind = document.getElementById('kind');
const from = document.getElementById('from');
const to = document.getElementById('to');
const value = document.getElementById('value');

function options(select, names) {
  select.replaceChildren(...names.map((n) => new Option(n, n)));
}

function toCelsius(v, unit) {
  return unit === 'fahrenheit' ? ((v - 32) * 5) / 9 : unit === 'kelvin' ? v - 273.15 : v;
}

function fromCelsius(v, unit) {
  return unit === 'fahrenheit' ? (v * 9) / 5 + 32 : unit === 'kelvin' ? v + 273.15 : v;
}

function convert() {
  const v = Number(value.value);
  const units = UNITS[kind.value];
  const out = kind.value === 'Temperature' ? fromCelsius(toCelsius(v, from.value), to.value) : (v * units[from.value]) / units[to.value];
  document.getElementById('result').textContent = v + ' ' + from.value + ' = ' + (Math.round(out * 1e6) / 1e6) + ' ' + to.value;
}

function pickKind(asked) {
  const names = Object.keys(UNITS[kind.value]);
  options(from, names);
  options(to, names);
  const mine = (asked || []).filter((u) => names.includes(u));
  from.value = mine[0] || names[0];
  to.value = mine[1] || names.find((n) => n !== from.value);
  convert();
}

options(kind, Object.keys(UNITS));
kind.value = Object.keys(UNITS).find((k) => ASKED.some((u) => u in UNITS[k])) || 'Length';
kind.addEventListener('change', () => pickKind());
for (const input of [value, from, to]) input.addEventListener('input', convert);
pickKind(ASKED);
`,
};
