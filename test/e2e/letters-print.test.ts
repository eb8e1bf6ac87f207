/**
 * Invitation letters as the office prints them: Chromium's print to PDF gives one A4 page per
 * letter, long unit names and all, in the order they are handed out (unit, then name).
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../server/app.js';
import { fixedClock } from '../../server/clock.js';
import { defaultConfig } from '../../server/config.js';
import type { Db } from '../../server/db/connect.js';
import { createServices } from '../../server/services.js';
import { loginAs } from '../helpers/auth.js';
import { browserAvailable, launchBrowser, pdfPages } from '../helpers/browser.js';
import { sqliteDb } from '../helpers/db.js';
import { createTestCampaign } from '../helpers/fixtures.js';
import { csvOf, uploadForm } from '../helpers/sheets.js';

/** 20 evaluators; units and names whose pinyin order is known (an < bei < cheng; li < wang < zhang). */
const LONG_UNIT = '城市轨道交通建设集团有限公司第三工程项目部综合办公室暨安全生产监督管理小组';
const ROSTER: [string, string, string][] = [
  ['张伟', '北京路街道办事处', 'public'],
  ['王芳', '', 'public'],
  ['李娜', LONG_UNIT, 'project'],
  ['欧阳娜娜', '安居物业服务中心', 'public'],
  ['王强', '北京路街道办事处', 'public'],
  ['李静', '北京路街道办事处', 'public'],
  ...Array.from({ length: 14 }, (_, i): [string, string, string] => [
    `评议代表${String(i + 1).padStart(2, '0')}`,
    `${LONG_UNIT}${i + 1}分部`,
    'project',
  ]),
];

describe.skipIf(!browserAvailable())('invitation letters printed from Chromium', () => {
  let db: Db;
  let browser: Browser;
  let html: string;
  let app: ReturnType<typeof createApp>;

  beforeAll(async () => {
    db = await sqliteDb();
    const deps = {
      db,
      config: defaultConfig({ publicUrl: 'https://pj.example.gov.cn' }),
      clock: fixedClock('2026-11-23T08:00:00Z'),
    };
    app = createApp(deps);
    const services = createServices(deps);
    const campaign = await createTestCampaign(db, services);
    const admin = await loginAs(app, services, 'admin');
    const imported = await app.request(`/api/campaigns/${campaign.slug}/evaluators/import`, {
      method: 'POST',
      headers: admin.headers(),
      body: uploadForm(csvOf([['姓名', '单位/项目', '类别'], ...ROSTER]), 'roster.csv'),
    });
    expect(imported.status).toBe(200);
    const letters = await app.request(`/api/campaigns/${campaign.slug}/invitations?format=letters`, {
      method: 'POST',
      headers: admin.headers(),
    });
    expect(letters.status).toBe(200);
    html = await letters.text();
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await db?.close();
  });

  it('prints 20 letters on 20 A4 pages, one letter a page', async () => {
    const page = await browser.newPage();
    await page.setContent(html);
    const pdf = await page.pdf({ preferCSSPageSize: true });
    expect(pdfPages(pdf)).toBe(ROSTER.length);
    const box = /\/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]/.exec(pdf.toString('latin1'));
    expect(Number(box?.[1])).toBeCloseTo(595.3, 0);
    expect(Number(box?.[2])).toBeCloseTo(841.9, 0);
    // the page asks for 仿宋 first; on this machine it falls back to an installed CJK serif, never a box
    const families = await page.$eval('body', (b) => getComputedStyle(b).fontFamily);
    expect(families.startsWith('FangSong')).toBe(true);
    await page.close();
  });

  it('prints each token in groups of four on a line of its own, typed back in any case, spacing and look-alikes', async () => {
    const page = await browser.newPage();
    await page.setContent(html);
    const codes = await page.$$eval('.letter .link .code', (spans) =>
      spans.map((s) => ({
        text: s.textContent ?? '',
        lines: Math.round(s.getBoundingClientRect().height / Number.parseFloat(getComputedStyle(s).lineHeight)),
      })),
    );
    expect(await page.locator('.letter .typing').first().innerText()).toContain('字母不分大小写');
    await page.close();
    expect(codes).toHaveLength(ROSTER.length);
    for (const code of codes) {
      expect(code.text).toMatch(/^([0-9A-HJKMNP-TV-Z]{4}-){9}[0-9A-HJKMNP-TV-Z]{4}$/);
      expect(code.lines).toBe(1);
    }
    const printed = codes[0].text;
    const questionnaire = async (path: string) => {
      const res = await app.request(path);
      expect(res.status, path).toBe(302);
      expect(res.headers.get('location')).toBe(`/s/${printed}`);
      return (await app.request(res.headers.get('location')!)).status;
    };
    const compact = printed.replaceAll('-', '');
    const confused = compact.toLowerCase().replaceAll('0', 'o').replaceAll('1', 'l');
    expect((await app.request(`/s/${compact}`)).status).toBe(200);
    for (const typed of [
      printed.toLowerCase(),
      printed.replaceAll('-', ' '),
      confused,
      // a Chinese keyboard's full-width letters and hyphens
      [...printed].map((ch) => String.fromCharCode(ch.charCodeAt(0) + 0xfee0)).join(''),
    ])
      expect(await questionnaire(`/s/${encodeURIComponent(typed)}`)).toBe(200);
    expect((await app.request(`/api/s/${encodeURIComponent(confused)}`)).status).toBe(200);
    // one symbol off is another, unknown link
    const wrong = `${compact.slice(0, -1)}${compact.endsWith('2') ? '3' : '2'}`;
    expect((await app.request(`/s/${wrong}`)).status).toBe(404);
    expect((await app.request(`/api/s/${wrong}`)).status).toBe(404);
  });

  it('orders the letters by unit, then name, those without a unit last', async () => {
    const page = await browser.newPage();
    await page.setContent(html);
    const addressees = await page.$$eval('.letter .to', (ps) =>
      ps.map((p) => p.textContent?.replace(/\s+/g, '') ?? ''),
    );
    await page.close();
    expect(addressees.slice(0, 4)).toEqual([
      '尊敬的安居物业服务中心欧阳娜娜：',
      '尊敬的北京路街道办事处李静：',
      '尊敬的北京路街道办事处王强：',
      '尊敬的北京路街道办事处张伟：',
    ]);
    expect(addressees[4]).toBe(`尊敬的${LONG_UNIT}李娜：`);
    expect(addressees.at(-1)).toBe('尊敬的王芳：');
  });
});
