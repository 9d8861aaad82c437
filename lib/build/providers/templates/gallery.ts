import type { Template } from './template';

// A gallery of cards: sample items (said to be samples) with a colour swatch in place of a picture, a
// filter, and a form to add your own. No images from the network: the app works offline and sandboxed.

export const GALLERY: Template = {
  kind: 'gallery of cards',
  words: { gallery: 3, cards: 3, card: 2, portfolio: 3, catalog: 3, catalogue: 3, photos: 2, photo: 2, images: 2, album: 2, showcase: 2, collection: 2, products: 2, recipes: 2, grid: 1, list: 0.5 },
  body: (w) => `<p class="note">Sample ${w.subject ?? 'items'} to start with; add your own below. They are kept in this browser.</p>
    <label class="stack">Filter<input id="filter" type="search" placeholder="Type to filter"></label>
    <ul id="cards" class="cards" aria-live="polite"></ul>
    <form id="add" class="stack" aria-label="Add a card">
      <label>Title<input id="title" required></label>
      <label>Tag<input id="tag" placeholder="e.g. favourite"></label>
      <button>Add card</button>
    </form>`,
  script: (raw) => `const SUBJECT = ${JSON.stringify(raw.subject ?? 'item')};
const KEY = 'app-cards';
const HUES = [12, 48, 96, 160, 200, 250, 300];
const SAMPLES = ['Morning', 'Harbour', 'Forest', 'City lights', 'Desert', 'Snowfall'].map((name, i) => ({
  title: name + ' ' + SUBJECT,
  tag: i % 2 ? 'sample' : 'featured sample',
  hue: HUES[i % HUES.length],
}));
const cards = JSON.parse(localStorage.getItem(KEY) || 'null') || SAMPLES;
const list = document.getElementById('cards');
const filter = document.getElementById('filter');

function render() {
  const q = filter.value.trim().toLowerCase();
  const shown = cards.filter((c) => !q || (c.title + ' ' + c.tag).toLowerCase().includes(q));
  list.replaceChildren(...shown.map((c) => {
    const li = document.createElement('li');
    li.className = 'card';
    const swatch = document.createElement('div');
    swatch.className = 'swatch';
    swatch.style.background = 'linear-gradient(135deg, hsl(' + c.hue + ' 60% 60%), hsl(' + (c.hue + 40) + ' 60% 40%))';
    const title = document.createElement('h3');
    title.textContent = c.title;
    const tag = document.createElement('p');
    tag.className = 'note';
    tag.textContent = c.tag;
    li.append(swatch, title, tag);
    return li;
  }));
}

filter.addEventListener('input', render);
document.getElementById('add').addEventListener('submit', (event) => {
  event.preventDefault();
  const title = document.getElementById('title');
  const tag = document.getElementById('tag');
  cards.unshift({ title: title.value.trim(), tag: tag.value.trim(), hue: HUES[cards.length % HUES.length] });
  localStorage.setItem(KEY, JSON.stringify(cards));
  title.value = '';
  tag.value = '';
  render();
});

render();
`,
};
