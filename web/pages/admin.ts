/**
 * The office pages (/admin): every state-changing request goes through the session's API client
 * (X-CSRF-Token from the page). Imports show their summary or an error table with the line and
 * field of every bad row; invitation files download straight from the response.
 */
import type {
  CampaignCreated,
  EvaluatorSearch,
  ImportSummary,
  LiaisonAccounts,
  ReminderSummary,
  UserCreated,
} from '../../server/contracts.js';
import { el, reveal, table, whileBusy } from '../lib/dom.js';
import { saveResponse } from '../lib/download.js';
import { showError } from '../lib/errors.js';
import {
  LOST_PASSWORD_ADVICE,
  passwordFileHeaders,
  passwordFileRows,
  RESET_HEADERS,
  unboundText,
} from '../lib/password-file.js';
import { reminderOutcome } from '../lib/reminders.js';
import { csvLink } from '../lib/table.js';
import { sessionApi } from '../lib/session.js';

const api = sessionApi();

/**
 * A form's submit runs `task` with its buttons disabled; a failure is shown in the form's `.result`.
 * `data` is the form's data with the pressed button's name and value, read before the buttons are
 * disabled: a disabled button is left out of a FormData.
 */
function onSubmit(
  form: HTMLFormElement | null,
  task: (form: HTMLFormElement, result: Element, data: FormData) => Promise<void>,
) {
  form?.addEventListener('submit', (event) => {
    event.preventDefault();
    const result = form.querySelector('.result') ?? form;
    const data = new FormData(form, event.submitter);
    void whileBusy(form, () => task(form, result, data)).catch((error) => {
      showError(result, error);
      reveal(result as HTMLElement);
    });
  });
}

// a form sent without the script (an upload, the campaign form) comes back with its refusal summarised
const refusal = document.querySelector<HTMLElement>('.error-summary');
if (refusal) reveal(refusal);

/**
 * The campaign page's parts that an import or a generation changes (what is still missing before
 * opening, the counts), marked data-live: redrawn from the page itself as the server renders it now,
 * so the list has one source and the forms' results stay in place.
 */
async function redrawLive() {
  const live = document.querySelectorAll<HTMLElement>('[data-live][id]');
  if (!live.length) return;
  const res = await api.request(location.pathname, { cache: 'no-store' });
  const fresh = new DOMParser().parseFromString(await res.text(), 'text/html');
  for (const part of live) {
    const now = fresh.getElementById(part.id);
    if (now) part.replaceWith(document.importNode(now, true));
  }
}

/** After a change the rest of the page shows: a failed redraw leaves the old figures, the change is done. */
const afterChange = () => redrawLive().catch(() => undefined);

// create a campaign
onSubmit(document.getElementById('create-campaign') as HTMLFormElement | null, async (form) => {
  const data = new FormData(form);
  const q = data.get('questionnaire');
  if (q instanceof File && q.size === 0) data.delete('questionnaire');
  const { campaign } = await api.json<CampaignCreated>('/api/campaigns', { body: data });
  location.href = `/admin/campaigns/${encodeURIComponent(campaign.slug)}`;
});

// department, evaluator and response imports
for (const importForm of document.querySelectorAll<HTMLFormElement>('form.import')) {
  onSubmit(importForm, async (form, result) => {
    const data = new FormData(form);
    const dryRun = data.get('dryRun') === '1';
    data.delete('dryRun');
    result.replaceChildren(el('p', { class: 'muted' }, '正在导入…'));
    // leaving now loses the answer, and with it the liaisons' first passwords, shown only in it
    window.addEventListener('beforeunload', holdPage);
    const { summary, liaisons } = await api
      .json<{ summary: ImportSummary; liaisons?: LiaisonAccounts }>(
        `${form.dataset.endpoint}${dryRun ? '?dryRun=1' : ''}`,
        { body: data },
      )
      .finally(() => window.removeEventListener('beforeunload', holdPage));
    result.replaceChildren(
      el(
        'p',
        { class: 'ok' },
        `${summary.dryRun ? '检查通过（未导入）' : '导入完成'}：共 ${summary.rows} 行，新增 ${summary.inserted}，更新 ${summary.updated}，未变 ${summary.unchanged}。`,
      ),
    );
    if (summary.updatedCodes?.length) result.append(el('p', {}, `更新的部门：${summary.updatedCodes.join('、')}`));
    if (summary.unboundLiaisons?.length)
      result.append(el('p', { class: 'error' }, unboundText(summary.unboundLiaisons)));
    if (summary.ignoredColumns.length)
      result.append(el('p', { class: 'muted' }, `忽略的列：${summary.ignoredColumns.join('、')}`));
    if (liaisons) showLiaisons(liaisons, result);
    if (!summary.dryRun) await afterChange();
  });
}

/** Asks the browser to confirm leaving the page (its own words: a page's text is not shown). */
function holdPage(event: BeforeUnloadEvent) {
  event.preventDefault();
}

