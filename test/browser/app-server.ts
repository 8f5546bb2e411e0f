/**
 * Starts `onsky serve` as a user would, in a child process on 127.0.0.1 with a port the system
 * picks and a temporary data folder, and stops it (and removes the folder) afterwards.
 */
import { collectStderr, exited, onLines, spawnTypeScript } from '../support/processes.js';
import { tempFolder } from '../support/temp.js';

export interface RunningApp {
  /** `http://127.0.0.1:PORT`, without a trailing slash. */
  readonly baseUrl: string;
  readonly dataFolder: string;
  stop(): Promise<void>;
}

/** Starts the server and resolves once it prints the address it listens on. */
export async function startApp(): Promise<RunningApp> {
  const data = tempFolder('onsky-ui-test-');
  const child = spawnTypeScript('cli/onsky.ts', ['serve', '--data', data.path, '--host', '127.0.0.1', '--port', '0', '--no-examples']);
  child.stdin.end();
  const stderr = collectStderr(child);

  const baseUrl = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`onsky serve printed no address within 60 s; its output:\n${stderr()}`)), 60_000);
    const look = (line: string): void => {
      const match = /http:\/\/127\.0\.0\.1:(\d+)/.exec(line);
      if (match !== null && match[1] !== '0') {
        clearTimeout(timer);
        resolve(`http://127.0.0.1:${match[1]}`);
      }
    };
    onLines(child, look);
    child.stderr.on('data', (chunk: Buffer | string) => String(chunk).split('\n').forEach(look));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`onsky serve exited with ${code} before listening; its output:\n${stderr()}`));
    });
  });

  return {
    baseUrl,
    dataFolder: data.path,
    stop: async () => {
      child.kill('SIGTERM');
      await exited(child);
      data.remove();
    },
  };
}
