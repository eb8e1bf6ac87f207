import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PublicationPreview } from '../../server/contracts.js';
import { loginAs, type LoggedIn } from '../helpers/auth.js';
import { sqliteDb } from '../helpers/db.js';
import { OFFICE } from '../negatives/helpers.js';
import { resultsSetup } from './helpers.js';

const db = await sqliteDb();
const { app, services, campaign } = await resultsSetup(db);
let admin: LoggedIn;
beforeAll(async () => {
  admin = await loginAs(app, services, 'admin');
});
afterAll(() => db.close());

const preview = async () =>
  (await (
    await app.request(`/api/campaigns/${campaign.slug}/publication`, { headers: admin.headers() })
  ).json()) as PublicationPreview;
const confirmation = async () =>
  (await app.request(`/admin/campaigns/${campaign.slug}/publish`, { headers: admin.headers() })).text();

describe('the publish confirmation and the negative situations still 待核实', () => {
  it('says how many are left out, that a later verification needs a new publication, and links to the queue', async () => {
    const pending = (await services.negatives.queue(campaign.slug, { state: 'pending' })).items;
    expect(pending.length).toBeGreaterThan(0);
    expect((await preview()).unverifiedNegatives).toBe(pending.length);
    const page = await confirmation();
    const line = /<li id="publish-unverified">([\s\S]*?)<\/li>/.exec(page)?.[1] ?? '';
    expect(line.replace(/<[^>]+>/g, '')).toContain(
      `还有 ${pending.length} 条负面情形待核实：只有核实的才扣分，这次发布不计入它们`,
    );
    expect(line).toContain('须重新发布更正结果才计入');
    const queue = /href="([^"]+)">待核实/.exec(line)?.[1] ?? '';
    const listed = await (await app.request(queue.replaceAll('&amp;', '&'), { headers: admin.headers() })).text();
    expect(listed).toContain(`待核实 ${pending.length} 条`);

    for (const report of pending)
      await services.negatives.verify(campaign.slug, report.id, { reason: '电话核实属实' }, OFFICE);
    expect((await preview()).unverifiedNegatives).toBe(0);
    expect(await confirmation()).not.toContain('publish-unverified');
  });
});
