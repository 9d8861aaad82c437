// One offline template: a small, complete app (index.html body + app.js) chosen by the words of a prompt.

/** Words taken from the prompt for the page; HTML-escaped, ready to put into markup. */
export type PageWords = {
  title: string;
  /** What the prompt is about, without the words that chose the template ("weather"), or null. */
  subject: string | null;
};

export type Template = {
  /** What it builds, as the log and the done summary say it: "a dashboard with a chart". */
  kind: string;
  /** Words that point to this template and how strongly; a prompt's score is the sum of the ones it has. */
  words: Record<string, number>;
  body(w: PageWords): string;
  /** app.js; a function when the script carries the prompt's words (as JSON, never spliced as code). */
  script: string | ((raw: { prompt: string; title: string; subject: string | null }) => string);
};

export const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** "weather" → "Weather". */
export const capitalise = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
