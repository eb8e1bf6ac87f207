import type { ErrorBody } from '../../server/contracts.js';
import { afterAll, describe, expect, it } from 'vitest';
import { loginAs } from '../helpers/auth.js';
import { sqliteDb } from '../helpers/db.js';
import { snapshotCounts, surveySetup } from './helpers.js';

const db = await sqliteDb();
const s = await surveySetup(db);
const admin = await loginAs(s.app, s.services, 'admin');
const analyst = await loginAs(s.app, s.services, 'analyst');
afterAll(() => db.close());

const line = (record: Record<string, unknown>) => JSON.stringify(record);
const goodFile = [
  line({
    category: 'project',
    durationSeconds: 400,
    overall: 'satisfied',
    departments: [{ code: 'D001', efficiency: 'satisfied', quality: '比较满意' }],
  }),
  line({
    category: 'public',
    overall: 'dissatisfied',
    departments: [{ code: 'D002', efficiency: 'dissatisfied', quality: 'unknown', problems: [1] }],
  }),
].join('\n');

function upload(text: string | Uint8Array<ArrayBuffer>, name: string, query = '', headers = admin.headers()) {
  const form = new FormData();
  form.append('file', new File([text], name));
  return s.app.request(`/api/campaigns/${s.campaign.slug}/responses/import${query}`, {
    method: 'POST',
    headers,
    body: form,
  });
}

describe('POST /api/campaigns/:slug/responses/import', () => {
  it('checks a file without storing anything when asked for a dry run', async () => {
    const before = await snapshotCounts(db);
    const res = await upload(goodFile, 'paper.jsonl', '?dryRun=1');
    expect(res.status).toBe(200);
    expect(((await res.json()) as { summary: unknown }).summary).toMatchObject({ rows: 2, inserted: 0, dryRun: true });
    expect(await snapshotCounts(db)).toEqual(before);
  });

  it('stores every record of a valid file, once, and refuses the same file again', async () => {
    const before = await snapshotCounts(db);
    const res = await upload(goodFile, 'paper.jsonl');
    expect(res.status).toBe(201);
    expect(((await res.json()) as { summary: unknown }).summary).toMatchObject({ rows: 2, inserted: 2, dryRun: false });
    expect((await snapshotCounts(db)).responses).toBe(before.responses + 2);

    const again = await upload(goodFile, 'paper-copy.jsonl');
    expect(again.status).toBe(409);
    expect(((await again.json()) as ErrorBody).error.code).toBe('CONFLICT');
    expect((await snapshotCounts(db)).responses).toBe(before.responses + 2);
  });

  it('names the line and field of each bad record and stores none of the file', async () => {
    const before = await snapshotCounts(db);
    const bad = [
      goodFile.split('\n')[0],
      line({
        category: 'project',
        overall: 'satisfied',
        departments: [{ code: 'D999', efficiency: 'satisfied', quality: 'satisfied' }],
      }),
    ].join('\n');
    const res = await upload(bad, 'bad.jsonl');
    expect(res.status).toBe(422);
    const body = (await res.json()) as ErrorBody;
    expect(body.error.code).toBe('VALIDATION_FAILED');
    expect(body.error.details).toContainEqual(expect.objectContaining({ line: 2, path: 'departments.0.code' }));
    expect(await snapshotCounts(db)).toEqual(before);
  });

  it('refuses a negative situation dated in the future, naming its line and 大约时间', async () => {
    const before = await snapshotCounts(db);
    const future = line({
      category: 'project',
      overall: 'satisfied',
      departments: [
        {
          code: 'D001',
          efficiency: 'satisfied',
          quality: 'satisfied',
          negatives: [{ kind: 3, matter: '施工许可', date: '2099-06', description: '超时' }],
        },
      ],
    });
    const res = await upload(`${goodFile}\n${future}`, 'future.jsonl');
    expect(res.status).toBe(422);
    const { error } = (await res.json()) as ErrorBody;
    expect(error.details).toContainEqual(
      expect.objectContaining({
        line: 3,
        path: 'departments.0.negatives.0.date',
        message: expect.stringContaining('不能晚于今天'),
      }),
    );
    expect(await snapshotCounts(db)).toEqual(before);
  });

  it('names the first line that is not UTF-8 and stores nothing', async () => {
    const before = await snapshotCounts(db);
    const bytes = new Uint8Array(
      Buffer.concat([Buffer.from(`${goodFile}\n`), Buffer.from([0x7b, 0xba, 0xc3, 0x7d, 0x0a])]),
    );
    const res = await upload(bytes, 'gbk.jsonl');
    expect(res.status).toBe(422);
    const body = (await res.json()) as ErrorBody;
    expect(body.error.code).toBe('VALIDATION_FAILED');
    expect(body.error.details).toEqual([expect.objectContaining({ line: 3 })]);
    expect(await snapshotCounts(db)).toEqual(before);
  });

  it('rejects a file that is not UTF-8 text', async () => {
    const res = await upload(new Uint8Array([0xff, 0xfe, 0x00, 0xd8, 0x41]), 'binary.jsonl');
    expect(res.status).toBe(422);
  });

  it('is for the office only, and needs the CSRF token', async () => {
    expect((await upload(goodFile, 'x.jsonl', '', analyst.headers())).status).toBe(403);
    expect((await upload(goodFile, 'x.jsonl', '', { cookie: admin.cookie })).status).toBe(403);
  });
});

describe('the front door', () => {
  it('sends a visitor to the login form and a signed-in admin to the office pages', async () => {
    expect((await s.app.request('/')).headers.get('location')).toBe('/login');
    expect((await s.app.request('/', { headers: { cookie: admin.cookie } })).headers.get('location')).toBe('/admin');
    expect((await s.app.request('/', { headers: { cookie: analyst.cookie } })).headers.get('location')).toBe(
      '/dashboard',
    );
  });
});
