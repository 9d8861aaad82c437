import type { GeneratedFile } from './provider';
import { BASIC_TEMPLATES, NOTES } from './templates/basic';
import { CALCULATOR, CONVERTER } from './templates/calculator';
import { DASHBOARD } from './templates/dashboard';
import { FORM } from './templates/form';
import { GALLERY } from './templates/gallery';
import { STYLES } from './templates/styles';
import { escapeHtml, type Template } from './templates/template';

// The offline provider's built-in apps: small, complete and working, chosen by scoring the prompt's
// words against each template's, so the Build journey works with no model at all. Each is index.html +
// styles.css + app.js, with the prompt's words in its title, heading and labels. When no template's
// words are in the prompt, the notes page is built and the build says plainly that it is a stand-in.

export const TEMPLATES: readonly Template[] = [...BASIC_TEMPLATES, NOTES, DASHBOARD, FORM, GALLERY, CALCULATOR, CONVERTER];

/** One sentence of what the templates can build, for the provider info the prompt form shows. */
export const OFFLINE_CAPABILITIES = `a ${TEMPLATES.slice(0, -1).map((t) => t.kind).join(', a ')} or a ${TEMPLATES.at(-1)!.kind}, with your words in its title and labels.`;

// Words that say nothing about which app to build.
const FILLER = new Set(
  ('a an the and or but with without for of to in on at by from about into my our your me we i it its this that these those ' +
    'make build create write give want need please can could would should show shows let lets like some simple small tiny little ' +
    'nice basic quick app apps application page site website web one two three which where who has have is are be using use')
    .split(' '),
);

const wordsOf = (prompt: string) => prompt.toLowerCase().match(/[a-z][a-z'-]*/g) ?? [];

export type Pick = { template: Template; score: number };

/** The template whose words the prompt has most of; the notes page, with score 0, when none. */
export function pickTemplate(prompt: string): Pick {
  const words = wordsOf(prompt);
  let best: Pick = { template: NOTES, score: 0 };
  for (const t of TEMPLATES) {
    const score = words.reduce((n, w) => n + (t.words[w] ?? 0), 0);
    if (score > best.score) best = { template: t, score };
  }
  return best;
}

/** What the prompt is about once filler and the chosen template's own words are gone: "weather". */
export function subjectOf(prompt: string, t: Template): string | null {
  const rest = wordsOf(prompt).filter((w) => !FILLER.has(w) && !(w in t.words) && w.length > 1);
  if (!rest.length) return null;
  const subject = rest.slice(0, 2).join(' ');
  return subject.length > 40 ? subject.slice(0, 40) : subject;
}

/** A title for the app from the prompt: its first sentence, trimmed to a heading's length. */
export function titleFrom(prompt: string): string {
  // A sentence ends at . ! ? followed by a space or the end, not inside an address or a version number.
  const first = prompt.trim().split(/[.!?](?=\s|$)|\n/)[0].trim() || 'My app';
  const short = first.length > 60 ? `${first.slice(0, 57).trimEnd()}…` : first;
  return short.charAt(0).toUpperCase() + short.slice(1);
}

/** The sentence a build gives when no template fits what was asked. */
export function noFitSentence(prompt: string): string {
  const asked = titleFrom(prompt);
  return `The offline templates cannot build "${asked.charAt(0).toLowerCase()}${asked.slice(1)}"; this is the closest: a ${NOTES.kind}. Connect a model (LLM_PROVIDER=openai) to build it as asked.`;
}

/** The app's files; `note`, when the template is a stand-in for what was asked, is said on the page too. */
export function renderTemplate(t: Template, prompt: string, note?: string): GeneratedFile[] {
  const rawTitle = titleFrom(prompt);
  const rawSubject = subjectOf(prompt, t);
  const title = escapeHtml(rawTitle);
  const body = t.body({ title, subject: rawSubject === null ? null : escapeHtml(rawSubject) });
  const script = typeof t.script === 'string' ? t.script : t.script({ prompt, title: rawTitle, subject: rawSubject });
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
    ${note ? `<p class="note" role="note">${escapeHtml(note)}</p>\n    ` : ''}${body}
    </main>
    <script src="app.js"></script>
  </body>
</html>
`;
  return [
    { path: 'index.html', content: html },
    { path: 'styles.css', content: STYLES },
    { path: 'app.js', content: script },
  ];
}
