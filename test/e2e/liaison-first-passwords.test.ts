/**
 * A department import makes liaison accounts whose first passwords are shown once, in its answer:
 * the page holds the office while the import runs, and a re-import points to the users page's reset.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../server/app.js';
import { fixedClock } from '../../server/clock.js';
import { defaultConfig } from '../../server/config.js';
import { createServices } from '../../server/services.js';
import { browserAvailable, browserStage, type BrowserStage, signIn } from '../helpers/browser.js';
import { createTestCampaign } from '../helpers/fixtures.js';
import { csvOf } from '../helpers/sheets.js';

const PASSWORD = 'office-password-1';
const DEPARTMENTS = csvOf([
  ['部门代码', '部门名称', '部门分组', '联络员'],
  ['D001', '市发展和改革委员会', 'economic', '张三'],
]);

describe.skipIf(!browserAvailable())('liaison first passwords on the campaign page', () => {
  let stage: BrowserStage;

  beforeAll(async () => {
    stage = await browserStage(async (db) => {
      const deps = { db, config: defaultConfig(), clock: fixedClock('2026-11-23T08:00:00Z') };
      const services = createServices(deps);
      await createTestCampaign(db, services, { slug: 'pw-2026', state: 'draft' });
      await services.accounts.addUser({ username: 'office', role: 'admin', password: PASSWORD }, 'test');
      return createApp(deps);
    });
  }, 60_000);
  afterAll(() => stage?.close());

  it('asks before leaving while an import runs, and sends a re-import to 批量重置联络员密码', async () => {
    const context = await stage.browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await signIn(page, stage.url, 'office', PASSWORD);
    await page.goto(`${stage.url}/admin/campaigns/pw-2026`);
    const form = page.locator('form.import').first();
    const upload = async () => {
      await form
        .locator('input[type="file"]')
        .setInputFiles({ name: '部门.csv', mimeType: 'text/csv', buffer: Buffer.from(DEPARTMENTS) });
      await form.getByRole('button', { name: '上传' }).click();
    };

    // the import's answer held back: leaving now asks first
    let release = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    await page.route('**/departments/import*', async (route) => {
      await held;
      await route.continue();
    });
    await upload();
    await form.getByText('正在导入…').waitFor();
    const dialogs: string[] = [];
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.type());
      void dialog.dismiss();
    });
    await page.close({ runBeforeUnload: true });
    await expect.poll(() => dialogs).toEqual(['beforeunload']);
    expect(page.isClosed()).toBe(false);
    release();
    await form.locator('#liaison-passwords').waitFor();
    await page.unrouteAll();

    // done: the page lets go; a re-import keeps the password and says where a new one is made
    await upload();
    await form.getByText('联络员账号：新建 0').waitFor();
    const reset = form.getByRole('link', { name: '批量重置联络员密码' });
    expect(await reset.getAttribute('href')).toBe('/admin/users?campaign=pw-2026#bulk-reset');
    page.removeAllListeners('dialog');
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.type());
      void dialog.accept();
    });
    await page.close({ runBeforeUnload: true });
    await expect.poll(() => page.isClosed()).toBe(true);
    expect(dialogs).toEqual(['beforeunload']);
    await context.close();
  });
});
