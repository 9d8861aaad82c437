import type { GeneratedFile } from './provider';

// The offline provider's built-in apps: small, complete and working, chosen from the prompt's words so
// the Build journey works with no model at all. Each is index.html + styles.css + app.js.

export type Template = { kind: string; words: RegExp; script: string; body: string };

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const TEMPLATES: Template[] = [
  {
    kind: 'todo list',
    words: /\b(todo|to-do|task|checklist|list)\b/i,
    body: `<form id="add"><input id="text" placeholder="What needs doing?" aria-label="New item" required><button>Add</button></form>
    <ul id="items" aria-live="polite"></ul>
    <p id="left"></p>`,
    script: `const KEY = 'app-items';
const items = JSON.parse(localStorage.getItem(KEY) || '[]');
const list = document.getElementById('items');
const left = document.getElementById('left');

function save() {
  localStorage.setItem(KEY, JSON.stringify(items));
}

function render() {
  list.replaceChildren(...items.map((item, i) => {
    const li = document.createElement('li');
    const box = document.createElement('input');
    box.type = 'checkbox';
    box.checked = item.done;
    box.addEventListener('change', () => { item.done = box.checked; save(); render(); });
    const label = document.createElement('span');
    label.textContent = item.text;
    if (item.done) label.className = 'done';
    const remove = document.createElement('button');
    remove.textContent = 'Remove';
    remove.addEventListener('click', () => { items.splice(i, 1); save(); render(); });
    li.append(box, label, remove);
    return li;
  }));
  const open = items.filter((i) => !i.done).length;
  left.textContent = open === 1 ? '1 item left' : open + ' items left';
}

document.getElementById('add').addEventListener('submit', (event) => {
  event.preventDefault();
  const input = document.getElementById('text');
  items.push({ text: input.value.trim(), done: false });
  input.value = '';
  save();
  render();
});
render();
`,
  },
  {
    kind: 'timer',
    words: /\b(timer|clock|stopwatch|pomodoro|countdown)\b/i,
    body: `<p id="time" class="big" aria-live="off">00:00.0</p>
    <div class="row"><button id="start">Start</button><button id="lap">Lap</button><button id="reset">Reset</button></div>
    <ol id="laps"></ol>`,
    script: `let startedAt = 0;
let elapsed = 0;
let ticking = null;
const time = document.getElementById('time');
const laps = document.getElementById('laps');
const startButton = document.getElementById('start');

function format(ms) {
  const m = Math.floor(ms / 60000);
  const s = Math.floor((ms % 60000) / 1000);
  const t = Math.floor((ms % 1000) / 100);
  return String(m).padStart(2, '0') + ':' + String(s).padStart(2, '0') + '.' + t;
}

function now() {
  return elapsed + (ticking ? Date.now() - startedAt : 0);
}

startButton.addEventListener('click', () => {
  if (ticking) {
    elapsed = now();
    clearInterval(ticking);
    ticking = null;
    startButton.textContent = 'Start';
  } else {
    startedAt = Date.now();
    ticking = setInterval(() => { time.textContent = format(now()); }, 100);
    startButton.textContent = 'Pause';
  }
});
document.getElementById('lap').addEventListener('click', () => {
  const li = document.createElement('li');
  li.textContent = format(now());
  laps.prepend(li);
});
document.getElementById('reset').addEventListener('click', () => {
  elapsed = 0;
  startedAt = Date.now();
  time.textContent = format(0);
  laps.replaceChildren();
});
`,
  },
  {
    kind: 'counter',
    words: /\b(counter|count|click|tally|score)\b/i,
    body: `<p id="value" class="big" aria-live="polite">0</p>
    <div class="row"><button id="minus" aria-label="Decrease">−</button><button id="plus" aria-label="Increase">+</button><button id="reset">Reset</button></div>`,
    script: `const KEY = 'app-count';
let value = Number(localStorage.getItem(KEY) || 0);
const out = document.getElementById('value');

function show() {
  out.textContent = String(value);
  localStorage.setItem(KEY, String(value));
}

document.getElementById('plus').addEventListener('click', () => { value += 1; show(); });
document.getElementById('minus').addEventListener('click', () => { value -= 1; show(); });
document.getElementById('reset').addEventListener('click', () => { value = 0; show(); });
show();
`,
  },
];

