/**
 * The `onsky` command: one subcommand per job, each in its own module, loaded on demand so
 * that `onsky export` does not pay for the GraphQL server's start-up.
 */
import { describeFailure, ReportedFailure } from './failure.js';

const HELP = `usage: onsky <command> [options]

commands:
  serve                 serve the web UI and the GraphQL API (default http://127.0.0.1:4000/)
  import <format> <files…>
                        import files: obslog, sdpmc, archive, katdal, s3, jira, git, catalogue,
                        syslog, plan, journal (or auto to detect the format)
  report <kind>         print a report: wsjf, backpressure, unverified, coverage
  export [--out FILE]   write the whole log as NDJSON (standard output by default)
  restore <FILE>        load an export into an empty store
  rebuild               rebuild the read models' snapshot from the log
  token <create|list|revoke>
                        manage API tokens

options every command takes:
  --data DIR            data folder (default ./data, or ONSKY_DATA)
  --store URL           esdb://host:2113?tls=false to use EventStoreDB instead (or ONSKY_STORE)

Run "onsky <command> --help" for the options of one command.
`;

type Runner = (argv: string[]) => Promise<void>;

const COMMANDS: Record<string, () => Promise<Runner>> = {
  serve: async () => (await import('./serve.js')).runServe,
  token: async () => (await import('./token.js')).runToken,
  import: async () => (await import('./import.js')).runImport,
  report: async () => (await import('./report.js')).runReport,
  export: async () => (await import('./log.js')).runExport,
  restore: async () => (await import('./log.js')).runRestore,
  rebuild: async () => (await import('./rebuild.js')).runRebuild,
};

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(HELP);
    return name === undefined ? 2 : 0;
  }
  const load = COMMANDS[name];
  if (load === undefined) {
    process.stderr.write(`onsky: unknown command "${name}"; run "onsky --help" for the list\n`);
    return 2;
  }
  try {
    await (await load())(rest);
    return 0;
  } catch (error) {
    return reportFailure(name, error);
  }
}

/** Prints a user's mistake as one line; anything else is a bug, printed with its stack. */
function reportFailure(command: string, error: unknown): number {
  if (error instanceof ReportedFailure) {
    if (error.failure.detail !== undefined) process.stderr.write(`onsky ${command} failed unexpectedly; please report this with the lines below\n${error.failure.detail}\n`);
    return error.failure.exitCode;
  }
  const failure = describeFailure(error);
  if (failure.exitCode === 2) {
    process.stderr.write(`onsky ${command}: ${failure.message}\n`);
    return 2;
  }
  process.stderr.write(`onsky ${command} failed unexpectedly; please report this with the lines below\n${failure.detail ?? failure.message}\n`);
  return 1;
}

// A reader that stops early (`onsky import … | head -1`) closes the pipe. The command then ends
// quietly, as other Unix tools do, instead of with a stack trace.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});

process.exitCode = await main(process.argv.slice(2));
