import type { BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserAvailable, browserStage, type BrowserStage } from '../helpers/browser.js';
import { createInvitation, isSpent, jsonRequest, surveySetup, type SurveySetup } from '../evaluator/helpers.js';
import { setState } from '../helpers/fixtures.js';

/** An evaluator on a phone: 390×844, touch, one department at a time. */
describe.skipIf(!browserAvailable())('evaluator answers on a phone', () => {
  let stage: BrowserStage;
  let s: SurveySetup;
  let phone: BrowserContext;

  beforeAll(async () => {
    stage = await browserStage(async (db) => {
      // a city has ~100 departments; SurveyJS shows the search field from 11 choices on
      s = await surveySetup(db, { departments: 30 });
      return s.app;
    });
    phone = await stage.browser.newContext({
      viewport: { width: 390, height: 844 },
      isMobile: true,
      hasTouch: true,
      deviceScaleFactor: 2,
    });
    phone.setDefaultTimeout(10_000);
  });
  afterAll(async () => {
    await phone?.close();
    await stage?.close();
  });

  const poll = <T>(read: () => Promise<T>) => expect.poll(read, { timeout: 8_000 });
  const button = (page: Page, name: string) => page.getByRole('button', { name, exact: true });
  const panel = (page: Page) => page.locator('[data-name="departmentPanels"] .sd-paneldynamic__panel-wrapper');
  const option = (question: Locator, text: string) =>
    question.locator('.sd-selectbase__item').filter({ hasText: new RegExp(`^${text}$`) });
  const boxes = (items: Locator) =>
    items.evaluateAll((els) =>
      els.map((e) => e.getBoundingClientRect()).map((r) => ({ x: r.x, y: r.y, width: r.width, height: r.height })),
    );

  /** The carousel has settled on one department (while sliding, the old and new both exist). */
  async function atDepartment(page: Page, progress: string, name: string) {
    await panel(page).getByText(progress).first().waitFor();
    await poll(() => panel(page).count()).toBe(1);
    expect(await panel(page).locator('.sd-panel__title').first().textContent()).toBe(name);
  }

  /** Tap the search field, type part of a name (or its pinyin) and tap the match in the list below. */
  const searchField = (page: Page) => page.getByRole('searchbox', { name: '查找部门' });
  const tags = (page: Page) => page.locator('.dept-chosen .dept-tag > span');
  /** Whether `text` has the characters of `typed` in order (门7 is in 测试部门17). */
  const inOrder = (typed: string) => (text: string) => new RegExp([...typed].join('.*')).test(text);
  async function chooseDepartment(page: Page, typed: string, name: string, shown = inOrder(typed)) {
    const search = searchField(page);
    await search.tap();
    await search.fill('');
    await page.keyboard.type(typed);
    const match = page.getByRole('option', { name, exact: true });
    // the list narrows to the matching names
    await poll(async () => (await page.getByRole('option').allTextContents()).every(shown)).toBe(true);
    expect(await page.getByRole('option').count()).toBeLessThan(30);
    await match.tap();
    await poll(() => match.getAttribute('aria-selected')).toBe('true');
  }

  it('chooses three departments by typing, rates them one at a time, is told which department misses a rating, submits and is stored', async () => {
    const { token } = await createInvitation(stage.db, s.campaign);
    const page = await phone.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(String(e)));
    await page.goto(`${stage.url}/s/${token}`);

    // page 1: what the red * means is said up front; the preset category is shown chosen
    await page.getByText('您属于哪一类评议代表？').waitFor();
    await page.getByText('带红色 * 号的题必须回答').waitFor();
    expect(await page.locator('[data-name="category"] input[value="project"]').isChecked()).toBe(true);
    const headerHeight = await page.locator('.evaluator-header').evaluate((e) => e.getBoundingClientRect().height);
    await button(page, '下一步').tap();

    // page 2: search by part of the name, pick three (and one by mistake, removed with its ×)
    await page.getByText('哪些部门您今年打过交道？').waitFor();
    await chooseDepartment(page, '部门12', '测试部门12');
    await chooseDepartment(page, '门7', '测试部门7');
    await chooseDepartment(page, '部门2', '测试部门2');
    await chooseDepartment(page, '25', '测试部门25');
    expect(await tags(page).allTextContents()).toEqual(['测试部门12', '测试部门7', '测试部门2', '测试部门25']);
    const remove = page.getByRole('button', { name: '去掉 测试部门2', exact: true });
    const removeBox = (await remove.boundingBox())!;
    expect(Math.min(removeBox.width, removeBox.height)).toBeGreaterThanOrEqual(40); // no hover needed, big enough for a finger
    await remove.tap();
    await poll(() => tags(page).allTextContents()).toEqual(['测试部门12', '测试部门7', '测试部门25']);
    await button(page, '下一步').tap();

    // page 3: one department at a time, with where it stands
    await atDepartment(page, '第 1 个部门，共 3 个', '测试部门12');
    const efficiency = panel(page).locator('[data-name="efficiency"]');
    // the scale reads top to bottom, one option per line, each a large target
    const rows = await boxes(efficiency.locator('.sd-selectbase__item'));
    expect(rows).toHaveLength(5);
    for (const [i, r] of rows.entries()) {
      expect(r.height).toBeGreaterThanOrEqual(48);
      expect(r.x).toBe(rows[0].x);
      if (i) expect(r.y).toBeGreaterThan(rows[i - 1].y + 40);
    }
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await option(efficiency, '满意').tap();
    await option(panel(page).locator('[data-name="quality"]'), '比较满意').tap();

    // "最多选 3 项": after three the other boxes are out of play, and the note says so
    const problems = panel(page).locator('[data-name="problems"]');
    for (const text of ['推诿扯皮、踢皮球', '不作为、慢作为、办事拖拉', '门好进、脸好看、事难办'])
      await option(problems, text).tap();
    await problems.getByText('已选满 3 项').waitFor();
    const fourth = option(problems, '态度生硬、冷硬横推');
    expect(await fourth.getAttribute('class')).toContain('sd-checkbox--readonly');
    expect(await fourth.evaluate((e) => getComputedStyle(e).borderStyle)).toBe('dashed');
    await fourth.tap();
    expect(await fourth.locator('input').isChecked()).toBe(false);

    // the autosave line never moves the questionnaire
    await page.getByText(/已自动保存/).waitFor();
    expect(await page.locator('.evaluator-header').evaluate((e) => e.getBoundingClientRect().height)).toBe(
      headerHeight,
    );

    await button(page, '下一个部门').tap();
    await atDepartment(page, '第 2 个部门，共 3 个', '测试部门7');

    // a required rating skipped: the department stays, and the message names it
    await option(panel(page).locator('[data-name="efficiency"]'), '不满意').tap();
    await button(page, '下一个部门').tap();
    const error = page.getByText('请为“测试部门7”选择“工作质量”的评价');
    await error.waitFor();
    expect(await error.isVisible()).toBe(true);
    await atDepartment(page, '第 2 个部门，共 3 个', '测试部门7');
    await option(panel(page).locator('[data-name="quality"]'), '不了解').tap();
    await poll(() => error.count()).toBe(0);
    await panel(page)
      .getByRole('textbox', { name: /对该部门的意见和建议/ })
      .fill('希望窗口多开几个');
    await button(page, '下一个部门').tap();

    // the last department: the button now leaves the departments; back goes to the previous one
    await atDepartment(page, '第 3 个部门，共 3 个', '测试部门25');
    await button(page, '上一个部门').waitFor();
    await option(panel(page).locator('[data-name="efficiency"]'), '基本满意').tap();
    await option(panel(page).locator('[data-name="quality"]'), '基本满意').tap();
    await button(page, '下一步').tap();

    // page 4: the submit button is the unmistakable last step
    await page.getByText('这是最后一页').waitFor();
    await option(page.locator('[data-name="overall"]'), '比较满意').tap();
    const submit = button(page, '提交问卷');
    const submitBox = (await submit.boundingBox())!;
    expect(submitBox.height).toBeGreaterThanOrEqual(56);
    expect(submitBox.width).toBeGreaterThan(180);
    await submit.tap();

    await page.getByText('提交成功，感谢您的参与！').waitFor();
    await page.getByText('现在可以关闭这个页面了。').waitFor();
    expect(await page.locator('.receipt dd').first().textContent()).toMatch(/^[2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]{4}$/);
    expect(pageErrors).toEqual([]);

    const responses = await stage.db.kysely.selectFrom('responses').selectAll().execute();
    expect(responses).toHaveLength(1);
    const record = JSON.parse(responses[0].record_json);
    expect(record).toMatchObject({
      category: 'project',
      overall: 'fairly_satisfied',
      departments: [
        {
          code: 'D012',
          ratings: { efficiency: 'satisfied', quality: 'fairly_satisfied' },
          problems: [1, 2, 3],
          negatives: [],
        },
        {
          code: 'D007',
          ratings: { efficiency: 'dissatisfied', quality: 'unknown' },
          problems: [],
          suggestion: '希望窗口多开几个',
        },
        { code: 'D025', ratings: { efficiency: 'basically_satisfied', quality: 'basically_satisfied' }, problems: [] },
      ],
    });
    expect(record.departments).toHaveLength(3);
    expect(responses[0].duration_seconds).toBeGreaterThan(0);
    expect(await isSpent(stage.db, token)).toBe(true);
    await page.close();
  }, 60_000);

  it('asks before a tap on × throws away the answers given for a department, and keeps them when told no', async () => {
    const { token } = await createInvitation(stage.db, s.campaign);
    await s.app.request(
      `/api/s/${token}/draft`,
      jsonRequest('PUT', {
        answers: { category: 'project', departments: [{ dept: 'D003', efficiency: 'satisfied' }, { dept: 'D005' }] },
        elapsedSeconds: 30,
      }),
    );
    const page = await phone.newPage();
    await page.goto(`${stage.url}/s/${token}`);
    await atDepartment(page, '第 1 个部门，共 2 个', '测试部门3');
    await button(page, '上一步').tap();
    const chosen = tags(page);
    await poll(() => chosen.allTextContents()).toEqual(['测试部门3', '测试部门5']);
    const dialogs: string[] = [];
    const removeButton = (name: string) => page.getByRole('button', { name: `去掉 ${name}`, exact: true });

    page.once('dialog', (dialog) => (dialogs.push(dialog.message()), void dialog.dismiss()));
    await removeButton('测试部门3').tap();
    await poll(async () => dialogs.length).toBe(1);
    expect(dialogs[0]).toBe('去掉“测试部门3”后，已为它填写的评价会被清空。确定去掉吗？');
    expect(await chosen.allTextContents()).toEqual(['测试部门3', '测试部门5']);

    // an unanswered department goes without a question
    await removeButton('测试部门5').tap();
    await poll(() => chosen.allTextContents()).toEqual(['测试部门3']);
    expect(dialogs).toHaveLength(1);

    page.once('dialog', (dialog) => void dialog.accept());
    await removeButton('测试部门3').tap();
    await poll(() => chosen.allTextContents()).toEqual([]);
    await page.close();
  });

  it('shows a skipped rating’s message at the body’s size or larger, dark on light and announced, and names the button that removes a negative situation', async () => {
    const { token } = await createInvitation(stage.db, s.campaign);
    await s.app.request(
      `/api/s/${token}/draft`,
      jsonRequest('PUT', { answers: { category: 'project', departments: [{ dept: 'D003' }] }, elapsedSeconds: 30 }),
    );
    const page = await phone.newPage();
    await page.goto(`${stage.url}/s/${token}`);
    await atDepartment(page, '第 1 个部门，共 1 个', '测试部门3');
    await button(page, '下一步').tap();

    const alert = page.getByRole('alert').filter({ hasText: '请为“测试部门3”选择“工作效率”的评价' });
    await alert.waitFor();
    const message = alert.getByText('请为“测试部门3”选择“工作效率”的评价', { exact: true });
    const look = await message.evaluate((e) => {
      const channels = (css: string) => (css.match(/[\d.]+/g) ?? []).slice(0, 3).map(Number);
      const luminance = (css: string) => {
        const [r, g, b] = channels(css).map((c) => {
          const v = c / 255;
          return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
        });
        return 0.2126 * r + 0.7152 * g + 0.0722 * b;
      };
      let back: Element | null = e;
      while (back && getComputedStyle(back).backgroundColor === 'rgba(0, 0, 0, 0)') back = back.parentElement;
      const [fg, bg] = [luminance(getComputedStyle(e).color), luminance(getComputedStyle(back!).backgroundColor)];
      return {
        size: Number.parseFloat(getComputedStyle(e).fontSize),
        body: Number.parseFloat(getComputedStyle(document.body).fontSize),
        contrast: (Math.max(fg, bg) + 0.05) / (Math.min(fg, bg) + 0.05),
      };
    });
    expect(look.size).toBeGreaterThanOrEqual(look.body);
    expect(look.contrast).toBeGreaterThanOrEqual(7);

    // a negative situation added by mistake: the button below it says what it does
    await page.getByRole('button', { name: '添加一条负面情形', exact: true }).tap();
    const entries = panel(page).locator('[data-name="negatives"] .sd-paneldynamic__panel-wrapper');
    await poll(() => entries.count()).toBe(1);
    const remove = page.getByRole('button', { name: '删除这一条', exact: true });
    await remove.scrollIntoViewIfNeeded();
    expect((await remove.boundingBox())!.height).toBeGreaterThanOrEqual(40);
    await remove.tap();
    await poll(() => entries.count()).toBe(0);
    await page.close();
  });

  it('steps through the departments in English with ?lang=en and names the department in the message', async () => {
    const { token } = await createInvitation(stage.db, s.campaign);
    await s.app.request(
      `/api/s/${token}/draft`,
      jsonRequest('PUT', {
        answers: { category: 'project', departments: [{ dept: 'D002' }, { dept: 'D004' }] },
        elapsedSeconds: 30,
      }),
    );
    const page = await phone.newPage();
    await page.goto(`${stage.url}/s/${token}?lang=en`);
    await atDepartment(page, 'Department 1 of 2', '测试部门2');
    await button(page, 'Next department').tap();
    await page.getByText('Please rate "Work efficiency" for 测试部门2').waitFor();
    await option(panel(page).locator('[data-name="efficiency"]'), 'Satisfied').tap();
    await option(panel(page).locator('[data-name="quality"]'), "Don't know").tap();
    await button(page, 'Next department').tap();
    await atDepartment(page, 'Department 2 of 2', '测试部门4');
    await button(page, 'Previous department').waitFor();
    await button(page, 'Next').waitFor();
    await page.close();
  });

  it('finds a department by characters in order (住建), by pinyin initials (zjj) and full pinyin, grouped by department group, and picks it', async () => {
    // departments join the roster before the campaign opens (afterwards only liaisons and short names change)
    await s.services.roster.importDepartments(
      await setState(stage.db, s.campaign, 'draft'),
      {
        filename: '部门.csv',
        bytes: new TextEncoder().encode(
          [
            '代码,名称,分组,简称',
            'H01,市住房和城乡建设局,enforcement,住建局',
            'H02,市交通运输局,enforcement,',
            'H03,市自然资源和规划局,service,资规局、规划局',
          ].join('\n'),
        ),
      },
      { actor: 'test' },
    );
    await setState(stage.db, s.campaign, 'open');
    const { token } = await createInvitation(stage.db, s.campaign);
    const page = await phone.newPage();
    await page.goto(`${stage.url}/s/${token}`);
    await button(page, '下一步').tap();
    await page.getByText('哪些部门您今年打过交道？').waitFor();

    const housing = '市住房和城乡建设局';
    const search = searchField(page);
    await search.tap();
    await page.keyboard.type('住建');
    const results = page.getByRole('listbox');
    // the match sits under its group's heading
    const group = results.getByRole('group', { name: '执法监管类' });
    await poll(() => results.getByRole('option').allTextContents()).toEqual([`${housing}住建局`]);
    await group.getByRole('option', { name: housing, exact: true }).waitFor();
    await page.getByRole('option', { name: housing, exact: true }).tap();
    await poll(() => tags(page).allTextContents()).toEqual([housing]);

    // pinyin initials: the same department, shown as chosen, first in the list
    await search.fill('');
    await page.keyboard.type('zjj');
    await poll(async () => (await results.getByRole('option').allTextContents())[0]).toBe(`${housing}住建局`);
    expect(await page.getByRole('option', { name: housing, exact: true }).getAttribute('aria-selected')).toBe('true');
    await page.screenshot({ path: 'test-results/department-search-phone.png' }).catch(() => undefined);

    // full pinyin picks another
    await chooseDepartment(page, 'jiaotong', '市交通运输局', () => true);
    expect(await tags(page).allTextContents()).toEqual([housing, '市交通运输局']);
    await button(page, '下一步').tap();
    await atDepartment(page, '第 1 个部门，共 2 个', housing);
    await page.close();
  });
});