/**
 * The liaison accounts a department import made: their first passwords as a file, this once. An
 * account made before keeps its password: one whose first password never reached its liaison gets
 * a new one on the users page.
 */
function showLiaisons(liaisons: LiaisonAccounts, result: Element) {
  const line = el(
    'p',
    { class: 'ok', id: 'liaison-accounts' },
    `联络员账号：新建 ${liaisons.created.length}，更新姓名 ${liaisons.updated.length}，未变 ${liaisons.unchanged}（已有账号的密码不变）。`,
  );
  result.append(line);
  if (liaisons.updated.length || liaisons.unchanged) {
    const campaign = decodeURIComponent(location.pathname.split('/')[3] ?? '');
    result.append(
      el(
        'p',
        { class: 'muted', id: 'liaison-reset-hint' },
        '已有账号的联络员若没有拿到初始密码，请在“账号”页用',
        el('a', { href: `/admin/users?campaign=${encodeURIComponent(campaign)}#bulk-reset` }, '批量重置联络员密码'),
        '给他们新密码。',
      ),
    );
  }
  for (const s of liaisons.skipped)
    result.append(el('p', { class: 'error' }, `跳过 ${s.username}（部门 ${s.departmentCode}）：${s.reason}`));
  if (!liaisons.created.length) return;
  const link = csvLink('联络员初始密码', passwordFileHeaders('first'), passwordFileRows(liaisons.created));
  link.textContent = '下载新账号的初始密码（.csv，只提供这一次）';
  link.id = 'liaison-passwords';
  line.append(' ', link);
  result.append(el('p', { class: 'muted' }, LOST_PASSWORD_ADVICE));
}

// 批量重置联络员密码: the answer is the one-time file of new passwords, saved as it comes
onSubmit(document.getElementById('bulk-reset-form') as HTMLFormElement | null, async (form, result, data) => {
  const res = await api.request(form.action, { method: 'POST', body: data });
  await saveResponse(res, `联络员新密码-${form.dataset.campaign}.csv`);
  const left = Number(res.headers.get(RESET_HEADERS.disabledLeftOut) ?? 0);
  result.replaceChildren(
    el(
      'p',
      { class: 'ok', role: 'status' },
      `已重置 ${res.headers.get(RESET_HEADERS.count) ?? '?'} 名联络员的密码，新密码文件已下载（只提供这一次，分发后请删除）。他们的旧密码和已登录的会话已失效。`,
    ),
    ...(left ? [el('p', { class: 'muted' }, `已停用的 ${left} 个账号没有重置。`)] : []),
  );
  for (const box of form.querySelectorAll<HTMLInputElement>('input[type="checkbox"]')) box.checked = false;
});

/** The office's "generate anyway" on the invitations form, for links on this machine's address. */
const loopbackConfirmed = () =>
  (document.getElementById('allow-loopback') as HTMLInputElement | null)?.checked ? '&allowLoopback=1' : '';

/** The file name's ending of each invitations format, where it is not the format's name. */
const EXTENSIONS: Record<string, string> = { bundle: 'zip', letters: 'html' };

/** Ask `endpoint` for the links in the form's format and hand the file to the browser; how many links it held. */
async function downloadLinks(form: HTMLFormElement, countHeader: string): Promise<string> {
  const data = new FormData(form);
  const format = String(data.get('format') ?? 'bundle');
  const send = ['sendEmail', 'sendSms'].map((k) => (data.get(k) ? `&${k}=1` : '')).join('');
  const res = await api.request(
    `${form.dataset.endpoint}?format=${encodeURIComponent(format)}${loopbackConfirmed()}${send}`,
    { method: 'POST' },
  );
  const what = format === 'bundle' ? '邀请函和链接' : format === 'letters' ? '邀请函' : '邀请链接';
  await saveResponse(res, `${what}.${EXTENSIONS[format] ?? format}`);
  return res.headers.get(countHeader) ?? '?';
}

// generate invitations and download the file
onSubmit(document.getElementById('invitations') as HTMLFormElement | null, async (form, result) => {
  const count = await downloadLinks(form, 'x-invitations-generated');
  result.replaceChildren(
    el(
      'p',
      { class: 'ok' },
      document.getElementById('invitations-download')
        ? `已生成 ${count} 个邀请链接，文件已下载。活动截止前可再次下载未使用的链接。`
        : `已生成 ${count} 个邀请链接，文件已下载。请妥善保存：链接不能再次导出。`,
    ),
  );
  await afterChange();
});

// remind those who have not submitted (without the link)
onSubmit(document.getElementById('invitations-remind') as HTMLFormElement | null, async (form, result) => {
  const data = new FormData(form);
  const summary = await api.json<ReminderSummary>(form.dataset.endpoint!, {
    body: { email: data.get('email') === '1', sms: data.get('sms') === '1' },
  });
  const mode = form.dataset.mode === 'named' ? 'named' : 'anonymous';
  result.replaceChildren(el('p', { class: 'ok' }, reminderOutcome(mode, summary)));
});

