import { collectStderr, exited, spawnTypeScript } from './processes.js';

export interface CliResult {
  readonly code: number | string;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `onsky ARGS…` in a child process, as a user would, and collects its output. */
export async function runCli(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  const child = spawnTypeScript('cli/onsky.ts', args, env);
  child.stdin.end();
  const stderr = collectStderr(child);
  let stdout = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    stdout += chunk;
  });
  const code = await exited(child);
  return { code, stdout, stderr: stderr() };
}
