import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../server/app.js';
import { fixedClock } from '../../server/clock.js';
import { defaultConfig } from '../../server/config.js';
import { createServices } from '../../server/services.js';
import { EXAMPLE_CONFIG_PATH } from '../../surveys/campaign-config.js';
import { browserAvailable, browserStage, type BrowserStage } from '../helpers/browser.js';
import { bundleOf, csvOf, xlsxRows } from '../helpers/sheets.js';

describe.skipIf(!browserAvailable())('the appraisal office in a real browser', () => {
  let stage: BrowserStage;

  beforeAll(async () => {
    stage = await browserStage(async (db) => {
      const deps = { db, config: defaultConfig(), clock: fixedClock('2026-11-23T08:00:00Z') };
      const services = createServices(deps);
      await services.accounts.addUser(
        { username: 'office', role: 'admin', password: 'office-password-1', displayName: '评议办' },
        'test',
      );
      return createApp(deps);
    });
  });
  afterAll(() => stage?.close());

  it('logs in, creates a campaign, downloads a template, sees every error of each bad import row under the file headers, imports, downloads invitations, watches progress, opens, extends, is refused publication before the close, closes and publishes', async () => {
    const page = await stage.browser.newPage({ viewport: { width: 1200, height: 900 }, acceptDownloads: true });
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(String(e)));

    await page.goto(`${stage.url}/admin`);
    expect(new URL(page.url()).pathname).toBe('/login');
    await page.getByLabel('用户名').fill('office');
    await page.getByLabel('密码').fill('office-password-1');
    await page.getByRole('button', { name: '登录' }).click();
    await page.getByRole('heading', { name: '评议活动', exact: true }).waitFor();

    // create the campaign from the example config
    await page.locator('#create-campaign input[name="config"]').setInputFiles({
      name: 'campaign.yaml',
      mimeType: 'application/yaml',
      buffer: readFileSync(EXAMPLE_CONFIG_PATH),
    });
    await page.getByRole('button', { name: '创建' }).click();
    await page.waitForURL(/\/admin\/campaigns\/demo-2026$/);
    await page.getByRole('heading', { name: '2026年度民主评议机关（示例）' }).waitFor();

    // each upload offers its template, with the office's headers and an example row
    const departmentsForm = page.locator('form.import').first();
    const templateDownload = page.waitForEvent('download');
    await departmentsForm.getByRole('link', { name: '下载导入模板（.xlsx）' }).click();
    const template = await templateDownload;
    expect(template.suggestedFilename()).toBe('部门导入模板-demo-2026.xlsx');
    expect((await xlsxRows(readFileSync(await template.path()))).slice(0, 2)).toEqual([
      ['部门代码', '部门名称', '部门分组', '部门简称', '联络员', '联络员邮箱'],
      ['D001', '市发展和改革委员会', '综合经济管理类', '发改委、发改', '张三', 'zhangsan@example.gov.cn'],
    ]);
    expect(
      await page
        .locator('form.import')
        .nth(1)
        .getByRole('link', { name: '下载导入模板（.xlsx）' })
        .getAttribute('href'),
    ).toBe('/api/campaigns/demo-2026/evaluators/template.xlsx');

    // a departments file with two errors on line 7 and a duplicate on line 8: named by the file's own headers
    const rows = [
      ['代码', '名称', '分组'],
      ['D001', '市发展和改革委员会', '综合经济管理类'],
      ['D002', '市财政局', 'economic'],
      ['D003', '市市场监督管理局', 'enforcement'],
      ['D004', '市公安局', 'enforcement'],
      ['D005', '市教育局', 'service'],
      ['D006', '', '民生类'],
      ['D001', '市审计局', 'economic'],
    ];
    await departmentsForm
      .locator('input[type="file"]')
      .setInputFiles({ name: '部门.csv', mimeType: 'text/csv', buffer: Buffer.from(csvOf(rows)) });
    await departmentsForm.getByRole('button', { name: '上传' }).click();
    const errorTable = departmentsForm.locator('.result table');
    await errorTable.waitFor();
    expect(await errorTable.locator('tbody tr').allInnerTexts()).toEqual([
      '7\t名称\t不能为空',
      expect.stringMatching(/^7\t分组\t不是本活动的部门分组/),
      expect.stringMatching(/^8\t代码\t.*与第 2 行重复/),
    ]);
    expect(await departmentsForm.locator('.result p.error').innerText()).toContain(
      '第7行「名称」：不能为空；「分组」：不是本活动的部门分组',
    );

    // fixed file
    const fixed = rows.slice(0, 7).map((r) => (r[2] === '民生类' ? [r[0], '市民政局', 'service'] : r));
    await departmentsForm
      .locator('input[type="file"]')
      .setInputFiles({ name: '部门.csv', mimeType: 'text/csv', buffer: Buffer.from(csvOf(fixed)) });
    await departmentsForm.getByRole('button', { name: '上传' }).click();
    await departmentsForm.getByText('导入完成：共 6 行，新增 6，更新 0，未变 0。').waitFor();

    const evaluatorsForm = page.locator('form.import').nth(1);
    const roster = csvOf([
      ['姓名', '单位/项目', '类别'],
      ['王建国', '项目部', '项目参建单位/服务对象代表'],
      ['刘芳', '人大', 'deputies'],
      ['陈明', '', 'public'],
    ]);
    await evaluatorsForm
      .locator('input[type="file"]')
      .setInputFiles({ name: '代表.csv', mimeType: 'text/csv', buffer: Buffer.from(roster) });
    await evaluatorsForm.getByRole('button', { name: '上传' }).click();
    await evaluatorsForm.getByText('新增 3').waitFor();

    // generate and download the links: by default every format in one .zip (letters need the
    // confirmation while PUBLIC_URL is this machine)
    await page.getByLabel('仍然生成').check();
    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: '生成并下载' }).click();
    const file = await download;
    expect(file.suggestedFilename()).toMatch(/^2026年度民主评议机关（示例）-邀请函和链接-\d{8}-\d{4}\.zip$/);
    const bundle = await bundleOf(readFileSync(await file.path()));
    expect(bundle.links.xlsx).toEqual([
      expect.stringContaining('/s/'),
      expect.stringContaining('/s/'),
      expect.stringContaining('/s/'),
    ]);
    expect(bundle.links.letters).toEqual(bundle.links.xlsx);
    expect(bundle.links.csv).toEqual(bundle.links.xlsx);
    await page.getByText('已生成 3 个邀请链接').waitFor();

    // progress after a reload
    await page.reload();
    const total = await page.locator('#progress-categories tfoot').innerText();
    expect(total.split(/\s+/).slice(0, 3)).toEqual(['合计', '3', '3']);

    // departments, evaluators and links in: the draft opens, and its deadline is extended
    const status = page.locator('#campaign-status');
    expect(await status.innerText()).toBe('草稿');
    await page.locator('#lifecycle-open summary').click();
    await page.getByRole('button', { name: '确认开启' }).click();
    await page.getByText('评议已开启。').waitFor();
    expect(await status.innerText()).toBe('进行中');
    await page.locator('#campaign-dates input[name="closesAt"]').fill('2027-01-10T18:00:00');
    await page.getByRole('button', { name: '修改截止时间' }).click();
    await page.getByText('活动时间已修改。').waitFor();
    expect(await page.locator('#deadline-moved').innerText()).toMatch(
      /改为 2027-01-10 18:00。已打印的邀请函.*写的仍是原截止时间.*催报提醒.*新的截止时间/,
    );
    expect(await page.locator('#campaign-dates input[name="closesAt"]').inputValue()).toMatch(/^2027-01-10T18:00/);

    // responses typed in from paper forms, then results published
    const responsesForm = page.locator('form.import').nth(2);
    const paper = [
      {
        category: 'project',
        overall: 'satisfied',
        departments: [{ code: 'D001', efficiency: 'satisfied', quality: '比较满意' }],
      },
      {
        category: 'public',
        overall: '基本满意',
        departments: [{ code: 'D002', efficiency: 'dissatisfied', quality: 'unknown', problems: [2] }],
      },
    ]
      .map((r) => JSON.stringify(r))
      .join('\n');
    await responsesForm
      .locator('input[type="file"]')
      .setInputFiles({ name: '纸质答卷.jsonl', mimeType: 'application/json', buffer: Buffer.from(paper) });
    await responsesForm.getByRole('button', { name: '上传' }).click();
    await responsesForm.getByText('导入完成：共 2 行，新增 2').waitFor();

    // no publication before the close: the page offers the interim view only, the confirmation refuses
    await page.locator('#publish-interim').waitFor();
    expect(await page.locator('#publish-link').count()).toBe(0);
    await page.goto(`${stage.url}/admin/campaigns/demo-2026/publish`);
    expect(await page.locator('#publish-error').innerText()).toContain('不能发布结果：评议尚未截止（当前：进行中');
    expect(await page.getByRole('button', { name: '计算并发布' }).count()).toBe(0);
    await page.getByRole('link', { name: '← 返回活动页' }).click();

    // 提前截止 without its tickbox says so beside it; closed early (confirmed), then published
    // behind the confirmation stating what it publishes
    await page.getByRole('button', { name: '提前截止' }).click();
    await page.locator('#lifecycle-close #lifecycle-close-error', { hasText: '请勾选确认后再截止' }).waitFor();
    expect(await status.innerText()).toBe('进行中');
    await page.locator('#lifecycle-close input[name="confirm"]').check();
    await page.getByRole('button', { name: '提前截止' }).click();
    await page.locator('#lifecycle p.ok', { hasText: '已截止本活动' }).waitFor();
    expect(await status.innerText()).toBe('已截止');
    await page.locator('#publish-link').click();
    expect(await page.locator('#publish-summary li').first().innerText()).toMatch(
      /^答卷 2 份，纳入计分 2 份，剔除 0 份/,
    );
    await page.getByLabel('我已核对以上数字，确认发布').check();
    await page.getByRole('button', { name: '计算并发布' }).click();
    await page.getByText('结果已发布。').waitFor();
    expect(await status.innerText()).toBe('已发布');
    await page.locator('#snapshot-list').getByRole('link', { name: '查看' }).click();
    await page.waitForURL(/\/dashboard\?campaign=demo-2026&snapshot=/);

    // an account for a department's liaison, on the users page
    await page.goto(`${stage.url}/admin/users`);
    const userForm = page.locator('#add-user');
    await userForm.getByLabel('用户名').fill('liaison-d001');
    await userForm.getByLabel('部门代码（联络员）').fill('D001');
    await userForm.getByRole('button', { name: '添加' }).click();
    await userForm.getByText('已添加 liaison-d001').waitFor();
    expect(await userForm.locator('.result code').innerText()).toMatch(/^[A-Za-z2-9]{18}$/);
    await page.locator('#user-list td', { hasText: 'liaison-d001' }).first().waitFor();

    // log out
    await page.getByRole('button', { name: '退出登录' }).click();
    await page.waitForURL(/\/login$/);
    expect(pageErrors).toEqual([]);
  }, 120_000);
});