// a named campaign's unused links again
onSubmit(document.getElementById('invitations-download') as HTMLFormElement | null, async (form, result) => {
  const count = await downloadLinks(form, 'x-invitations-count');
  result.replaceChildren(el('p', { class: 'ok' }, `已下载 ${count} 个未使用的邀请链接。`));
});

// evaluator search and lost-link replacement
const searchForm = document.getElementById('evaluator-search') as HTMLFormElement | null;
const searchResults = document.getElementById('evaluator-results');
searchForm?.addEventListener('submit', (event) => {
  event.preventDefault();
  if (!searchResults) return;
  const endpoint = searchForm.dataset.endpoint!;
  const q = String(new FormData(searchForm).get('q') ?? '');
  void search(endpoint, q, searchResults).catch((error) => showError(searchResults, error));
});

/** A reissue's outcome, above the roster's table: in a cell it squeezed the table to a character a line. */
const reissueResult = document.getElementById('reissue-result');

async function search(endpoint: string, q: string, target: HTMLElement) {
  reissueResult?.replaceChildren();
  const body = await api.json<EvaluatorSearch>(`${endpoint}?q=${encodeURIComponent(q)}&limit=50`);
  if (!body.evaluators.length) {
    target.replaceChildren(el('p', { class: 'muted' }, '没有找到。'));
    return;
  }
  target.replaceChildren(
    el(
      'p',
      { class: 'muted' },
      `找到 ${body.matching} 人${body.matching > body.evaluators.length ? `，这里列出前 ${body.evaluators.length} 人` : ''}（名单共 ${body.total} 人）`,
    ),
    table(
      ['姓名', '单位/项目', '类别', '状态', ''],
      body.evaluators.map((e) => {
        const state = e.used ? '已提交' : e.opened ? '已打开' : e.invited ? '已邀请' : '未邀请';
        const cell = el('span');
        if (!e.used) {
          const button = el('button', { type: 'button', class: 'secondary' }, e.invited ? '补发链接' : '生成链接');
          button.addEventListener('click', () => {
            button.disabled = true;
            void reissue(endpoint, e, cell)
              .catch((error) => {
                // the row keeps its button: the office may try again once the reason is dealt with
                if (reissueResult) showError(reissueResult, error, { lead: `${e.name}：` });
              })
              .finally(() => {
                button.disabled = false;
              });
          });
          cell.append(button);
        }
        return [e.name, e.organisation ?? '', e.categoryLabel, state, cell];
      }),
    ),
  );
}

/**
 * While the links point at this machine the confirmation says so, and accepting it is the office's
 * "generate anyway" for this one letter.
 */
async function reissue(endpoint: string, evaluator: { id: string; name: string }, cell: HTMLElement) {
  const loopback = searchForm?.dataset.loopback;
  const question = loopback
    ? `补发后旧链接立即失效。\n\n${loopback}\n\n仍然为${evaluator.name}补发（链接指向本机，仅供试用）？`
    : `补发后旧链接立即失效。确定为${evaluator.name}补发？`;
  if (!confirm(question)) return;
  reissueResult?.replaceChildren();
  const res = await api.request(
    `${endpoint}/${encodeURIComponent(evaluator.id)}/invitation?format=letters${loopback ? '&allowLoopback=1' : ''}`,
    { method: 'POST' },
  );
  await saveResponse(res, '邀请函.html');
  cell.replaceChildren(el('span', { class: 'ok' }, '已补发'));
  reissueResult?.replaceChildren(
    el('p', { class: 'ok', role: 'status' }, `已为${evaluator.name}补发链接，邀请函已下载。`),
  );
  await afterChange();
}

// add an account: the generated password is shown once
onSubmit(document.getElementById('add-user') as HTMLFormElement | null, async (form, result) => {
  const data = Object.fromEntries(new FormData(form)) as Record<string, string>;
  if (data.role !== 'liaison') delete data.departmentCode;
  const body = await api.json<UserCreated>('/api/users', { body: data });
  result.replaceChildren(
    el(
      'p',
      { class: 'ok' },
      `已添加 ${body.user.username}。初始密码（只显示这一次）：`,
      el('code', {}, body.password ?? ''),
    ),
  );
  const roleLabel =
    form.querySelector<HTMLSelectElement>('select[name="role"]')?.selectedOptions[0]?.textContent ?? body.user.role;
  // the server's stacked rows: each cell carries its column's head for the phone's cards
  const heads = [...document.querySelectorAll('#user-list thead th')].map((th) => th.textContent ?? '');
  const cells = [
    body.user.username,
    body.user.displayName,
    roleLabel,
    body.user.departmentCode ?? '',
    '从未登录',
    '正常',
    '',
  ];
  document
    .querySelector('#user-list tbody')
    ?.append(
      el(
        'tr',
        { 'data-username': body.user.username },
        ...cells.map((value, i) =>
          el('td', value ? {} : { class: 'blank' }, el('span', { class: 'cell-head' }, heads[i] ?? ''), value),
        ),
      ),
    );
  form.reset();
});
