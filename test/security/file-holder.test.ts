/**
 * Issue #8, item 4: an attacker holding copies of the database files, taken while evaluators
 * submit, tries to join anonymous responses to invitations (hence to names). On SQLite the copies
 * are the database file and its WAL: the state after every commit frame is rebuilt and each
 * commit diffed against the one before. On PostgreSQL the attacker reads the rows and their
 * transaction ids (xmin, what a data-directory copy shows) after every request. Whatever the
 * attacker tries, the odds of naming the right invitation must not beat 1 in 10.
 */
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import type { Db } from '../../server/db/connect.js';
import { dialects, sqliteFile } from '../helpers/db.js';
import { createInvitation, jsonRequest, surveySetup, webAnswers } from '../evaluator/helpers.js';

/** What one observation shows: each invitation's visible columns, drafts by key, responses in storage order. */
interface State {
  invitations: Map<string, { shown: string; used: boolean; unsealed: boolean; xmin: string | null }>;
  drafts: Map<string, string>;
  responses: { id: string; truth: string; xmin: string | null }[];
}

const EVALUATORS = 30;
const ODDS_ALLOWED = 1 / 10;

type Row = Record<string, unknown>;

/** The attacker's three queries, with or without PostgreSQL's transaction ids. */
const queries = (withXmin: boolean) => {
  const x = withXmin ? ', xmin::text as xmin' : ', null as xmin';
  return {
    invitations: `select id, used, unsealed, opened_at, draft_saved_at, used_at, token_hash${x} from invitations`,
    drafts: 'select draft_key, sealed from drafts',
    responses: `select id, record_json${x} from responses order by ${withXmin ? 'xmin::text::bigint, id' : 'rowid'}`,
  };
};

function stateFrom(rows: Record<keyof ReturnType<typeof queries>, Row[]>): State {
  const invitations: State['invitations'] = new Map();
  for (const r of rows.invitations)
    invitations.set(String(r.id), {
      shown: JSON.stringify([r.used, r.unsealed, r.opened_at, r.draft_saved_at, r.used_at, r.token_hash]),
      used: Number(r.used) === 1,
      unsealed: Number(r.unsealed) === 1,
      xmin: r.xmin === null ? null : String(r.xmin),
    });
  const drafts = new Map<string, string>();
  // a draft names its invitation only if it was saved before migration 0023 (`legacy:<id>`)
  for (const r of rows.drafts) drafts.set(String(r.draft_key).replace(/^legacy:/, ''), String(r.sealed));
  const responses = rows.responses.map((r) => ({
    id: String(r.id),
    // the ground truth the test planted (no attack reads content)
    truth: /truth-(\d+)/.exec(String(r.record_json))?.[1] ?? '',
    xmin: r.xmin === null ? null : String(r.xmin),
  }));
  return { invitations, drafts, responses };
}

/** SQLite: every state a copy of the database file and its WAL holds, one per commit frame. */
function walStates(dbCopy: Buffer, wal: Buffer, seen: Set<string>, scratch: string): State[] {
  const states: State[] = [];
  if (wal.length < 32) return states;
  const pageSize = wal.readUInt32BE(8);
  const salt = wal.subarray(16, 24);
  const pages = new Map<number, Buffer>();
  for (let offset = 32, frame = 0; offset + 24 + pageSize <= wal.length; offset += 24 + pageSize, frame++) {
    if (!wal.subarray(offset + 8, offset + 16).equals(salt)) break; // a frame of an earlier WAL generation
    const pgno = wal.readUInt32BE(offset);
    const commitSize = wal.readUInt32BE(offset + 4);
    pages.set(pgno, wal.subarray(offset + 24, offset + 24 + pageSize));
    if (commitSize === 0) continue;
    const id = `${salt.toString('hex')}:${frame}`;
    if (seen.has(id)) continue;
    seen.add(id);
    const image = Buffer.alloc(commitSize * pageSize);
    dbCopy.copy(image, 0, 0, Math.min(dbCopy.length, image.length));
    for (const [n, page] of pages) if (n <= commitSize) page.copy(image, (n - 1) * pageSize);
    image[18] = 1; // read the rebuilt image as a rollback-journal database
    image[19] = 1;
    const path = join(scratch, `state-${id.replace(':', '-')}.db`);
    writeFileSync(path, image);
    const sqlite = new SQLite(path, { readonly: true });
    try {
      const q = queries(false);
      // commits before the migrations have built the tables show nothing to join
      const migrated = sqlite.prepare(`select 1 from sqlite_master where name = 'drafts_campaign'`).get();
      if (migrated)
        states.push(
          stateFrom({
            invitations: sqlite.prepare(q.invitations).all() as Row[],
            drafts: sqlite.prepare(q.drafts).all() as Row[],
            responses: sqlite.prepare(q.responses).all() as Row[],
          }),
        );
    } finally {
      sqlite.close();
      rmSync(path);
    }
  }
  return states;
}

