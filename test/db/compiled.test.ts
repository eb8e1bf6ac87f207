import { DefaultQueryCompiler } from 'kysely';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { compiledOnce } from '../../server/db/compiled.js';
import type { Db } from '../../server/db/connect.js';
import { dialects } from '../helpers/db.js';
import { createInvitation, jsonRequest, surveySetup, webAnswers } from '../evaluator/helpers.js';

const cases = await dialects();

describe.each(cases)('statements compiled once ($name)', ({ open }) => {
  let db: Db;
  afterEach(async () => {
    vi.restoreAllMocks();
    await db?.close();
  });

  it('are built once per database and run with each call’s values, in and out of a transaction', async () => {
    db = await open();
    let builds = 0;
    const insert = compiledOnce('test.insertKey', (d, key: string, body: string, hash: string | null) => {
      builds++;
      return d
        .insertInto('idempotency_keys')
        .values({ key, status_code: 201, body_json: body, created_at: '2026-12-01', request_hash: hash })
        .returning('key');
    });
    const find = compiledOnce('test.findKey', (d, key: string) =>
      d.selectFrom('idempotency_keys').select(['key', 'body_json', 'request_hash']).where('key', '=', key),
    );
    await insert(db.kysely, 'k1', '{"a":1}', 'h1');
    await db.kysely.transaction().execute(async (trx) => {
      await insert(trx, 'k2', '{"a":2}', null);
    });
    await expect(
      db.kysely.transaction().execute(async (trx) => {
        await insert(trx, 'k3', '{"a":3}', 'h3');
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    expect(builds).toBe(1);
    expect((await find(db.kysely, 'k1')).rows).toEqual([{ key: 'k1', body_json: '{"a":1}', request_hash: 'h1' }]);
    expect((await find(db.kysely, 'k2')).rows).toEqual([{ key: 'k2', body_json: '{"a":2}', request_hash: null }]);
    expect((await find(db.kysely, 'k3')).rows).toEqual([]);
  });

  it('refuse a statement that takes one of its values other than as a parameter', async () => {
    db = await open();
    const byLength = compiledOnce('test.inlined', (d, keys: string) =>
      d.selectFrom('idempotency_keys').select('key').where('key', 'in', keys.split('')).limit(1),
    );
    await expect(byLength(db.kysely, 'ab')).rejects.toThrow(/every value must be a parameter/);
  });

  it('let a named campaign’s later submissions and draft saves compile no statement', async () => {
    db = await open();
    const s = await surveySetup(db, { slug: 'named-compiled-2026', overrides: { mode: 'named' } });
    const links = await Promise.all([0, 1, 2].map(() => createInvitation(db, s.campaign)));
    const submit = (token: string, key: string) =>
      s.app.request(
        `/api/s/${token}/submit`,
        jsonRequest('POST', { answers: webAnswers(), elapsedSeconds: 300 }, { 'Idempotency-Key': key }),
      );
    const save = (token: string) =>
      s.app.request(`/api/s/${token}/draft`, jsonRequest('PUT', { answers: webAnswers(), elapsedSeconds: 60 }));
    // the first of each compiles its statements (and reads what is cached per campaign)
    expect((await save(links[0]!.token)).status).toBe(200);
    expect((await submit(links[0]!.token, 'compiled-key-0')).status).toBe(201);
    const compile = vi.spyOn(DefaultQueryCompiler.prototype, 'compileQuery');
    expect((await save(links[1]!.token)).status).toBe(200);
    expect((await save(links[1]!.token)).status).toBe(200);
    expect((await submit(links[1]!.token, 'compiled-key-1')).status).toBe(201);
    expect((await submit(links[2]!.token, 'compiled-key-2')).status).toBe(201);
    expect(compile).not.toHaveBeenCalled();
    // and a second submission of a link is still refused
    const again = await submit(links[1]!.token, 'compiled-key-3');
    expect(again.status).toBe(409);
    expect(((await again.json()) as { error: { code: string } }).error.code).toBe('ALREADY_SUBMITTED');
  });
});
