import { parseArgs } from 'node:util';
import { formatReport, runDoctor } from '../lib/doctor/run-doctor';
import { formatRouteReport, runRouteDoctor } from '../lib/doctor/route-doctor';
import { loadConfig, loadToolConfig } from '../lib/config/config';
import { resolveJwtSecret } from '../lib/auth/jwt-secret';
import { deriveRouteKey } from '../lib/declared-routes/route-tokens';

// npm run doctor -- <url> [--token T] [--direct <backend-url>] [--seconds N] [--json]
// npm run doctor -- --route /prefix/ [url] [--token T] [--ws-path /prefix/…] [--json]   (a declared route)
// npm run doctor -- --route-key <route name>   (the key a route's upstream verifies `identity: bearer` tokens with)

const USAGE = 'usage: npm run doctor -- <url> [--token T] [--direct <backend-url>] [--seconds N] [--json]\n       npm run doctor -- --route /prefix/ [url, default http://127.0.0.1:3000] [--token T] [--ws-path P] [--json]';

async function main() {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { 'route-key': { type: 'string' }, route: { type: 'string' }, 'ws-path': { type: 'string' }, token: { type: 'string' }, direct: { type: 'string' }, seconds: { type: 'string', default: '10' }, json: { type: 'boolean', default: false }, help: { type: 'boolean', default: false } },
  });
  if (values['route-key'] !== undefined) {
    // Read from the same environment (JWT_SECRET, or DATA_DIR's generated secret) the server reads.
    const config = loadConfig(process.env);
    const key = deriveRouteKey(resolveJwtSecret(config.jwtSecret, config.dataDir), values['route-key']);
    process.stdout.write(`${Buffer.from(key).toString('base64url')}\n`);
    process.exit(0);
  }
  if (values.route !== undefined && !values.help && positionals.length <= 1) {
    const report = await runRouteDoctor({ url: positionals[0] ?? 'http://127.0.0.1:3000', route: values.route, token: values.token ?? loadToolConfig(process.env).porticoToken, wsPath: values['ws-path'] });
    process.stdout.write(values.json ? `${JSON.stringify(report, null, 2)}\n` : `${formatRouteReport(report)}\n`);
    process.exit(report.ok ? 0 : 1);
  }
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
