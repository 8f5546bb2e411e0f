/** Option values the argument parser rejects get one line with the fix, not Node's three. */
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';

describe('option values', () => {
  it('names a dash value fix', async () => {
    const result = await runCli(['serve', '--port', '-1', '--data', '/nonexistent/onsky']);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      'onsky serve: option --port is missing its value, or its value starts with a dash; give a value starting with a dash as --port=VALUE; run onsky serve --help for the options\n',
    );
  });

  it('names a missing value', async () => {
    const result = await runCli(['report', 'wsjf', '--as-of']);
    expect(result.code).toBe(2);
    expect(result.stderr.split('\n')[0]).toMatch(/^onsky report: option --as-of is missing its value; usage: onsky report /);
  });
});
