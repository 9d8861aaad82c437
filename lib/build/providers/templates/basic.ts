import type { Template } from './template';

// The first four templates: small apps that keep their data in the browser (localStorage).

export const BASIC_TEMPLATES: Template[] = [
  {
    kind: 'to-do list',
    words: { todo: 3, 'to-do': 3, task: 2, tasks: 2, checklist: 3, chores: 2, errands: 2, shopping: 1, list: 1 },
    body: (w) => `<form id="add"><input id="text" placeholder="What needs doing?" aria-label="New ${w.subject ?? 'item'}" required><button>Add</button></form>
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
    words: { timer: 3, clock: 2, stopwatch: 3, pomodoro: 3, countdown: 3, laps: 2, lap: 2 },
    body: () => `<p id="time" class="big" aria-live="off">00:00.0</p>
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
    words: { counter: 3, count: 2, clicks: 1, click: 1, tally: 3, score: 2, scoreboard: 2 },
    body: (w) => `<p id="value" class="big" aria-live="polite" aria-label="${w.subject ? `${w.subject} count` : 'Count'}">0</p>
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

export const NOTES: Template = {
  kind: 'notes page',
  words: { notes: 3, note: 3, journal: 3, diary: 3, memo: 2, memos: 2, jot: 2, ideas: 1 },
  body: (w) => `<form id="add"><textarea id="text" rows="3" placeholder="Write a note${w.subject ? ` about ${w.subject}` : ''}" aria-label="Note" required></textarea><button>Save note</button></form>
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
