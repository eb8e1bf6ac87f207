/**
 * Anonymous mode (the default): nothing stored may join a response back to its invitation or
 * person: no column, no shared id, no time finer than the day, no idempotency record keyed by
 * the token's hash, no audit row, no log line, no per-invitation change of row order, no write to
 * the invitation in the submitting commit (test/security/file-holder.test.ts replays the files). Named
 * mode keeps the link on purpose.
 */
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Db } from '../../server/db/connect.js';
import { sha256 } from '../../server/shared/ids.js';
import { sqliteDb } from '../helpers/db.js';
import { SEAL_BATCH } from '../../server/responses/service.js';
import {
  createInvitation,
  isSpent,
  jsonRequest,
  surveySetup,
  webAnswers,
  type SurveySetup,
} from '../evaluator/helpers.js';

const TABLES = [
  'campaigns',
  'questionnaires',
  'departments',
  'evaluators',
  'invitations',
  'drafts',
  'responses',
  'problem_mentions',
  'negative_reports',
  'users',
  'sessions',
  'login_attempts',
  'idempotency_keys',
  'audit_log',
  'snapshots',
  'response_imports',
  'spent_links',
] as const;

/** Every text cell of every table, with where it is. */
async function everyCell(db: Db): Promise<{ table: string; column: string; value: string }[]> {
  const cells = [];
  for (const table of TABLES) {
    const rows = (await sql<Record<string, unknown>>`select * from ${sql.table(table)}`.execute(db.kysely)).rows;
    for (const row of rows)
      for (const [column, value] of Object.entries(row))
        if (value !== null) cells.push({ table, column, value: String(value) });
  }
  return cells;
}

const where = (cells: { table: string; column: string; value: string }[], needle: string) =>
  cells.filter((c) => c.value.includes(needle)).map((c) => `${c.table}.${c.column}`);

const RESPONSE_SIDE = [
  'responses.id',
  'answers.response_id',
  'problem_mentions.response_id',
  'negative_reports.response_id',
];

