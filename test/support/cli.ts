import { collectStderr, exited, spawnTypeScript } from './processes.js';

export interface CliResult {
  readonly code: number | string;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs `onsky ARGS…` in a child process, as a user would, and collects its output. The process is
 * killed after `limitMs`, so a command that never ends fails its test instead of hanging it.
 */
export async function runCli(args: readonly string[], env: NodeJS.ProcessEnv = {}, limitMs = 120_000): Promise<CliResult> {
  const child = spawnTypeScript('cli/onsky.ts', args, env);
  child.stdin.end();
  const stderr = collectStderr(child);
  let stdout = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    stdout += chunk;
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), limitMs);
  const code = await exited(child);
  clearTimeout(timer);
  return { code, stdout, stderr: stderr() };
}