interface Scores {
  [attack: string]: number;
}

/**
 * Every attack on the sequence of observed states; for each response the attacker takes the
 * narrowest candidate set any attack gives and scores 1/|set| when the true invitation is in it.
 */
function attack(states: State[], truthOf: Map<string, string>): { best: number; byAttack: Scores } {
  const byAttack: Scores = { sameCommit: 0, nextSpent: 0, previousTouched: 0, unsealed: 0, sameXmin: 0, nextXmin: 0 };
  let best = 0;
  const firstSeen = new Map<string, number>();
  states.forEach((s, k) => {
    for (const r of s.responses) if (!firstSeen.has(r.id)) firstSeen.set(r.id, k);
  });
  const changed = (a: State, b: State) => {
    const out = new Set<string>();
    for (const [id, inv] of b.invitations) if (a.invitations.get(id)?.shown !== inv.shown) out.add(id);
    for (const id of new Set([...a.drafts.keys(), ...b.drafts.keys()]))
      if (a.drafts.get(id) !== b.drafts.get(id)) out.add(id);
    return out;
  };
  const flipped = (a: State, b: State) =>
    new Set([...b.invitations].filter(([id, inv]) => inv.used && !a.invitations.get(id)?.used).map(([id]) => id));
  const last = states[states.length - 1];
  for (const [responseId, k] of firstSeen) {
    const truth = truthOf.get(last.responses.find((r) => r.id === responseId)?.truth ?? '') ?? '';
    const candidates: Record<string, Set<string>> = {};
    if (k > 0) candidates.sameCommit = changed(states[k - 1], states[k]);
    for (let j = Math.max(k, 1); j < states.length; j++) {
      const f = flipped(states[j - 1], states[j]);
      if (f.size) {
        candidates.nextSpent = f;
        break;
      }
    }
    for (let j = k - 1; j >= 1; j--) {
      const c = changed(states[j - 1], states[j]);
      if (c.size) {
        candidates.previousTouched = c;
        break;
      }
    }
    for (const s of states.slice(k)) {
      const waiting = [...s.invitations].filter(([, inv]) => inv.unsealed).map(([id]) => id);
      const newest = s.responses.slice(-waiting.length).map((r) => r.id);
      if (waiting.length && newest.includes(responseId)) {
        if (!candidates.unsealed || waiting.length < candidates.unsealed.size) candidates.unsealed = new Set(waiting);
      }
      const xmin = s.responses.find((r) => r.id === responseId)?.xmin;
      if (xmin) {
        const same = [...s.invitations].filter(([, inv]) => inv.xmin === xmin).map(([id]) => id);
        if (same.length) candidates.sameXmin = new Set(same);
        const later = [...s.invitations.values()]
          .filter((inv) => inv.used && inv.xmin && Number(inv.xmin) > Number(xmin))
          .map((inv) => Number(inv.xmin));
        if (later.length) {
          const next = String(Math.min(...later));
          candidates.nextXmin = new Set([...s.invitations].filter(([, inv]) => inv.xmin === next).map(([id]) => id));
        }
      }
    }
    let narrowest: Set<string> | undefined;
    for (const [name, set] of Object.entries(candidates)) {
      if (!set.size) continue;
      if (set.has(truth)) byAttack[name] += 1 / set.size;
      if (!narrowest || set.size < narrowest.size) narrowest = set;
    }
    if (narrowest?.has(truth)) best += 1 / narrowest.size;
  }
  const n = firstSeen.size;
  for (const name of Object.keys(byAttack)) byAttack[name] = Math.round((byAttack[name] / n) * 1000) / 1000;
  // the attacker keeps whichever attack did best, or the narrowest evidence for each response
  return { best: Math.max(best / n, ...Object.values(byAttack)), byAttack };
}

