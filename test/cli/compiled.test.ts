import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDist } from '../../server/build.js';
import { runCommand } from '../helpers/cli.js';

const run = promisify(execFile);
// inside the project, so the compiled modules find node_modules as dist/ does
const outdir = resolve('.tmp', `dist-test-${process.pid}`);
const dbDir = mkdtempSync(join(tmpdir(), 'minping-dist-'));

/** `minping …argv` from the compiled dist: exit code and what it printed. */
async function compiled(argv: string[]) {
  try {
    const { stdout, stderr } = await run(process.execPath, [join(outdir, 'server/cli/main.js'), ...argv], {
      env: { ...process.env, DATABASE_URL: join(dbDir, 'cli.db') },
    });
    return { code: 0, out: stdout.trimEnd(), err: stderr.trimEnd() };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, out: e.stdout.trimEnd(), err: e.stderr.trimEnd() };
  }
}

beforeAll(() => buildDist(outdir), 120_000);
afterAll(() => {
  rmSync(outdir, { recursive: true, force: true });
  rmSync(dbDir, { recursive: true, force: true });
});

describe('the compiled CLI (dist/)', () => {
  it.each([
    [['--help']],
    [['score', '--help']],
    [['import', 'evaluators', '--help']],
    [['no', 'such', 'command']],
    [['simulate', '--evaluators', 'x', '--bogus']],
  ])('prints what the TypeScript CLI prints for %j', async (argv) => {
    const expected = await runCommand(argv, {});
    expect(await compiled(argv)).toEqual(expected);
  });

  it('runs a command that opens the database, loading its module when run', async () => {
    const created = await compiled(['campaign', 'create', '--config', 'surveys/campaign.example.yaml']);
    expect(created.code).toBe(0);
    expect(created.out).toContain('已创建评议活动 demo-2026');
    const again = await compiled(['campaign', 'create', '--config', 'surveys/campaign.example.yaml']);
    expect(again.code).toBe(2);
    expect(again.err).toContain('错误：评议活动 demo-2026 已存在');
  });
});
