import type { GeneratedFile } from './provider';

// How a model hands back files: plain delimiter lines, because small local models follow them more
// reliably than JSON. Fenced ```html / ```css / ```js blocks are accepted too, named by language.

export const FILE_FORMAT_INSTRUCTIONS = [
  'Reply with the files of the app and nothing else. Write each file as:',
  '--- file: <relative path>',
  '<the whole content of the file>',
  '--- end',
  'Make a small static web app: index.html, styles.css and app.js, linked from index.html.',
].join('\n');

const FENCE_NAMES: Record<string, string> = { html: 'index.html', css: 'styles.css', js: 'app.js', javascript: 'app.js' };

export function parseFileBlocks(text: string): GeneratedFile[] {
  const files: GeneratedFile[] = [];
  const block = /^--- file:\s*(.+?)\s*\n([\s\S]*?)^--- end\s*$/gm;
  for (const m of text.matchAll(block)) files.push({ path: m[1].trim(), content: stripFence(m[2]) });
  if (files.length) return files;
  const fence = /^```(\w+)\s*\n([\s\S]*?)^```\s*$/gm;
  for (const m of text.matchAll(fence)) {
    const name = FENCE_NAMES[m[1].toLowerCase()];
    if (name && !files.some((f) => f.path === name)) files.push({ path: name, content: m[2] });
  }
  return files;
}

function stripFence(content: string): string {
  const m = /^```\w*\s*\n([\s\S]*?)\n```\s*\n?$/.exec(content.trim() + '\n');
  return m ? m[1] + '\n' : content;
}
