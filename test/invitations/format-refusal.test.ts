/** A file format the invitations API doesn't give is refused naming the files by the office's names. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ErrorBody } from '../../server/contracts.js';
import type { Db } from '../../server/db/connect.js';
import { loginAs, type LoggedIn } from '../helpers/auth.js';
import { sqliteDb } from '../helpers/db.js';
import { insertEvaluators } from '../helpers/fixtures.js';
import { type SurveySetup, surveySetup } from '../evaluator/helpers.js';

let db: Db;
let s: SurveySetup;
let admin: LoggedIn;
beforeAll(async () => {
  db = await sqliteDb();
  s = await surveySetup(db);
  await insertEvaluators(db, s.campaign, 1);
  admin = await loginAs(s.app, s.services, 'admin');
});
afterAll(() => db.close());

const refusal = async (res: Response) => ({ status: res.status, error: ((await res.json()) as ErrorBody).error });

describe('the invitations API’s file format', () => {
  it('refuses an unknown format for the links in Chinese, naming 信函, Excel 名单 and CSV 名单', async () => {
    const base = `/api/campaigns/${s.campaign.slug}/invitations`;
    for (const path of [`${base}?format=pdf`, `${base}/download?format=pdf`]) {
      const { status, error } = await refusal(await s.app.request(path, { method: 'POST', headers: admin.headers() }));
      expect(status, path).toBe(422);
      expect(error.message, path).toBe(
        '文件格式不对：应为全部格式 .zip（bundle）、Excel 名单（xlsx）、CSV 名单（csv）或信函（letters）',
      );
    }
    const body = await s.app.request(base, {
      method: 'POST',
      headers: admin.headers({ 'content-type': 'application/json' }),
      body: JSON.stringify({ format: 'docx' }),
    });
    expect((await refusal(body)).error.details).toEqual([
      {
        field: '文件格式',
        path: 'format',
        message: '应为全部格式 .zip（bundle）、Excel 名单（xlsx）、CSV 名单（csv）或信函（letters）',
      },
    ]);
  });

  it('refuses an unknown format for the chasing list the same way', async () => {
    const res = await s.app.request(`/api/campaigns/${s.campaign.slug}/chase?format=pdf`, { headers: admin.headers() });
    const { status, error } = await refusal(res);
    expect(status).toBe(422);
    expect(error.message).toBe('文件格式不对：应为JSON 数据（json）、Excel 名单（xlsx）或CSV 名单（csv）');
    expect(error.message).not.toMatch(/Invalid|expected/);
  });
});
