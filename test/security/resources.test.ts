/**
 * Resource abuse: oversized bodies on the open evaluator API, zip bombs dressed as .xlsx, drafts
 * past their cap. Each is refused with a 4xx before it costs memory, and nothing is stored.
 */
import type { ErrorBody } from '../../server/contracts.js';
import { createDeflateRaw, deflateRawSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../server/db/connect.js';
import { assertXlsxWithinLimits, XLSX_LIMITS } from '../../server/roster/zip-guard.js';
import { loginAs, type LoggedIn } from '../helpers/auth.js';
import { zip } from '../helpers/zip.js';
import { sqliteDb } from '../helpers/db.js';
import { createInvitation, jsonRequest, snapshotCounts, surveySetup, type SurveySetup } from '../evaluator/helpers.js';

/** Raw deflate of `size` zero bytes, streamed so the test never holds them in memory. */
async function deflatedZeros(size: number): Promise<Buffer> {
  const deflate = createDeflateRaw({ level: 9 });
  const out: Buffer[] = [];
  deflate.on('data', (c: Buffer) => out.push(c));
  const done = new Promise((resolve) => deflate.on('end', resolve));
  const chunk = Buffer.alloc(1024 * 1024);
  for (let written = 0; written < size; written += chunk.length) {
    if (!deflate.write(chunk.subarray(0, Math.min(chunk.length, size - written))))
      await new Promise((r) => deflate.once('drain', r));
  }
  deflate.end();
  await done;
  return Buffer.concat(out);
}

describe('the .xlsx guard', () => {
  const limits = { maxEntries: 10, maxUncompressedBytes: 1000 };

  it('passes an archive within the limits', async () => {
    const data = deflateRawSync(Buffer.from('x'.repeat(900)));
    await expect(
      assertXlsxWithinLimits(zip([{ name: 'a.xml', data, method: 8, declaredSize: 900 }]), limits),
    ).resolves.toBeUndefined();
  });

  it('refuses more bytes than allowed even when the directory claims a tiny size (413)', async () => {
    const data = deflateRawSync(Buffer.alloc(5000));
    await expect(
      assertXlsxWithinLimits(zip([{ name: 'a.xml', data, method: 8, declaredSize: 10 }]), limits),
    ).rejects.toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
  });

  it('counts the total over all entries, and refuses too many entries', async () => {
    const data = deflateRawSync(Buffer.alloc(400));
    const three = [1, 2, 3].map((i) => ({ name: `s${i}.xml`, data, method: 8 as const, declaredSize: 400 }));
    await expect(assertXlsxWithinLimits(zip(three), limits)).rejects.toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
    const many = Array.from({ length: 11 }, (_, i) => ({
      name: `e${i}`,
      data: Buffer.from('x'),
      method: 0 as const,
      declaredSize: 1,
    }));
    await expect(assertXlsxWithinLimits(zip(many), limits)).rejects.toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
  });

  it('answers 422, not a crash, for something that is not a zip or is cut short', async () => {
    await expect(assertXlsxWithinLimits(Buffer.from('PK not really a zip'), limits)).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
    });
    const whole = zip([{ name: 'a.xml', data: deflateRawSync(Buffer.from('hello')), method: 8, declaredSize: 5 }]);
    await expect(assertXlsxWithinLimits(whole.subarray(0, whole.length - 30), limits)).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
    });
  });
});

describe('over HTTP', () => {
  let db: Db;
  let s: SurveySetup;
  let admin: LoggedIn;

  beforeAll(async () => {
    db = await sqliteDb();
    s = await surveySetup(db);
    admin = await loginAs(s.app, s.services, 'admin');
  });
  afterAll(() => db.close());

  it(`refuses a department "spreadsheet" that inflates past ${XLSX_LIMITS.maxUncompressedBytes / 1024 / 1024} MB with 413, importing nothing`, async () => {
    const size = XLSX_LIMITS.maxUncompressedBytes + 1024 * 1024;
    const bomb = zip([
      { name: 'xl/worksheets/sheet1.xml', data: await deflatedZeros(size), method: 8, declaredSize: 1000 },
    ]);
    expect(bomb.length).toBeLessThan(1024 * 1024);
    const before = await db.kysely.selectFrom('departments').select('id').execute();
    const form = new FormData();
    form.append('file', new File([new Uint8Array(bomb)], '部门.xlsx'));
    const res = await s.app.request('/api/campaigns/test-2026/departments/import', {
      method: 'POST',
      headers: admin.headers(),
      body: form,
    });
    expect(res.status).toBe(413);
    expect(((await res.json()) as ErrorBody).error.code).toBe('PAYLOAD_TOO_LARGE');
    expect(await db.kysely.selectFrom('departments').select('id').execute()).toHaveLength(before.length);
  }, 30_000);

  it('refuses an evaluator request body over 2 MB before reading it as JSON: 413, nothing stored', async () => {
    const inv = await createInvitation(db, s.campaign);
    const before = await snapshotCounts(db);
    const big = JSON.stringify({ answers: { category: 'x'.repeat(3 * 1024 * 1024) }, elapsedSeconds: 1 });
    for (const [method, path] of [
      ['PUT', `/api/s/${inv.token}/draft`],
      ['POST', `/api/s/${inv.token}/submit`],
      ['POST', '/api/s/not-a-real-token-at-all/submit'],
    ] as const) {
      const res = await s.app.request(path, jsonRequest(method, big));
      expect(res.status, path).toBe(413);
    }
    expect(await snapshotCounts(db)).toEqual(before);
  });

  it('refuses a draft over its character cap even under the byte limit', async () => {
    const inv = await createInvitation(db, s.campaign);
    const res = await s.app.request(
      `/api/s/${inv.token}/draft`,
      jsonRequest('PUT', { answers: { note: 'x'.repeat(300 * 1024) }, elapsedSeconds: 1 }),
    );
    expect(res.status).toBe(413);
    expect(await db.kysely.selectFrom('drafts').selectAll().execute()).toEqual([]);
  });
});
