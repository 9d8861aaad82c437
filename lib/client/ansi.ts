// ANSI colour in log lines, as a terminal shows it: SGR foreground colours (30–37, 90–97, 39 default),
// bold (1, 22) and reset (0). Everything else that starts with ESC — other SGR attributes, cursor moves,
// titles (OSC) — is stripped, so a line shows its text and nothing a terminal would have hidden. The
// output is plain text plus style runs: the page renders them as spans, never as HTML.

export type AnsiStyle = { fg: number | null; bold: boolean };
/** From `from` (an offset into the plain text) to the next run, the text has `style`. */
export type StyleRun = { from: number; style: AnsiStyle };
export type AnsiText = { text: string; runs: StyleRun[] };

export const PLAIN: AnsiStyle = Object.freeze({ fg: null, bold: false });

const ESC = '\x1b';
// CSI: ESC [ parameters intermediates final; OSC: ESC ] … BEL or ESC \; nF (ESC ( B …): intermediates
// then a final; any other ESC takes one char.
const ESCAPE = /\x1b(?:\[([0-?]*)[ -/]*([@-~])|\][^\x07\x1b]*(?:\x07|\x1b\\)?|[ -/]+[0-~]|[@-Z\\-_]|$)/g;

/** Plain text and its colour runs; `runs` is empty when the line has no style at all. */
export function parseAnsi(input: string): AnsiText {
  if (!input.includes(ESC)) return { text: input, runs: [] };
  let text = '';
  let style: AnsiStyle = PLAIN;
  const runs: StyleRun[] = [];
  let last = 0;
  const push = (next: AnsiStyle) => {
    if (next.fg === style.fg && next.bold === style.bold) return;
    style = next;
    const prev = runs.at(-1);
    if (prev && prev.from === text.length) prev.style = next;
    else runs.push({ from: text.length, style: next });
  };
  for (const m of input.matchAll(ESCAPE)) {
    text += input.slice(last, m.index);
    last = m.index + m[0].length;
    if (m[2] === 'm') push(applySgr(style, m[1] ?? ''));
  }
  text += input.slice(last);
  // A stray ESC the pattern could not pair (ESC followed by a byte outside every form) goes too.
  text = text.replaceAll(ESC, '');
  const meaningful = runs.filter((r, i) => r.from < text.length && !(i === 0 && r.from === 0 && isPlain(r.style)));
  return { text, runs: meaningful.length && meaningful.some((r) => !isPlain(r.style)) ? meaningful : [] };
}

const isPlain = (s: AnsiStyle) => s.fg === null && !s.bold;

function applySgr(style: AnsiStyle, params: string): AnsiStyle {
  // `ESC[m` is a reset; `;`-separated codes apply left to right.
  const codes = params === '' ? [0] : params.split(/[;:]/).map((p) => (p === '' ? 0 : Number(p)));
  let { fg, bold } = style;
  for (let i = 0; i < codes.length; i++) {
    const c = codes[i];
    if (c === 0) ({ fg, bold } = PLAIN);
    else if (c === 1) bold = true;
    else if (c === 22) bold = false;
    else if ((c >= 30 && c <= 37) || (c >= 90 && c <= 97)) fg = c;
    else if (c === 39) fg = null;
    // 256-colour and RGB forms carry arguments of their own: skip them, keep the current colour.
    else if (c === 38 || c === 48) i += codes[i + 1] === 5 ? 2 : codes[i + 1] === 2 ? 4 : 1;
  }
  return { fg, bold };
}

/** The pieces of `text[from, to)` with their style, for rendering a slice of a line. */
export function styledSegments(line: AnsiText): { text: string; style: AnsiStyle; from: number }[] {
  if (!line.runs.length) return [{ text: line.text, style: PLAIN, from: 0 }];
  const out: { text: string; style: AnsiStyle; from: number }[] = [];
  if (line.runs[0].from > 0) out.push({ text: line.text.slice(0, line.runs[0].from), style: PLAIN, from: 0 });
  line.runs.forEach((r, i) => {
    const to = line.runs[i + 1]?.from ?? line.text.length;
    if (to > r.from) out.push({ text: line.text.slice(r.from, to), style: r.style, from: r.from });
  });
  return out;
}

// Readable on the log's background in both schemes; 9x are the bright variants.
const COLOURS: Record<number, string> = {
  30: 'text-zinc-700 dark:text-zinc-400',
  31: 'text-red-700 dark:text-red-400',
  32: 'text-green-700 dark:text-green-400',
  33: 'text-amber-700 dark:text-amber-300',
  34: 'text-blue-700 dark:text-blue-400',
  35: 'text-fuchsia-700 dark:text-fuchsia-400',
  36: 'text-cyan-700 dark:text-cyan-400',
  37: 'text-zinc-500 dark:text-zinc-200',
  90: 'text-zinc-500 dark:text-zinc-500',
  91: 'text-red-600 dark:text-red-300',
  92: 'text-green-600 dark:text-green-300',
  93: 'text-amber-600 dark:text-amber-200',
  94: 'text-blue-600 dark:text-blue-300',
  95: 'text-fuchsia-600 dark:text-fuchsia-300',
  96: 'text-cyan-600 dark:text-cyan-300',
  97: 'text-zinc-900 dark:text-white',
};

export function styleClass(style: AnsiStyle): string {
  return [style.fg !== null ? COLOURS[style.fg] : '', style.bold ? 'font-bold' : ''].filter(Boolean).join(' ');
}
