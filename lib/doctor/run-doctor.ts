import { checkAuth, checkDns, checkHandshake, checkHttp, checkRoundTrip, checkStability, checkTcp, targetFrom, type CheckResult } from './checks';

// `npm run doctor`: walk the layers in order and stop at the first broken one. With --direct, walk the
// backend too, so the verdict can say which side is broken.

export type DoctorOptions = { url: string; token?: string; direct?: string; seconds: number };
export type DoctorReport = { target: string; ok: boolean; checks: CheckResult[]; verdict: string; direct?: { target: string; ok: boolean; checks: CheckResult[] } };

async function walk(url: string, token: string | undefined, seconds: number): Promise<CheckResult[]> {
  const t = targetFrom(url, token);
  const results: CheckResult[] = [];
  const step = (r: CheckResult) => (results.push(r), r.ok);
  if (!step(await checkDns(t))) return results;
  if (!step(await checkTcp(t))) return results;
  if (!step(await checkHttp(t))) return results;
  if (!step(await checkHandshake(t))) return results;
  const opened = await checkAuth(t);
  if ('ok' in opened) return (results.push(opened), results);
  results.push(opened.result);
  try {
    if (!step(await checkRoundTrip(opened.ws))) return results;
    step(await checkStability(opened.ws, seconds));
  } finally {
    opened.ws.terminate();
  }
  return results;
}

export async function runDoctor(opts: DoctorOptions): Promise<DoctorReport> {
  const checks = await walk(opts.url, opts.token, opts.seconds);
  const ok = checks.length === 7 && checks.every((c) => c.ok);
  const report: DoctorReport = { target: opts.url, ok, checks, verdict: '' };
  if (opts.direct) {
    const direct = await walk(opts.direct, opts.token, opts.seconds);
    report.direct = { target: opts.direct, ok: direct.length === 7 && direct.every((c) => c.ok), checks: direct };
  }
  const broken = checks.find((c) => !c.ok);
  if (ok) report.verdict = 'Every layer works.';
  else if (report.direct?.ok) report.verdict = `Backend fine, proxy broken: through ${opts.url} the ${broken!.name} check fails, directly it passes.`;
  else if (report.direct) report.verdict = `The backend itself fails (${report.direct.checks.find((c) => !c.ok)?.name ?? 'incomplete'}): fix it first.`;
  else report.verdict = `Broken at ${broken!.name}: ${broken!.detail}`;
  return report;
}

export function formatReport(r: DoctorReport): string {
  const lines: string[] = [];
  const section = (title: string, checks: CheckResult[]) => {
    lines.push(title);
    for (const c of checks) {
      lines.push(`  ${c.ok ? 'ok  ' : 'FAIL'} ${c.name.padEnd(10)} ${c.detail}${c.ms !== undefined ? ` [${c.ms} ms]` : ''}`);
      if (!c.ok && c.fix) lines.push(`       fix: ${c.fix}`);
    }
  };
  section(`Portico doctor: ${r.target}`, r.checks);
  if (r.direct) section(`Direct: ${r.direct.target}`, r.direct.checks);
  lines.push('', r.verdict);
  return lines.join('\n');
}
