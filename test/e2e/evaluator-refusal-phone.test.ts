import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EvaluatorLoad } from '../../server/contracts.js';
import { browserAvailable, browserStage, type BrowserStage } from '../helpers/browser.js';
import { createInvitation, jsonRequest, surveySetup, webAnswers, type SurveySetup } from '../evaluator/helpers.js';

/**
 * A link whose draft answers everything but the last page, with a negative situation of this
 * month (December): refused once the server's day goes back to November.
 */
async function linkAnsweredButTheLastPage(s: SurveySetup): Promise<string> {
  const { token } = await createInvitation(s.db, s.campaign);
  const {
    overall: _,
    suggestion: __,
    ...earlier
  } = webAnswers({
    departments: [{ ...(webAnswers().departments as Record<string, unknown>[])[0] }],
  });
  (earlier.departments as { negatives: { date: string }[] }[])[0].negatives[0].date = '2026-12';
  expect((await s.app.request(`/api/s/${token}/draft`, jsonRequest('PUT', { answers: earlier }))).status).toBe(200);
  return token;
}

const phone = (browser: Browser): Promise<BrowserContext> =>
  browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });

/** An evaluator on a phone whose submission the server refuses. */
describe.skipIf(!browserAvailable())('a refused submission on a phone', () => {
  let stage: BrowserStage;
  let s: SurveySetup;

  beforeAll(async () => {
    stage = await browserStage(async (db) => {
      // named: an anonymous ballot's link is spent once its credential is bought, and keeps no draft
      s = await surveySetup(db, { departments: 30, time: '2026-12-05T08:00:00Z', overrides: { mode: 'named' } });
      return s.app;
    });
  });
  afterAll(async () => {
    await stage?.close();
  });

  const open = async (context: BrowserContext, token: string): Promise<Page> => {
    context.setDefaultTimeout(10_000);
    const page = await context.newPage();
    await page.goto(`${stage.url}/s/${token}`);
    return page;
  };

  it('keeps the last page’s answers as a draft when the submission is refused, so reopening the link restores them', async () => {
    const token = await linkAnsweredButTheLastPage(s);

    const first = await phone(stage.browser);
    const page = await open(first, token);
    await page.getByText('总体评价').first().waitFor();
    await page
      .locator('[data-name="overall"] .sd-selectbase__item')
      .filter({ hasText: /^基本满意$/ })
      .tap();
    await page.locator('[data-name="suggestion"] textarea').fill('窗口服务要再快一些');
    // the server's day goes back to November: December is now after today, and the submission is refused
    s.clock.set('2026-11-20T08:00:00Z');
    await page.getByRole('button', { name: '提交问卷', exact: true }).tap();
    const alert = page.locator('.submit-error [role="alert"]');
    await alert.waitFor();
    // the place in the evaluator's words, the department at fault opened, nothing wider than the phone
    // said once, in the evaluator's words (before: 答案有需要修改的地方： 答案有误：…)
    expect(await alert.textContent()).toBe(
      '请修改这处答案后再提交：测试部门1 · 负面情形1 · 大约时间：不能晚于今天（2026-11）',
    );
    expect(await page.locator('.submit-error').textContent()).not.toContain('departments.');
    await page.locator('[data-name="date"] input').waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await page.screenshot({ path: '/tmp/refused-390.png' });
    await page.locator('#save-status[data-kind="ok"]').waitFor();
    await first.close();
    s.clock.set('2026-12-05T08:00:00Z');

    const { draft } = (await (await s.app.request(`/api/s/${token}`)).json()) as EvaluatorLoad;
    expect(draft!.answers).toMatchObject({ overall: 'basically_satisfied', suggestion: '窗口服务要再快一些' });
    const again = await phone(stage.browser);
    const reopened = await open(again, token);
    await reopened.locator('[data-name="suggestion"] textarea').waitFor();
    expect(await reopened.locator('[data-name="suggestion"] textarea').inputValue()).toBe('窗口服务要再快一些');
    expect(await reopened.locator('[data-name="overall"] input[value="basically_satisfied"]').isChecked()).toBe(true);
    await again.close();
  });

  it('opens the page of a refused general question (not in a department) and focuses it', async () => {
    const token = await linkAnsweredButTheLastPage(s);
    const { draft } = (await (await s.app.request(`/api/s/${token}`)).json()) as EvaluatorLoad;
    // a 工作单位 longer than the campaign takes (100 characters): only the server refuses it
    const answers: Record<string, unknown> = { ...draft!.answers, organisation: '宁波市重大项目建设单位'.repeat(11) };
    (answers.departments as { negatives: { date: string }[] }[])[0].negatives[0].date = '2026-11';
    expect((await s.app.request(`/api/s/${token}/draft`, jsonRequest('PUT', { answers }))).status).toBe(200);

    const context = await phone(stage.browser);
    const page = await open(context, token);
    await page.getByText('总体评价').first().waitFor();
    await page
      .locator('[data-name="overall"] .sd-selectbase__item')
      .filter({ hasText: /^满意$/ })
      .tap();
    await page.getByRole('button', { name: '提交问卷', exact: true }).tap();
    const alert = page.locator('.submit-error [role="alert"]');
    await alert.waitFor();
    expect(await alert.textContent()).toBe('请修改这处答案后再提交：工作单位：不能超过 100 个字');
    // before: the page stayed on the last one, far from 工作单位
    const organisation = page.locator('[data-name="organisation"]');
    await organisation.locator('input, textarea').first().waitFor();
    await page.waitForFunction(() => Boolean(document.activeElement?.closest('[data-name="organisation"]')));
    expect(await page.getByText('总体评价').count()).toBe(0);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await context.close();
  });

  it('wraps the department search block at 360 px: nothing wider than the screen, the hint and the found line read in full', async () => {
    const { token } = await createInvitation(stage.db, s.campaign);
    const context = await stage.browser.newContext({
      viewport: { width: 360, height: 780 },
      isMobile: true,
      hasTouch: true,
    });
    const page = await open(context, token);
    await page.getByRole('button', { name: '下一步', exact: true }).tap();
    const picker = page.locator('.dept-picker');
    await picker.getByText('全部 30 个部门按分组列在下面，也可以在上面输入查找').waitFor();
    const overflowing = () =>
      picker.evaluate((root) =>
        [root, ...root.querySelectorAll('*')]
          .filter((e) => e.getBoundingClientRect().right > innerWidth || e.scrollWidth > e.clientWidth + 1)
          .map((e) => `${e.className}: ${e.textContent?.slice(0, 30)}`),
      );
    expect(await overflowing()).toEqual([]);
    const status = picker.locator('.dept-status');
    expect(await status.evaluate((e) => e.scrollWidth <= e.clientWidth && getComputedStyle(e).whiteSpace)).not.toBe(
      false,
    );
    // the placeholder is said in full (wrapped lines are not possible in an input: a shorter text)
    const search = picker.locator('.dept-search');
    expect(
      await search.evaluate((e: HTMLInputElement) => {
        const probe = document.createElement('span');
        probe.style.font = getComputedStyle(e).font;
        probe.style.whiteSpace = 'nowrap';
        probe.textContent = e.placeholder;
        document.body.append(probe);
        const wide = probe.getBoundingClientRect().width;
        probe.remove();
        const style = getComputedStyle(e);
        return wide <= e.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
      }),
    ).toBe(true);
    await search.fill('部门1');
    await picker.getByText(/^找到 \d+ 个部门/).waitFor();
    expect(await overflowing()).toEqual([]);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
    await page.screenshot({ path: '/tmp/picker-360.png' });
    await context.close();
  });

  it('refuses a negative situation’s month after this month on the department’s own page, in Chinese', async () => {
    const { token } = await createInvitation(stage.db, s.campaign);
    const answers = {
      category: 'project',
      departments: [{ dept: 'D001', efficiency: 'satisfied', quality: 'satisfied' }],
    };
    const put = await s.app.request(`/api/s/${token}/draft`, jsonRequest('PUT', { answers }));
    expect(put.status).toBe(200);
    const context = await phone(stage.browser);
    const page = await open(context, token);
    await page.getByText('总体评价').first().waitFor();
    await page.getByRole('button', { name: '上一步', exact: true }).tap();
    await page.getByRole('button', { name: '添加一条负面情形', exact: true }).tap();
    const date = page.locator('[data-name="date"] input');
    expect(await date.getAttribute('max')).toBe('2026-12');
    await date.fill('2027-03');
    await page.getByRole('button', { name: '下一步', exact: true }).tap();
    await page.locator('[data-name="date"]').getByText('不能晚于本月（2026-12）').waitFor();
    expect(await page.getByText('总体评价').count()).toBe(0);
    await context.close();
  });
});

