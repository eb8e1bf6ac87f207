import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../server/db/connect.js';
import { sqliteDb } from '../helpers/db.js';
import { runCommand } from '../helpers/cli.js';

let db: Db;
beforeAll(async () => {
  db = await sqliteDb();
});
afterAll(() => db.close());

const run = (...argv: string[]) => runCommand(argv, { db });

describe('options a command cannot do without', () => {
  it.each([
    [['score'], '请用 --campaign 指定评议活动代码'],
    [['publish', '--campaign', '  '], '请用 --campaign 指定评议活动代码'],
    [['notices', 'export', '--campaign', 'x'], '请用 --out 指定导出目录'],
    [['negatives', 'dismiss', '--campaign', 'x', '--id', 'r1'], '请用 --reason 指定不予采纳理由'],
  ])('refuses `minping %j` naming the missing option, before opening anything', async (argv, message) => {
    expect(await run(...argv)).toMatchObject({ code: 2, err: message });
  });
});
