/**
 * The office pages (/admin): every state-changing request goes through fetch with the session's
 * X-CSRF-Token (from data-csrf on <main>). Imports show their summary or an error table with the
 * line and field of every bad row; invitation files download straight from the response.
 */

interface ApiError {
  error: {
    code: string;
    message: string;
    details?: { line?: number; field?: string; path?: string; message: string }[];
  };
}

const root = document.getElementById('admin') as HTMLElement | null;
const csrf = root?.dataset.csrf ?? '';

function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string> = {},
  ...children: (Node | string)[]
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  for (const child of children) node.append(child);
  return node;
}

function table(headers: string[], rows: (Node | string)[][]): HTMLTableElement {
  return el(
    'table',
    {},
    el('thead', {}, el('tr', {}, ...headers.map((h) => el('th', {}, h)))),
    el('tbody', {}, ...rows.map((r) => el('tr', {}, ...r.map((c) => el('td', {}, c))))),
  );
}

async function send(url: string, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  headers.set('X-CSRF-Token', csrf);
  const res = await fetch(url, { ...init, headers, credentials: 'same-origin' });
  if (res.status === 401) {
    location.href = `/login?next=${encodeURIComponent(location.pathname)}`;
  }
  return res;
}

async function errorOf(res: Response): Promise<ApiError['error']> {
  try {
    return ((await res.json()) as ApiError).error;
  } catch {
    return { code: String(res.status), message: `请求失败（${res.status}）` };
  }
}

function showError(target: Element, error: ApiError['error']) {
  target.replaceChildren(el('p', { class: 'error', role: 'alert' }, error.message));
  const details = error.details ?? [];
  if (details.some((d) => d.line !== undefined)) {
    target.append(
      table(
        ['行', '字段', '问题'],
        details.map((d) => [d.line !== undefined ? String(d.line) : '', d.field ?? d.path ?? '', d.message]),
      ),
    );
  } else if (details.length > 1 || (details.length === 1 && details[0].path)) {
    target.append(
      table(
        ['位置', '问题'],
        details.map((d) => [d.path ?? d.field ?? '', d.message]),
      ),
    );
  }
}

function busy(form: HTMLFormElement, on: boolean) {
  for (const b of form.querySelectorAll('button')) (b as HTMLButtonElement).disabled = on;
}

function filenameOf(res: Response, fallback: string): string {
  const header = res.headers.get('content-disposition') ?? '';
  const star = /filename\*=UTF-8''([^;]+)/i.exec(header);
  if (star) return decodeURIComponent(star[1]);
  return /filename="([^"]+)"/.exec(header)?.[1] ?? fallback;
}

async function download(res: Response, fallback: string) {
  const blob = await res.blob();
  const url = URL.createObjectURL(blob);
  const a = el('a', { href: url, download: filenameOf(res, fallback) });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

// create a campaign
const createForm = document.getElementById('create-campaign') as HTMLFormElement | null;
createForm?.addEventListener('submit', async (event) => {
  event.preventDefault();
  const result = createForm.querySelector('.result')!;
  const data = new FormData(createForm);
  const q = data.get('questionnaire');
  if (q instanceof File && q.size === 0) data.delete('questionnaire');
  busy(createForm, true);
  try {
    const res = await send('/api/campaigns', { method: 'POST', body: data });
    if (res.status === 201) {
      const { campaign } = (await res.json()) as { campaign: { slug: string } };
      location.href = `/admin/campaigns/${encodeURIComponent(campaign.slug)}`;
      return;
    }
    showError(result, await errorOf(res));
  } finally {
    busy(createForm, false);
  }
});

// department and evaluator imports
for (const form of document.querySelectorAll<HTMLFormElement>('form.import')) {
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const result = form.querySelector('.result')!;
    const data = new FormData(form);
    const dryRun = data.get('dryRun') === '1';
    data.delete('dryRun');
    busy(form, true);
    result.replaceChildren(el('p', { class: 'muted' }, '正在导入…'));
    try {
      const res = await send(`${form.dataset.endpoint}${dryRun ? '?dryRun=1' : ''}`, { method: 'POST', body: data });
      if (!res.ok) return showError(result, await errorOf(res));
      const { summary } = (await res.json()) as {
        summary: {
          rows: number;
          inserted: number;
          updated: number;
          unchanged: number;
          updatedCodes?: string[];
          ignoredColumns: string[];
          dryRun: boolean;
        };
      };
      result.replaceChildren(
        el(
          'p',
          { class: 'ok' },
          `${summary.dryRun ? '检查通过（未导入）' : '导入完成'}：共 ${summary.rows} 行，新增 ${summary.inserted}，更新 ${summary.updated}，未变 ${summary.unchanged}。`,
        ),
      );
      if (summary.updatedCodes?.length) result.append(el('p', {}, `更新的部门：${summary.updatedCodes.join('、')}`));
      if (summary.ignoredColumns.length)
        result.append(el('p', { class: 'muted' }, `忽略的列：${summary.ignoredColumns.join('、')}`));
    } finally {
      busy(form, false);
    }
  });
}