/** An anonymous evaluator whose ballot the server refuses: the credential is bought, so the link is spent. */
describe.skipIf(!browserAvailable())('a refused anonymous ballot on a phone', () => {
  let stage: BrowserStage;
  let s: SurveySetup;

  beforeAll(async () => {
    stage = await browserStage(async (db) => {
      s = await surveySetup(db, { departments: 3, time: '2026-12-05T08:00:00Z' });
      return s.app;
    });
  });
  afterAll(async () => {
    await stage?.close();
  });

  it('is corrected on the page and cast again with the same credential: the changes wait on the device, the page stays', async () => {
    const token = await linkAnsweredButTheLastPage(s);

    const context = await phone(stage.browser);
    context.setDefaultTimeout(15_000);
    const page = await context.newPage();
    await page.goto(`${stage.url}/s/${token}`);
    await page.getByText('总体评价').first().waitFor();
    await page
      .locator('[data-name="overall"] .sd-selectbase__item')
      .filter({ hasText: /^基本满意$/ })
      .tap();
    // the server's day goes back to November: the December negative is after today, the ballot is refused
    s.clock.set('2026-11-20T08:00:00Z');
    await page.getByRole('button', { name: '提交问卷', exact: true }).tap();
    await page.locator('.submit-error [role="alert"]').waitFor();
    const date = page.locator('[data-name="date"] input');
    await date.fill('2026-11');
    // before: this change went to the spent link as a draft, was refused with 409 and replaced the questionnaire
    await page.locator('#save-status[data-kind="ok"]').getByText('修改已保存在这台设备上').waitFor();
    expect(await page.getByText('这个链接已经用来提交过答卷了').count()).toBe(0);

    const submit = page.getByRole('button', { name: '提交问卷', exact: true });
    for (let i = 0; i < 10 && !(await submit.isVisible()); i++)
      await page.getByRole('button', { name: '下一步', exact: true }).tap();
    await submit.tap();
    await page.getByText(/回执/).first().waitFor();
    const stored = await stage.db.kysely
      .selectFrom('responses')
      .select('record_json')
      .where('campaign_id', '=', s.campaign.id)
      .execute();
    expect(stored).toHaveLength(1);
    expect(JSON.parse(stored[0].record_json).departments[0].negatives[0].date).toBe('2026-11');
    await context.close();
  });

  it('reopening the spent link whose held ballot is refused again shows the questionnaire prefilled from it, corrected and cast once', async () => {
    s.clock.set('2026-12-05T08:00:00Z');
    const token = await linkAnsweredButTheLastPage(s);
    const responses = () =>
      stage.db.kysely.selectFrom('responses').select('record_json').where('campaign_id', '=', s.campaign.id).execute();
    const before = (await responses()).length;

    const context = await phone(stage.browser);
    context.setDefaultTimeout(15_000);
    const first = await context.newPage();
    await first.goto(`${stage.url}/s/${token}`);
    await first.getByText('总体评价').first().waitFor();
    await first
      .locator('[data-name="overall"] .sd-selectbase__item')
      .filter({ hasText: /^比较满意$/ })
      .tap();
    await first.locator('[data-name="suggestion"] textarea').fill('希望多上门服务');
    s.clock.set('2026-11-20T08:00:00Z');
    await first.getByRole('button', { name: '提交问卷', exact: true }).tap();
    await first.locator('.submit-error [role="alert"]').waitFor();
    // the evaluator leaves without correcting: the credential is bought, the link spent
    await first.close();

    const page = await context.newPage();
    await page.goto(`${stage.url}/s/${token}`);
    // before: the held ballot was resent, refused again, and the page ended on 提交没有完成
    const alert = page.locator('.submit-error [role="alert"]');
    await alert.waitFor();
    expect(await page.getByText('提交没有完成').count()).toBe(0);
    expect(await alert.textContent()).toContain('测试部门1 · 负面情形1 · 大约时间：不能晚于今天（2026-11）');
    const date = page.locator('[data-name="date"] input');
    await date.waitFor();
    expect(await date.inputValue()).toBe('2026-12');
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await page.screenshot({ path: '/tmp/spent-link-refused-390.png' });
    await date.fill('2026-11');
    await page.locator('#save-status[data-kind="ok"]').getByText('修改已保存在这台设备上').waitFor();

    const submit = page.getByRole('button', { name: '提交问卷', exact: true });
    for (let i = 0; i < 10 && !(await submit.isVisible()); i++)
      await page.getByRole('button', { name: '下一步', exact: true }).tap();
    // the other answers came back from the held ballot
    expect(await page.locator('[data-name="suggestion"] textarea').inputValue()).toBe('希望多上门服务');
    await submit.tap();
    await page.getByText(/回执/).first().waitFor();
    const stored = await responses();
    expect(stored).toHaveLength(before + 1);
    const record = JSON.parse(stored[stored.length - 1].record_json);
    expect(record.departments[0].negatives[0].date).toBe('2026-11');
    expect(record.overall).toBe('fairly_satisfied');

    // and once more: the link's page now shows the receipt, nothing is cast again
    const again = await context.newPage();
    await again.goto(`${stage.url}/s/${token}`);
    await again.getByText(/回执/).first().waitFor();
    expect(await responses()).toHaveLength(before + 1);
    await context.close();
    s.clock.set('2026-12-05T08:00:00Z');
  });
});
