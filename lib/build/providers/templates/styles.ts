// The stylesheet every offline template shares: light and dark, readable from phone to desktop.

export const STYLES = `:root {
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
  width: min(48rem, 100% - 2rem);
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
  flex-wrap: wrap;
  gap: 0.5rem;
  margin-bottom: 1rem;
}

.row label {
  flex: 1 1 7rem;
  display: grid;
  gap: 0.25rem;
}

input,
select,
textarea {
  min-width: 0;
  max-width: 100%;
  box-sizing: border-box;
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
.note {
  color: var(--muted);
  font-size: 0.9rem;
}

.cards {
  display: grid;
  grid-template-columns: repeat(auto-fill, minmax(11rem, 1fr));
  gap: 0.75rem;
  margin: 1rem 0;
  padding: 0;
}

.card {
  border: 1px solid color-mix(in srgb, var(--muted) 40%, transparent);
  border-radius: 0.6rem;
  padding: 0.75rem 1rem;
  display: block;
}

.card h2 {
  font-size: 0.9rem;
  margin: 0 0 0.25rem;
  color: var(--muted);
}

.card h3 {
  font-size: 1rem;
  margin: 0 0 0.25rem;
}

.card .big {
  font-size: 1.8rem;
  margin: 0;
}

.swatch {
  height: 6rem;
  border-radius: 0.4rem;
  margin-bottom: 0.5rem;
}

figure {
  margin: 1rem 0;
}

svg {
  width: 100%;
  height: auto;
  overflow: visible;
}

table {
  border-collapse: collapse;
  width: 100%;
  font-variant-numeric: tabular-nums;
}

th,
td {
  text-align: left;
  padding: 0.3rem 0.5rem;
  border-bottom: 1px solid color-mix(in srgb, var(--muted) 30%, transparent);
}

fieldset {
  border: 1px solid color-mix(in srgb, var(--muted) 40%, transparent);
  border-radius: 0.6rem;
  margin: 0 0 1rem;
}

.stack {
  display: grid;
  gap: 0.75rem;
  margin-bottom: 1rem;
}

.stack label {
  display: grid;
  gap: 0.25rem;
}

.keys {
  display: grid;
  grid-template-columns: repeat(4, 1fr);
  gap: 0.4rem;
  max-width: 20rem;
}

select {
  font: inherit;
  padding: 0.5rem;
  border-radius: 0.4rem;
}
`;
