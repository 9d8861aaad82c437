import { spawn } from 'node:child_process';
import path from 'node:path';
import { parse as parseHtml } from 'parse5';
import * as csstree from 'css-tree';

// The verify stage: a real check of every file the build wrote. HTML through a spec parser (parse5),
// CSS through css-tree, scripts through `node --check`, JSON through JSON.parse; and the local files an
// HTML page links to must exist. Each finding is one problem (counted once), its detail lines, if any,
// after the first line of its text.

export type Finding = { level: 'info' | 'error'; text: string };

const SCRIPT_CHECK_TIMEOUT_MS = 10_000;
const MAX_STDERR_CHARS = 64 * 1024;

export async function verifyFile(root: string, rel: string, content: string, written: Set<string>, signal: AbortSignal): Promise<Finding[]> {
  const ext = path.extname(rel).toLowerCase();
  switch (ext) {
    case '.html':
    case '.htm':
      return checkHtml(rel, content, written);
    case '.css':
      return checkCss(rel, content);
    case '.js':
    case '.mjs':
    case '.cjs':
      return checkScript(root, rel, signal);
    case '.json':
      return checkJson(rel, content);
    default:
      return [{ level: 'info', text: `${rel}: not a kind of file Portico checks; left as written.` }];
  }
}

function checkHtml(rel: string, content: string, written: Set<string>): Finding[] {
  const findings: Finding[] = [];
  const doc = parseHtml(content, {
    sourceCodeLocationInfo: false,
    onParseError: (e) => findings.push({ level: 'error', text: `${rel}:${e.startLine}:${e.startCol}: HTML ${e.code}` }),
  });
  for (const ref of localReferences(doc)) {
    const target = path.posix.normalize(path.posix.join(path.posix.dirname(rel), ref));
    if (!written.has(target)) findings.push({ level: 'error', text: `${rel}: links to ${ref}, which the build did not write.` });
  }
  if (!findings.length) findings.push({ level: 'info', text: `${rel}: valid HTML.` });
  return findings;
}

type Node = { nodeName: string; attrs?: { name: string; value: string }[]; childNodes?: Node[]; content?: Node };

function localReferences(node: Node, out: string[] = []): string[] {
  for (const attr of node.attrs ?? []) {
    if ((attr.name === 'src' && node.nodeName === 'script') || (attr.name === 'href' && node.nodeName === 'link')) {
      const v = attr.value.trim();
      if (v && !/^([a-z]+:|\/\/|#|data:)/i.test(v)) out.push(v.split(/[?#]/)[0]);
    }
  }
  for (const child of node.childNodes ?? []) localReferences(child, out);
  return out;
}

function checkCss(rel: string, content: string): Finding[] {
  const findings: Finding[] = [];
  csstree.parse(content, {
    positions: true,
    onParseError: (e: { message: string; line?: number; column?: number }) =>
      findings.push({ level: 'error', text: `${rel}:${e.line ?? 0}:${e.column ?? 0}: CSS ${e.message}` }),
  });
  return findings.length ? findings : [{ level: 'info', text: `${rel}: valid CSS.` }];
}

function checkJson(rel: string, content: string): Finding[] {
  try {
    JSON.parse(content);
    return [{ level: 'info', text: `${rel}: valid JSON.` }];
  } catch (err) {
    return [{ level: 'error', text: `${rel}: JSON ${(err as Error).message}` }];
  }
}

function checkScript(root: string, rel: string, signal: AbortSignal): Promise<Finding[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--check', path.join(root, rel)], { signal, timeout: SCRIPT_CHECK_TIMEOUT_MS, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      if (stderr.length < MAX_STDERR_CHARS) stderr += d;
    });
    child.once('error', (err) => (signal.aborted ? reject(err) : resolve([{ level: 'error', text: `${rel}: could not run node --check (${err.message}).` }])));
    child.once('close', (code) => {
      if (signal.aborted) return reject(signal.reason);
      if (code === 0) return resolve([{ level: 'info', text: `${rel}: node --check passed.` }]);
      resolve([{ level: 'error', text: syntaxProblem(stderr, root, rel) }]);
    });
  });
}

/**
 * node --check stops at the first syntax error and prints it over several lines — "<file>:<line>", the
 * source line, a caret, a blank, "SyntaxError: …" and its stack. That is one problem: its first line says
 * where and what, the source line and caret follow as its detail.
 */
export function syntaxProblem(stderr: string, root: string, rel: string): string {
  const lines = stderr.split('\n').map((l) => l.replace(/\r$/, ''));
  const where = /:(\d+)$/.exec(lines[0] ?? '');
  const message = lines.find((l) => /^[A-Z]\w*Error\b/.test(l));
  if (where && message) {
    const detail = lines.slice(1, lines.indexOf(message)).filter((l) => l.trim() !== '');
    return [`${rel}:${where[1]}: ${message}`, ...detail.slice(0, 2)].join('\n');
  }
  const readable = lines.filter((l) => l.trim() !== '' && !l.startsWith('Node.js v') && !/^\s+at /.test(l)).map((l) => l.split(root + path.sep).join(''));
  return [`${rel}: node --check failed`, ...readable.slice(0, 4)].join('\n');
}