// generate invitations and download the file
const invitationForm = document.getElementById('invitations') as HTMLFormElement | null;
invitationForm?.addEventListener('submit', async (event) => {
  event.preventDefault();
  const result = invitationForm.querySelector('.result')!;
  const format = String(new FormData(invitationForm).get('format') ?? 'xlsx');
  busy(invitationForm, true);
  try {
    const res = await send(`${invitationForm.dataset.endpoint}?format=${encodeURIComponent(format)}`, {
      method: 'POST',
    });
    if (!res.ok) return showError(result, await errorOf(res));
    const count = res.headers.get('x-invitations-generated') ?? '?';
    await download(res, `invitations.${format === 'letters' ? 'html' : format}`);
    result.replaceChildren(
      el('p', { class: 'ok' }, `已生成 ${count} 个邀请链接，文件已下载。请妥善保存：链接不能再次导出。`),
    );
  } finally {
    busy(invitationForm, false);
  }
});

const publishForm = document.getElementById('publish') as HTMLFormElement | null;
publishForm?.addEventListener('submit', async (event) => {
  event.preventDefault();
  const result = publishForm.querySelector('.result')!;
  if (!confirm('发布后结果不可更改。确定按当前数据计算并发布吗？')) return;
  busy(publishForm, true);
  result.replaceChildren(el('p', { class: 'muted' }, '正在计算（含抽样区间），请稍候…'));
  try {
    const res = await send(publishForm.dataset.endpoint!, { method: 'POST' });
    if (!res.ok) return showError(result, await errorOf(res));
    const snapshot = (await res.json()) as {
      id: string;
      campaign: string;
      counts: { responses: number; included: number; excluded: number };
    };
    result.replaceChildren(
      el(
        'p',
        { class: 'ok' },
        `已发布：${snapshot.counts.responses} 份答卷，纳入计分 ${snapshot.counts.included}，剔除 ${snapshot.counts.excluded}。`,
      ),
      el(
        'a',
        {
          href: `/dashboard?campaign=${encodeURIComponent(snapshot.campaign)}&snapshot=${encodeURIComponent(snapshot.id)}`,
        },
        '查看发布的结果',
      ),
    );
  } finally {
    busy(publishForm, false);
  }
});

// evaluator search and lost-link replacement
const searchForm = document.getElementById('evaluator-search') as HTMLFormElement | null;
const searchResults = document.getElementById('evaluator-results');
searchForm?.addEventListener('submit', async (event) => {
  event.preventDefault();
  if (!searchResults) return;
  const q = String(new FormData(searchForm).get('q') ?? '');
  const res = await send(`${searchForm.dataset.endpoint}?q=${encodeURIComponent(q)}&limit=50`);
  if (!res.ok) return showError(searchResults, await errorOf(res));
  const body = (await res.json()) as {
    total: number;
    evaluators: {
      id: string;
      name: string;
      organisation: string | null;
      category: string;
      categoryLabel: string;
      invited: boolean;
      opened: boolean;
      used: boolean;
    }[];
  };
  if (!body.evaluators.length) {
    searchResults.replaceChildren(el('p', { class: 'muted' }, '没有找到。'));
    return;
  }
  searchResults.replaceChildren(
    el('p', { class: 'muted' }, `找到的前 ${body.evaluators.length} 人（名单共 ${body.total} 人）`),
    table(
      ['姓名', '单位/项目', '类别', '状态', ''],
      body.evaluators.map((e) => {
        const state = e.used ? '已提交' : e.opened ? '已打开' : e.invited ? '已邀请' : '未邀请';
        const cell = el('span');
        if (!e.used) {
          const button = el('button', { type: 'button', class: 'secondary' }, e.invited ? '补发链接' : '生成链接');
          button.addEventListener('click', () => void reissue(searchForm.dataset.endpoint!, e.id, cell));
          cell.append(button);
        }
        return [e.name, e.organisation ?? '', e.categoryLabel, state, cell];
      }),
    ),
  );
});

async function reissue(endpoint: string, evaluatorId: string, cell: HTMLElement) {
  if (!confirm('补发后旧链接立即失效。确定补发？')) return;
  const res = await send(`${endpoint}/${encodeURIComponent(evaluatorId)}/invitation?format=letters`, {
    method: 'POST',
  });
  if (!res.ok) {
    cell.replaceChildren(el('span', { class: 'error' }, (await errorOf(res)).message));
    return;
  }
  await download(res, 'invitation.html');
  cell.replaceChildren(el('span', { class: 'ok' }, '已补发，邀请函已下载'));
}

// add an account: the generated password is shown once
const userForm = document.getElementById('add-user') as HTMLFormElement | null;
userForm?.addEventListener('submit', async (event) => {
  event.preventDefault();
  const result = userForm.querySelector('.result')!;
  const data = Object.fromEntries(new FormData(userForm)) as Record<string, string>;
  if (data.role !== 'liaison') delete data.departmentCode;
  busy(userForm, true);
  try {
    const res = await send('/api/users', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(data),
    });
    if (res.status !== 201) return showError(result, await errorOf(res));
    const body = (await res.json()) as {
      user: { username: string; displayName: string; role: string; departmentCode: string | null };
      password?: string;
    };
    result.replaceChildren(
      el(
        'p',
        { class: 'ok' },
        `已添加 ${body.user.username}。初始密码（只显示这一次）：`,
        el('code', {}, body.password ?? ''),
      ),
    );
    const roleLabel =
      userForm.querySelector<HTMLSelectElement>('select[name="role"]')?.selectedOptions[0]?.textContent ??
      body.user.role;
    document
      .querySelector('#user-list tbody')
      ?.append(
        el(
          'tr',
          {},
          el('td', {}, body.user.username),
          el('td', {}, body.user.displayName),
          el('td', {}, roleLabel),
          el('td', {}, body.user.departmentCode ?? ''),
        ),
      );
    userForm.reset();
  } finally {
    busy(userForm, false);
  }
});