describe('anonymous mode: nothing joins a response to its invitation', () => {
  let db: Db;
  let s: SurveySetup;
  let logs: string[];

  beforeEach(async () => {
    db = await sqliteDb();
    s = await surveySetup(db, { config: { trustProxy: true } });
    logs = [];
    for (const level of ['log', 'info', 'warn', 'error', 'debug'] as const) {
      vi.spyOn(console, level).mockImplementation((...args: unknown[]) => void logs.push(args.map(String).join(' ')));
    }
  });
  afterEach(async () => {
    vi.restoreAllMocks();
    await db.close();
  });

  async function openDraftSubmit(token: string, key: string, address = '203.0.113.9') {
    expect((await s.app.request(`/api/s/${token}`)).status).toBe(200);
    expect(
      (
        await s.app.request(
          `/api/s/${token}/draft`,
          jsonRequest('PUT', { answers: { category: 'project' }, elapsedSeconds: 30 }),
        )
      ).status,
    ).toBe(200);
    s.clock.advance(37_000);
    const res = await s.app.request(
      `/api/s/${token}/submit`,
      jsonRequest(
        'POST',
        { answers: webAnswers(), elapsedSeconds: 300 },
        { 'Idempotency-Key': key, 'X-Forwarded-For': address },
      ),
    );
    expect(res.status).toBe(201);
    return (await res.json()) as { receipt: string; submittedDay: string };
  }

  it('stores no invitation id, evaluator id, token, token hash, receipt or time anywhere but the invitation itself', async () => {
    const inv = await createInvitation(db, s.campaign);
    const key = 'client-key-0001';
    const { receipt } = await openDraftSubmit(inv.token, key);
    const cells = await everyCell(db);

    expect(where(cells, inv.token)).toEqual([]);
    expect(where(cells, sha256(inv.token))).toEqual(['invitations.token_hash']);
    expect(where(cells, inv.invitationId)).toEqual(['invitations.id']);
    expect(
      where(cells, inv.evaluatorId).every((c) => c.startsWith('evaluators.') || c === 'invitations.evaluator_id'),
    ).toBe(true);
    // the receipt exists only for a retried request of the same client (below), never on the response
    expect(where(cells, receipt)).toEqual(['idempotency_keys.body_json']);
    expect(where(cells, key)).toEqual([]);

    const response = await db.kysely.selectFrom('responses').selectAll().executeTakeFirstOrThrow();
    expect(response.invitation_id).toBeNull();
    expect(response.submitted_day).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    // the response id is random, and only the response's own rows carry it
    expect(response.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect([...new Set(where(cells, response.id))].every((c) => RESPONSE_SIDE.includes(c))).toBe(true);

    const invitation = await db.kysely
      .selectFrom('invitations')
      .selectAll()
      .where('id', '=', inv.invitationId)
      .executeTakeFirstOrThrow();
    // spent without a write to the invitation: it is flagged with its batch (seal.test.ts)
    expect(invitation).toMatchObject({ used: 0, used_at: null });
    expect(await isSpent(db, inv.token)).toBe(true);
    expect(await db.kysely.selectFrom('drafts').selectAll().execute()).toEqual([]);
  });

  it('keeps no time finer than the day once a batch is flagged: no stored value holds the minute or hour of a submission', async () => {
    s.clock.advance(2 * 3_600_000); // away from the hour the campaign was created in
    const moments: string[] = [];
    for (let i = 0; i < SEAL_BATCH; i++) {
      const inv = await createInvitation(db, s.campaign);
      await openDraftSubmit(inv.token, `client-key-minute-${i}`);
      moments.push(s.clock.now().toISOString());
    }
    const cells = await everyCell(db);
    for (const at of moments) {
      expect(where(cells, at.slice(0, 16))).toEqual([]);
      expect(where(cells, at.slice(0, 13))).toEqual([]);
    }
  });

  it('keys the idempotency record so it cannot be found from the invitation: not by the token hash, and only with the plain token and the client key', async () => {
    const inv = await createInvitation(db, s.campaign);
    const key = 'client-key-0003';
    await openDraftSubmit(inv.token, key);
    const row = await db.kysely.selectFrom('idempotency_keys').selectAll().executeTakeFirstOrThrow();
    const tokenHash = sha256(inv.token);
    expect(row.key).not.toContain(tokenHash);
    expect(row.key).not.toBe(sha256(`${tokenHash}:${key}`));
    expect(row.key).not.toBe(sha256(`${tokenHash}|${key}`));
    expect(row.created_at).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    const body = JSON.parse(row.body_json) as Record<string, unknown>;
    expect(Object.keys(body).sort()).toEqual(['campaign', 'receipt', 'submittedDay']);
  });

  it('still answers a retried submission with its first receipt', async () => {
    const inv = await createInvitation(db, s.campaign);
    const first = await openDraftSubmit(inv.token, 'client-key-0004');
    const again = await s.app.request(
      `/api/s/${inv.token}/submit`,
      jsonRequest('POST', { answers: webAnswers(), elapsedSeconds: 300 }, { 'Idempotency-Key': 'client-key-0004' }),
    );
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(await again.json()).toEqual(first);
    // another link can't replay it with the same client key
    const other = await createInvitation(db, s.campaign);
    const foreign = await s.app.request(
      `/api/s/${other.token}/submit`,
      jsonRequest('POST', { answers: webAnswers(), elapsedSeconds: 300 }, { 'Idempotency-Key': 'client-key-0004' }),
    );
    expect(foreign.status).toBe(201);
    expect(((await foreign.json()) as { receipt: string }).receipt).not.toBe(first.receipt);
  });

  it('spends invitations in place: their row order (SQLite rowid) never changes, whatever order they are used in', async () => {
    const invitations = [];
    for (let i = 0; i < 6; i++) invitations.push(await createInvitation(db, s.campaign));
    const order = async () =>
      (await sql<{ rowid: number; id: string }>`select rowid, id from invitations order by rowid`.execute(db.kysely))
        .rows;
    const before = await order();
    for (const i of [4, 1, 5, 0, 3, 2]) await openDraftSubmit(invitations[i].token, `client-key-order-${i}`);
    expect(await order()).toEqual(before);
  });

  it('adds rows on submission only to response tables, the unlinkable idempotency record and the spent link; writes no audit row and logs nothing', async () => {
    const inv = await createInvitation(db, s.campaign);
    const count = async () =>
      Object.fromEntries(
        await Promise.all(
          TABLES.map(
            async (t) =>
              [
                t,
                Number(
                  (await sql<{ n: number }>`select count(*) as n from ${sql.table(t)}`.execute(db.kysely)).rows[0].n,
                ),
              ] as const,
          ),
        ),
      );
    expect((await s.app.request(`/api/s/${inv.token}`)).status).toBe(200);
    const before = await count();
    const res = await s.app.request(
      `/api/s/${inv.token}/submit`,
      jsonRequest('POST', { answers: webAnswers(), elapsedSeconds: 300 }, { 'Idempotency-Key': 'client-key-0005' }),
    );
    expect(res.status).toBe(201);
    const after = await count();
    const grew = TABLES.filter((t) => after[t] !== before[t]);
    expect(grew.sort()).toEqual([
      'idempotency_keys',
      'negative_reports',
      'problem_mentions',
      'responses',
      'spent_links',
    ]);
    expect(logs).toEqual([]);
  });

  it('keeps a contact only where the evaluator agreed to be contacted, in the report and in the stored record', async () => {
    const inv = await createInvitation(db, s.campaign);
    const answers = webAnswers();
    const dept = (answers.departments as Record<string, unknown>[])[0];
    dept.negatives = [
      {
        kind: 3,
        matter: '施工许可',
        date: '2026-06',
        description: '超过承诺时限',
        contactAllowed: false,
        contact: '13900000001',
      },
    ];
    expect(
      (await s.app.request(`/api/s/${inv.token}/submit`, jsonRequest('POST', { answers, elapsedSeconds: 300 }))).status,
    ).toBe(201);

    const line = JSON.stringify({
      category: 'project',
      durationSeconds: 400,
      overall: 'satisfied',
      departments: [
        {
          code: 'D001',
          efficiency: 'satisfied',
          quality: 'satisfied',
          negatives: [
            { kind: 2, matter: '办证', description: '多次跑腿', contactAllowed: false, contact: '13900000002' },
          ],
        },
      ],
    });
    await s.services.responses.importJsonl(s.campaign, line, { fileName: 'paper.jsonl' });
    const cells = await everyCell(db);
    expect(where(cells, '13900000001')).toEqual([]);
    expect(where(cells, '13900000002')).toEqual([]);
  });

  it('hashes the network per campaign with the secret salt: the key is not the address range and differs between campaigns', async () => {
    const other = await surveySetup(db, { slug: 'other-2026', config: { trustProxy: true } });
    const a = await createInvitation(db, s.campaign);
    const b = await createInvitation(db, other.campaign);
    const headers = { 'X-Forwarded-For': '198.51.100.23' };
    expect(
      (
        await s.app.request(
          `/api/s/${a.token}/submit`,
          jsonRequest('POST', { answers: webAnswers(), elapsedSeconds: 300 }, headers),
        )
      ).status,
    ).toBe(201);
    expect(
      (
        await other.app.request(
          `/api/s/${b.token}/submit`,
          jsonRequest('POST', { answers: webAnswers(), elapsedSeconds: 300 }, headers),
        )
      ).status,
    ).toBe(201);
    const keys = (await db.kysely.selectFrom('responses').select(['campaign_id', 'network_key']).execute()).map(
      (r) => r.network_key,
    );
    expect(keys.every((k) => typeof k === 'string' && /^[0-9a-f]{64}$/.test(k))).toBe(true);
    expect(keys[0]).not.toBe(keys[1]);
    const cells = await everyCell(db);
    expect(where(cells, '198.51.100')).toEqual([]);
    expect(keys).not.toContain(sha256('minping-local198.51.100.0/24'));
  });
});

describe('named mode keeps the link', () => {
  it('stores the invitation on the response and the submission time on the invitation', async () => {
    const db = await sqliteDb();
    try {
      const s = await surveySetup(db, { slug: 'named-2026', overrides: { mode: 'named' } });
      const inv = await createInvitation(db, s.campaign);
      expect(
        (
          await s.app.request(
            `/api/s/${inv.token}/submit`,
            jsonRequest('POST', { answers: webAnswers(), elapsedSeconds: 300 }),
          )
        ).status,
      ).toBe(201);
      const response = await db.kysely.selectFrom('responses').selectAll().executeTakeFirstOrThrow();
      expect(response.invitation_id).toBe(inv.invitationId);
      const invitation = await db.kysely
        .selectFrom('invitations')
        .selectAll()
        .where('id', '=', inv.invitationId)
        .executeTakeFirstOrThrow();
      expect(invitation.used_at).toBe(s.clock.now().toISOString());
    } finally {
      await db.close();
    }
  });
});