/** Fisher–Yates from a fixed seed: the submissions' order differs from the invitations' order. */
function shuffledIndexes(n: number): number[] {
  const out = Array.from({ length: n }, (_, i) => i);
  let seed = 20261203;
  for (let i = n - 1; i > 0; i--) {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    const j = seed % (i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

describe.each(await dialects())('an attacker holding the database files on $name', ({ name, open }) => {
  it('links no anonymous response to its invitation with better than 1-in-10 odds: states after each commit diffed, waiting spent invitations, transaction ids', async () => {
    const scratch = mkdtempSync(join(tmpdir(), 'minping-attack-'));
    let db: Db;
    let path = '';
    if (name === 'sqlite') ({ db, path } = await sqliteFile());
    else db = await open();
    try {
      const s = await surveySetup(db);
      const links = [];
      for (let i = 0; i < EVALUATORS; i++) links.push(await createInvitation(db, s.campaign));
      const truthOf = new Map(links.map((l, i) => [String(i), l.invitationId]));

      const states: State[] = [];
      const seen = new Set<string>();
      const observe = async () => {
        if (name === 'sqlite') {
          // the attacker's copy of the files, taken while the server runs
          copyFileSync(path, join(scratch, 'copy.db'));
          if (existsSync(`${path}-wal`)) copyFileSync(`${path}-wal`, join(scratch, 'copy.db-wal'));
          const wal = existsSync(join(scratch, 'copy.db-wal'))
            ? readFileSync(join(scratch, 'copy.db-wal'))
            : Buffer.alloc(0);
          states.push(...walStates(readFileSync(join(scratch, 'copy.db')), wal, seen, scratch));
        } else {
          const q = queries(true);
          const rows = async (text: string) => (await sql.raw<Row>(text).execute(db.kysely)).rows;
          states.push(
            stateFrom({
              invitations: await rows(q.invitations),
              drafts: await rows(q.drafts),
              responses: await rows(q.responses),
            }),
          );
        }
      };

      // everyone opens the link and saves a first draft (days before, say) …
      for (const link of links) {
        expect((await s.app.request(`/api/s/${link.token}`)).status).toBe(200);
        const draft = jsonRequest('PUT', { answers: { category: 'project' }, elapsedSeconds: 30 });
        expect((await s.app.request(`/api/s/${link.token}/draft`, draft)).status).toBe(200);
      }
      await observe();
      // … then they finish and submit, one after another, in another order, observed after each request
      for (const i of shuffledIndexes(EVALUATORS)) {
        const { token } = links[i];
        const answers = webAnswers({ suggestion: `truth-${i}` });
        const draft = jsonRequest('PUT', { answers, elapsedSeconds: 200 });
        expect((await s.app.request(`/api/s/${token}/draft`, draft)).status).toBe(200);
        await observe();
        const submit = jsonRequest('POST', { answers, elapsedSeconds: 300 }, { 'Idempotency-Key': `attack-${i}-key` });
        expect((await s.app.request(`/api/s/${token}/submit`, submit)).status).toBe(201);
        await observe();
      }
      // the office closes the campaign, then publishes
      await s.services.campaigns.close(s.campaign.slug, 'office');
      await s.services.results.publish(s.campaign.slug, 'office');
      await observe();

      const { best, byAttack } = attack(states, truthOf);
      console.log(
        `${name}: ${states.length} states observed; attacker's odds per response ${best.toFixed(3)} (the best attack), by attack ${JSON.stringify(byAttack)}`,
      );
      expect(states.at(-1)!.responses).toHaveLength(EVALUATORS);
      expect(best).toBeLessThanOrEqual(ODDS_ALLOWED + 1e-9);
    } finally {
      await db.close();
      rmSync(scratch, { recursive: true, force: true });
    }
  }, 120_000);
});
