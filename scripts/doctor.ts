import { parseArgs } from 'node:util';
import { formatReport, runDoctor } from '../lib/doctor/run-doctor';
import { loadToolConfig } from '../lib/config/config';

// npm run doctor -- <url> [--token T] [--direct <backend-url>] [--seconds N] [--json]

const USAGE = 'usage: npm run doctor -- <url> [--token T] [--direct <backend-url>] [--seconds N] [--json]';

async function main() {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { token: { type: 'string' }, direct: { type: 'string' }, seconds: { type: 'string', default: '10' }, json: { type: 'boolean', default: false }, help: { type: 'boolean', default: false } },
  });
  if (values.help || positionals.length !== 1) {
    process.stderr.write(`${USAGE}\n`);
    process.exit(values.help ? 0 : 2);
  }
  const seconds = Number(values.seconds);
  if (!Number.isFinite(seconds) || seconds < 0) {
    process.stderr.write(`--seconds must be a number of seconds.\n${USAGE}\n`);
    process.exit(2);
  }
  const report = await runDoctor({ url: positionals[0], token: values.token ?? loadToolConfig(process.env).porticoToken, direct: values.direct, seconds });
  process.stdout.write(values.json ? `${JSON.stringify(report, null, 2)}\n` : `${formatReport(report)}\n`);
  process.exit(report.ok ? 0 : 1);
}

main().catch((err) => {
  process.stderr.write(`doctor: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(2);
});
