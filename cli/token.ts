/**
 * `onsky token create|list|revoke`: manages the API's bearer tokens in the data folder's
 * tokens.sqlite. A token's secret is printed once, at creation; the file keeps only its SHA-256.
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DATA_FILES } from '../api/app.js';
import { isRole, ROLES } from '../api/auth/roles.js';
import { openTokenStore, type TokenInfo } from '../api/auth/tokens.js';
import { argumentProblem, dataFolder, prepareDataFolder, UsageError } from './options.js';

const HELP = `usage: onsky token create --role ROLE [--label TEXT] [--expires-days N] [--data DIR]
       onsky token list [--json] [--data DIR]
       onsky token revoke TOKEN_ID [--data DIR]

  --role ROLE        ${ROLES.join(', ')}
  --label TEXT       who or what uses the token; recorded as the actor of what it does (default the role)
  --expires-days N   days until the token stops working (default: never)
  --data DIR         data folder holding tokens.sqlite (default ./data, or ONSKY_DATA)
  --json             list as JSON
`;

export async function runToken(argv: string[]): Promise<void> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: {
        role: { type: 'string' },
        label: { type: 'string' },
        'expires-days': { type: 'string' },
        data: { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    throw new UsageError(`${argumentProblem(error)}; run onsky token --help for the options`);
  }
  const { values, positionals } = parsed;
  const [action, ...rest] = positionals;
  if (values.help === true || action === undefined) {
    process.stdout.write(HELP);
    if (action === undefined && values.help !== true) throw new UsageError('name an action: create, list or revoke');
    return;
  }

  const folder = prepareDataFolder(dataFolder(values.data));
  const tokens = openTokenStore(join(folder, DATA_FILES.tokens));
  try {
    switch (action) {
      case 'create':
        return create(tokens, values, rest);
      case 'list':
        return list(tokens.list(), values.json === true, rest);
      case 'revoke':
        return revoke(tokens, rest);
      default:
        throw new UsageError(`unknown action "${action}"; use create, list or revoke`);
    }
  } finally {
    tokens.close();
  }
}

function create(tokens: ReturnType<typeof openTokenStore>, values: { role?: string; label?: string; 'expires-days'?: string }, rest: string[]): void {
  if (rest.length > 0) throw new UsageError(`unexpected argument "${rest[0]}"; pass the role with --role`);
  const role = values.role;
  if (role === undefined || !isRole(role)) {
    throw new UsageError(`--role ${role ?? '(missing)'} is not a role; use one of ${ROLES.join(', ')}`);
  }
  const label = (values.label ?? role).trim();
  if (label === '' || label.length > 100) throw new UsageError('--label must be 1 to 100 characters');

  let expiresAt: string | null = null;
  const days = values['expires-days'];
  if (days !== undefined) {
    const count = Number(days);
    if (!Number.isFinite(count) || count <= 0) throw new UsageError(`--expires-days ${days} is invalid; give a number of days above 0, e.g. 90`);
    expiresAt = new Date(Date.now() + count * 86_400_000).toISOString();
  }

  const created = tokens.create(role, label, { expiresAt });
  process.stdout.write(`${created.secret}\n`);
  process.stderr.write(
    `created token ${created.info.id} (role ${role}, label "${label}"${expiresAt === null ? '' : `, expires ${expiresAt}`}); ` +
      'the secret above is shown only now: send it as "Authorization: Bearer <secret>"\n',
  );
}

function list(all: readonly TokenInfo[], json: boolean, rest: string[]): void {
  if (rest.length > 0) throw new UsageError(`unexpected argument "${rest[0]}"`);
  if (json) {
    process.stdout.write(`${JSON.stringify(all, null, 2)}\n`);
    return;
  }
  if (all.length === 0) {
    process.stdout.write('no tokens; the server runs in local single-user mode on a loopback address\n');
    return;
  }
  const now = Date.now();
  const rows = all.map((token) => [token.id, token.role, stateOf(token, now), token.createdAt, token.expiresAt ?? '-', token.label]);
  const header = ['ID', 'ROLE', 'STATE', 'CREATED', 'EXPIRES', 'LABEL'];
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  for (const row of [header, ...rows]) {
    process.stdout.write(`${row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column]!))).join('  ')}\n`);
  }
}

function stateOf(token: TokenInfo, now: number): string {
  if (token.revokedAt !== null) return 'revoked';
  if (token.expiresAt !== null && Date.parse(token.expiresAt) <= now) return 'expired';
  return 'valid';
}

function revoke(tokens: ReturnType<typeof openTokenStore>, rest: string[]): void {
  const [id, ...extra] = rest;
  if (id === undefined || extra.length > 0) throw new UsageError('give exactly one token id to revoke; onsky token list shows them');
  const revoked = tokens.revoke(id);
  if (revoked === undefined) throw new UsageError(`token ${id} not found; onsky token list shows the ids`);
  process.stdout.write(`revoked token ${revoked.id} (role ${revoked.role}, label "${revoked.label}") at ${revoked.revokedAt}\n`);
}
