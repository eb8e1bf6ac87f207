import type { Db } from '../../server/db/connect.js';
import { newId } from '../../server/shared/ids.js';
import { loginAs, type LoggedIn } from '../helpers/auth.js';
import { verifiedNegatives } from '../notices/helpers.js';
import { resultsSetup } from '../results/helpers.js';
import { actorOfUser } from '../notices/helpers.js';

export const PDF = new TextEncoder().encode('%PDF-1.7\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n');

/**
 * The test campaign with issued sheets: D001 has two items (from two verified reports), D002 one;
 * two office users, a liaison of each department. The clock is Tuesday 5 January 2027, 16:00 in
 * Shanghai, the day of issue.
 */
export async function portalSetup(db: Db) {
  const ctx = await resultsSetup(db, { records: false });
  const people = {
    office: await loginAs(ctx.app, ctx.services, 'admin', { username: 'office-wang' }),
    second: await loginAs(ctx.app, ctx.services, 'admin', { username: 'office-li' }),
    analyst: await loginAs(ctx.app, ctx.services, 'analyst'),
    liaison: await loginAs(ctx.app, ctx.services, 'liaison', { departmentCode: 'D001' }),
    other: await loginAs(ctx.app, ctx.services, 'liaison', { departmentCode: 'D002' }),
  };
  const users = await ctx.services.accounts.listUsers();
  const officeUser = users.find((u) => u.username === 'office-wang')!;
  const officeActor = await actorOfUser(ctx.services, officeUser);
  const register = async (code: string, count: number) => {
    for (const report of await verifiedNegatives(db, ctx.services, ctx.campaign, code, count))
      await db.kysely
        .transaction()
        .execute((trx) => ctx.services.notices.registerVerifiedNegative(trx, report, officeActor));
  };
  await register('D001', 2);
  await register('D002', 2);
  await register('D003', 1);
  const drafts = await ctx.services.notices.sheets('test-2026');
  const byCode = (code: string) => drafts.find((s) => s.departmentCode === code)!;
  // D003's sheet stays a draft: no department ever sees it
  for (const code of ['D001', 'D002']) await ctx.services.notices.issueSheet('test-2026', byCode(code).id, officeActor);
  const sheets = await ctx.services.notices.sheets('test-2026');
  const sheet = (code: string) => sheets.find((s) => s.departmentCode === code)!;
  return { ...ctx, people, officeActor, sheet };
}

export type PortalSetup = Awaited<ReturnType<typeof portalSetup>>;

/** A page as a browser asks for it. */
export async function page(app: PortalSetup['app'], path: string, who?: LoggedIn) {
  const res = await app.request(path, { headers: { accept: 'text/html', ...(who ? { cookie: who.cookie } : {}) } });
  return { res, body: await res.text() };
}

/** A plain form posted as a browser does without a script: the CSRF token in the `csrf` field. */
export async function postForm(
  app: PortalSetup['app'],
  path: string,
  who: LoggedIn,
  fields: Record<string, string>,
  options: { csrf?: boolean } = {},
) {
  const body = new URLSearchParams({
    ...(options.csrf === false ? {} : { csrf: who.csrfToken }),
    ...fields,
  }).toString();
  const res = await app.request(path, {
    method: 'POST',
    headers: {
      cookie: who.cookie,
      accept: 'text/html',
      'content-type': 'application/x-www-form-urlencoded',
      'content-length': String(Buffer.byteLength(body)),
    },
    body,
  });
  return { res, body: await res.text() };
}

/** A form with files, posted as a browser does (multipart, its byte length, the token in a field). */
export async function postFiles(
  app: PortalSetup['app'],
  path: string,
  who: LoggedIn,
  fields: Record<string, string>,
  files: { name: string; bytes: Uint8Array }[],
) {
  const form = new FormData();
  form.append('csrf', who.csrfToken);
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  for (const f of files) form.append('files', new File([new Uint8Array(f.bytes)], f.name));
  const encoded = new Response(form);
  const bytes = new Uint8Array(await encoded.arrayBuffer());
  const res = await app.request(path, {
    method: 'POST',
    headers: {
      cookie: who.cookie,
      accept: 'text/html',
      'content-type': encoded.headers.get('content-type')!,
      'content-length': String(bytes.length),
    },
    body: bytes,
  });
  return { res, body: await res.text() };
}

/** A notification as the escalation job writes it, for department `code` of the test campaign. */
export async function insertNotification(db: Db, code: string, fields: { level: string; title: string; body: string }) {
  const department = await db.kysely
    .selectFrom('departments')
    .select('id')
    .where('code', '=', code)
    .executeTakeFirstOrThrow();
  await db.kysely
    .insertInto('notifications')
    .values({
      id: newId(),
      dedupe_key: `test:${newId()}`,
      department_id: department.id,
      item_id: null,
      sheet_id: null,
      ...fields,
      created_at: '2027-01-05T07:00:00.000Z',
      read_at: null,
    })
    .returning('id')
    .execute();
}
