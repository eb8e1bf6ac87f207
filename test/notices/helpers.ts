import type { SessionUser } from '../../server/contracts.js';
import type { Db } from '../../server/db/connect.js';
import type { Campaign } from '../../server/campaigns/service.js';
import type { NoticeActor, VerifiedNegative } from '../../server/notices/service.js';
import type { Services } from '../../server/services.js';
import { record, resultsSetup } from '../results/helpers.js';

export const office: NoticeActor = {
  userId: 'office-1',
  username: 'office-wang',
  name: '王审核',
  role: 'office',
  departmentIds: [],
};
export const secondOffice: NoticeActor = {
  userId: 'office-2',
  username: 'office-li',
  name: '李复核',
  role: 'office',
  departmentIds: [],
};
/** A liaison of the department rows of this code (in every campaign of the database). */
export const liaisonOf = async (db: Db, code: string): Promise<NoticeActor> => ({
  userId: `liaison-${code}`,
  username: `liaison-${code.toLowerCase()}`,
  name: `${code} 联络员`,
  role: 'liaison',
  departmentIds: (await db.kysely.selectFrom('departments').select('id').where('code', '=', code).execute()).map(
    (d) => d.id,
  ),
});

/** A signed-in user as the notices service sees them, a liaison with the department rows bound to the account. */
export const actorOfUser = async (services: Services, user: SessionUser): Promise<NoticeActor> => ({
  userId: user.id,
  username: user.username,
  name: user.displayName,
  role: user.role === 'liaison' ? 'liaison' : 'office',
  departmentIds: user.role === 'liaison' ? (await services.accounts.liaisonDepartments(user.id)).map((d) => d.id) : [],
});

/**
 * Store one response reporting `count` negative situations (kind 3) for department `code`, and
 * return them as the verification queue would hand them over once verified and redacted.
 */
export async function verifiedNegatives(
  db: Db,
  services: Services,
  campaign: Campaign,
  code: string,
  count = 1,
): Promise<VerifiedNegative[]> {
  const tag = `${code}-${Math.random().toString(36).slice(2, 8)}`;
  await services.responses.storeMany(
    campaign,
    [
      record('project', [
        {
          code,
          efficiency: 'basically_satisfied',
          quality: 'dissatisfied',
          negatives: Array.from({ length: count }, (_, i) => ({
            kind: 3,
            description: `施工许可拖了三个月，经办人电话 13800138000（${tag}-${i}）`,
          })),
        },
      ]),
    ],
    { source: 'import' },
  );
  const rows = await db.kysely
    .selectFrom('negative_reports')
    .selectAll()
    .where('campaign_id', '=', campaign.id)
    .where('description', 'like', `%${tag}%`)
    .orderBy('description')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    campaignId: r.campaign_id,
    departmentId: r.department_id,
    kind: Number(r.kind),
    matter: r.matter,
    description: r.description.replace(/1\d{10}/, '[电话已隐去]'),
    eventDate: r.event_date,
  }));
}

/** Every row of the notice tables and the audit log, to show that a refused action changed nothing. */
export async function noticeTables(db: Db) {
  const all = (table: 'notice_sheets' | 'tracked_items' | 'item_history' | 'evidence_files' | 'audit_log') =>
    db.kysely.selectFrom(table).selectAll().orderBy('id').execute();
  return {
    sheets: await all('notice_sheets'),
    items: await all('tracked_items'),
    history: await all('item_history'),
    evidence: await all('evidence_files'),
    audit: await all('audit_log'),
  };
}

/**
 * The known results published (D005's sheet 001 holds its two verified reports, then publication
 * drafts D004's and D002's and adds D005's rectification) and one negative report of D002 verified
 * onto its sheet, which then carries 003-01 (a problem) and 003-02 (the report).
 */
export async function publishedSetup(db: Db) {
  const ctx = await resultsSetup(db);
  await ctx.services.results.publish('test-2026', 'tester');
  const [report] = await verifiedNegatives(db, ctx.services, ctx.campaign, 'D002');
  await db.kysely.transaction().execute((trx) => ctx.services.notices.registerVerifiedNegative(trx, report, office));
  return ctx;
}
