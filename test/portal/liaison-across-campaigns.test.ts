import { describe, expect, it } from 'vitest';
import type { NoticeSheetList } from '../../server/contracts.js';
import { loginAs } from '../helpers/auth.js';
import { dialects } from '../helpers/db.js';
import { createTestCampaign } from '../helpers/fixtures.js';
import { page, portalSetup } from './helpers.js';

describe.each(await dialects())('a liaison’s notices are their own department rows’, on $name', ({ open }) => {
  it('a liaison of next year’s D001 reaches none of this year’s D001 sheets, items or notifications, which its own liaison still does', async () => {
    const db = await open();
    try {
      const s = await portalSetup(db);
      const sheet = s.sheet('D001');
      const [itemId] = sheet.items.map((i) => i.id);
      // next year the code D001 names another body, with a liaison of its own
      await createTestCampaign(db, s.services, {
        slug: 'test-2027',
        state: 'draft',
        overrides: { opensAt: '2027-11-01T00:00:00+08:00', closesAt: '2027-12-31T23:59:59+08:00' },
      });
      await db.kysely
        .updateTable('departments')
        .set({ name: '市另一机关' })
        .where('code', '=', 'D001')
        .where('campaign_id', '=', (await s.services.campaigns.getBySlug('test-2027')).id)
        .execute();
      // this year's liaison's header names their own department, not next year's body of the code
      const header = (await page(s.app, '/my', s.people.liaison)).body;
      expect(header).toContain('测试部门1');
      expect(header).not.toContain('市另一机关');
      const newcomer = await loginAs(s.app, s.services, 'liaison', { username: 'liaison-new', departmentCode: 'D001' });
      const get = (path: string) => s.app.request(path, { headers: newcomer.headers() });

      expect(((await (await get('/api/my/notices')).json()) as NoticeSheetList).sheets).toEqual([]);
      expect((await get(`/api/my/notices/${sheet.id}`)).status).toBe(403);
      expect((await get(`/api/my/items/${itemId}`)).status).toBe(403);
      const signed = await s.app.request(`/api/my/notices/${sheet.id}/acknowledge`, {
        method: 'POST',
        headers: newcomer.headers(),
      });
      expect(signed.status).toBe(403);
      const notifications = (await (await get('/api/my/notifications')).json()) as { notifications: unknown[] };
      expect(notifications.notifications).toEqual([]);
      const portal = await page(s.app, '/my', newcomer);
      expect(portal.body).not.toContain(sheet.serialText);

      const own = (await (
        await s.app.request('/api/my/notices', { headers: s.people.liaison.headers() })
      ).json()) as NoticeSheetList;
      expect(own.sheets.map((x) => x.id)).toEqual([sheet.id]);
      const theirs = (await (
        await s.app.request('/api/my/notifications', { headers: s.people.liaison.headers() })
      ).json()) as { notifications: { id: string }[] };
      expect(theirs.notifications.length).toBeGreaterThan(0);
      const opened = await s.app.request(`/api/my/notifications/${theirs.notifications[0].id}/read`, {
        method: 'POST',
        headers: newcomer.headers(),
      });
      expect(opened.status).toBe(404);
    } finally {
      await db.close();
    }
  }, 60_000);
});