const NOTES: Template = {
  kind: 'notes page',
  words: /.*/,
  body: `<form id="add"><textarea id="text" rows="3" placeholder="Write a note" aria-label="Note" required></textarea><button>Save note</button></form>
    <ul id="notes" aria-live="polite"></ul>`,
  script: `const KEY = 'app-notes';
const notes = JSON.parse(localStorage.getItem(KEY) || '[]');
const list = document.getElementById('notes');

function render() {
  list.replaceChildren(...notes.map((note) => {
    const li = document.createElement('li');
    const text = document.createElement('p');
    text.textContent = note.text;
    const when = document.createElement('time');
    when.textContent = new Date(note.at).toLocaleString();
    li.append(text, when);
    return li;
  }));
}

document.getElementById('add').addEventListener('submit', (event) => {
  event.preventDefault();
  const input = document.getElementById('text');
  notes.unshift({ text: input.value.trim(), at: Date.now() });
  localStorage.setItem(KEY, JSON.stringify(notes));
  input.value = '';
  render();
});
render();
`,
};

const STYLES = `:root {
  color-scheme: light dark;
  --bg: #f7f7f5;
  --fg: #1d1d1b;
  --accent: #2f6f5e;
  --muted: #6b6b66;
  font-family: system-ui, sans-serif;
}

@media (prefers-color-scheme: dark) {
  :root {
    --bg: #161615;
    --fg: #ececea;
    --accent: #7cc4ad;
    --muted: #9a9a94;
  }
}

body {
  margin: 0;
  min-height: 100vh;
  background: var(--bg);
  color: var(--fg);
  display: grid;
  place-items: start center;
}

main {
  width: min(36rem, 100% - 2rem);
  padding: 3rem 0;
}

h1 {
  font-size: 1.6rem;
  margin: 0 0 0.25rem;
}

.subtitle {
  color: var(--muted);
  margin: 0 0 2rem;
}

form,
.row {
  display: flex;
  gap: 0.5rem;
  margin-bottom: 1rem;
}

input,
textarea {
  flex: 1;
  font: inherit;
  padding: 0.5rem 0.75rem;
  border: 1px solid var(--muted);
  border-radius: 0.4rem;
  background: transparent;
  color: inherit;
}

button {
  font: inherit;
  padding: 0.5rem 1rem;
  border: 0;
  border-radius: 0.4rem;
  background: var(--accent);
  color: var(--bg);
  cursor: pointer;
}

ul,
ol {
  padding-left: 1.25rem;
}

li {
  display: flex;
  gap: 0.75rem;
  align-items: center;
  padding: 0.35rem 0;
}

.done {
  text-decoration: line-through;
  color: var(--muted);
}

.big {
  font-size: 3rem;
  font-variant-numeric: tabular-nums;
  margin: 1rem 0;
}
`;

export function pickTemplate(prompt: string): Template {
  return TEMPLATES.find((t) => t.words.test(prompt)) ?? NOTES;
}

/** A title for the app from the prompt: its first sentence, trimmed to a heading's length. */
export function titleFrom(prompt: string): string {
  const first = prompt.trim().split(/[.!?\n]/)[0].trim() || 'My app';
  const short = first.length > 60 ? `${first.slice(0, 57).trimEnd()}…` : first;
  return short.charAt(0).toUpperCase() + short.slice(1);
}

export function renderTemplate(t: Template, prompt: string): GeneratedFile[] {
  const title = escapeHtml(titleFrom(prompt));
  const html = `<!DOCTYPE html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>${title}</title>
    <link rel="stylesheet" href="styles.css">
  </head>
  <body>
    <main>
    <h1>${title}</h1>
    <p class="subtitle">A ${t.kind}, built offline by Portico.</p>
    ${t.body}
    </main>
    <script src="app.js"></script>
  </body>
</html>
`;
  return [
    { path: 'index.html', content: html },
    { path: 'styles.css', content: STYLES },
    { path: 'app.js', content: t.script },
  ];
}
