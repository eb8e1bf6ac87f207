import { Hono, type Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { AdminPage } from '../admin/routes.js';
import type { UserAccount } from '../contracts.js';
import { Layout } from '../http/components/layout.js';
import { ConfirmStep } from '../http/components/confirm-step.js';
import { Table } from '../http/components/table.js';
import { Time } from '../http/components/time.js';
import type { AppEnv } from '../http/env.js';
import { attempt, readForm } from '../http/forms.js';
import { viewerOf } from '../http/viewer.js';
import type { Services } from '../services.js';
import { DEFAULT_TIME_ZONE, zoneLabel } from '../../web/lib/time.js';
import { CSRF_FIELD, currentUser, requirePageRole } from './middleware.js';
import { ROLE_LABELS } from './service.js';
import type { Campaign } from '../campaigns/repository.js';
import { AppError } from '../errors.js';
import { CSV_TYPE, download } from '../http/download.js';
import { wantsJson } from '../http/errors.js';
import { RESET_HEADERS } from '../../web/lib/password-file.js';
import { liaisonPasswordsCsv } from './liaisons.js';
import type { CampaignLiaison } from './repository.js';
import { readFormBody } from '../http/inputs.js';

/** What the page says above the list after an action: done, refused, or a new password shown once. */
interface Banner {
  ok?: string;
  error?: string;
  password?: { username: string; value: string };
}

/** What was done or refused, above the form. */
function Said({ banner }: { banner: Banner }) {
  return (
    <>
      {banner.ok && (
        <p class="ok" role="status">
          {banner.ok}
        </p>
      )}
      {banner.error && (
        <p class="error" role="alert">
          {banner.error}
        </p>
      )}
    </>
  );
}

/**
 * 批量重置联络员密码: the liaisons of one campaign (chosen above the list), several ticked or all;
 * the answer is the one-time file of their new passwords (a plain form POST; admin.js saves it and
 * says how many).
 */
function BulkLiaisonReset({
  campaigns,
  chosen,
  liaisons,
  csrf,
}: {
  campaigns: Campaign[];
  chosen: Campaign | undefined;
  liaisons: CampaignLiaison[];
  csrf: string;
}) {
  const enabled = liaisons.filter((l) => !l.disabled);
  return (
    <section class="card" id="bulk-reset">
      <h2>批量重置联络员密码</h2>
      <p class="muted">
        几名或全部联络员遗失密码时：选择评议活动，勾选联络员（或全部），生成新密码文件（.csv，只提供这一次）。他们的旧密码和已登录的会话立即失效。
      </p>
      {campaigns.length === 0 ? (
        <p class="muted">还没有评议活动。</p>
      ) : (
        <>
          <form method="get" action="/admin/users#bulk-reset" class="inline" id="bulk-reset-campaign">
            <label>
              评议活动
              <select name="campaign">
                {campaigns.map((c) => (
                  <option value={c.slug} selected={c.id === chosen?.id}>
                    {c.name}
                  </option>
                ))}
              </select>
            </label>
            <button type="submit" class="secondary">
              列出联络员
            </button>
          </form>
          {chosen && enabled.length === 0 ? (
            <p class="muted">“{chosen.name}”还没有可用的部门联络员账号。</p>
          ) : (
            chosen && (
              <form
                method="post"
                action="/admin/users/reset-liaison-passwords"
                class="stack"
                id="bulk-reset-form"
                data-campaign={chosen.slug}
              >
                <input type="hidden" name={CSRF_FIELD} value={csrf} />
                <input type="hidden" name="campaign" value={chosen.slug} />
                <fieldset class="liaison-choice">
                  <legend>
                    “{chosen.name}”的联络员（{enabled.length} 名）
                  </legend>
                  {enabled.map((l) => (
                    <label class="check">
                      <input type="checkbox" name="usernames" value={l.username} />
                      <span>
                        {l.departments.map((d) => `${d.name}（${d.code}）`).join('、')}
                        {l.displayName} {l.displayName !== l.username && <code>{l.username}</code>}
                      </span>
                    </label>
                  ))}
                </fieldset>
                {liaisons.length > enabled.length && (
                  <p class="muted">已停用的联络员账号不在列表里：先启用，再重置密码。</p>
                )}
                <label class="check">
                  <input type="checkbox" name="confirm" value="1" required />
                  <span>我知道：这些联络员的旧密码和已登录的会话立即失效，新密码只在下载的文件里出现这一次</span>
                </label>
                <span class="row-actions">
                  <button type="submit" name="scope" value="chosen">
                    重置勾选的联络员密码
                  </button>
                  <button type="submit" name="scope" value="all" class="secondary">
                    重置全部 {enabled.length} 名联络员的密码
                  </button>
                </span>
                <div class="result" aria-live="polite"></div>
              </form>
            )
          )}
        </>
      )}
    </section>
  );
}

/** Where a step on one account posts. */
const userAction = (user: UserAccount, action: string) => `/admin/users/${encodeURIComponent(user.username)}/${action}`;

/** One of the row's buttons: a plain form POST with the CSRF token, no script needed. */
function RowAction({ user, action, label, csrf }: { user: UserAccount; action: string; label: string; csrf: string }) {
  return (
    <form method="post" action={userAction(user, action)} class="row-action">
      <input type="hidden" name={CSRF_FIELD} value={csrf} />
      <button type="submit" class="secondary">
        {label}
      </button>
    </form>
  );
}

const ACTIONS = {
  disable: (u: string) => `已停用账号 ${u}：不能再登录，已登录的会话已结束。`,
  enable: (u: string) => `已启用账号 ${u}。`,
} as const;

/**
 * Mounted at /admin/users (the office): every account with its role, a liaison's department,
 * last sign-in and state; disable or enable one (disabling ends its sessions at once), reset a
 * password (the new one is shown once, on the answer page); add an account (admin.js).
 */
export function usersPages(services: Services) {
  const app = new Hono<AppEnv>();
  app.use('*', requirePageRole('admin'));

  async function usersPage(
    c: Context<AppEnv>,
    banner: Banner = {},
    status: ContentfulStatusCode = 200,
    campaignSlug = c.req.query('campaign'),
  ) {
    const [users, viewer, campaigns] = await Promise.all([
      services.accounts.listAccounts(),
      viewerOf(c, services),
      services.campaigns.list(),
    ]);
    // the newest campaign unless one was chosen
    const chosen = campaigns.find((k) => k.slug === campaignSlug) ?? campaigns[0];
    const [liaisons, stamps] = await Promise.all([
      chosen ? services.accounts.campaignLiaisons(chosen.id) : [],
      services.accounts.passwordStamps(users.map((u) => u.username)),
    ]);
    const zone = DEFAULT_TIME_ZONE;
    const csrf = viewer.csrfToken;
    c.header('Cache-Control', 'no-store');
    return c.html(
      <AdminPage viewer={viewer} title="账号">
        <h1>账号</h1>
        <Said banner={banner} />
        {banner.password && (
          <p class="ok" role="status" id="new-password">
            已为 {banner.password.username} 生成新密码（只显示这一次，旧密码和已登录的会话已失效）：
            <code>{banner.password.value}</code>
          </p>
        )}
        <section class="card" id="accounts">
          <Table
            id="user-list"
            stacked
            rows={users}
            rowAttributes={(u) => ({ 'data-username': u.username, ...(u.disabled ? { class: 'disabled' } : {}) })}
            columns={[
              { head: '用户名', cell: (u) => u.username },
              { head: '姓名', cell: (u) => u.displayName, text: true },
              { head: '角色', cell: (u) => ROLE_LABELS[u.role] },
              {
                head: '部门',
                cell: (u) => (u.departmentCode ? `${u.departmentName ?? ''}（${u.departmentCode}）` : ''),
                text: true,
              },
              {
                head: `最近登录（${zoneLabel(zone)}）`,
                cell: (u) => (u.lastLoginAt ? <Time at={u.lastLoginAt} zone={zone} /> : '从未登录'),
              },
              { head: '状态', cell: (u) => (u.disabled ? <strong class="flag">已停用</strong> : '正常') },
              {
                head: '操作',
                cell: (u) => (
                  <span class="row-actions">
                    {u.disabled ? (
                      <RowAction user={u} action="enable" label="启用" csrf={csrf} />
                    ) : (
                      u.username !== viewer.user.username && (
                        <ConfirmStep
                          action={userAction(u, 'disable')}
                          inRow="disable"
                          secondary
                          label="停用"
                          confirm="确认停用"
                          csrf={csrf}
                        >
                          <p>
                            停用后 {u.username}{' '}
                            不能再登录；已登录的会话立即结束（正打开的页面下一步就会退出登录，没保存的内容会丢失）；随时可以再启用。
                          </p>
                        </ConfirmStep>
                      )
                    )}
                    <ConfirmStep
                      action={userAction(u, 'reset-password')}
                      inRow="reset-password"
                      secondary
                      label="重置密码"
                      confirm="确认重置"
                      csrf={csrf}
                      fields={{ stamp: stamps.get(u.username) ?? '' }}
                    >
                      <p>
                        重置后 {u.username}{' '}
                        的旧密码立即失效，已登录的会话立即结束；新密码只在下一页显示这一次，请当面或通过安全渠道交给本人。
                      </p>
                    </ConfirmStep>
                  </span>
                ),
              },
            ]}
          />
          <p class="muted">
            停用的账号不能登录，已登录的会话立即失效；重置密码后旧密码失效，新密码只显示一次，请当面或通过安全渠道交给本人。
            部门联络员账号也可以随部门名单的“联络员”列一并生成。
          </p>
        </section>
        <section class="card">
          <h2>添加账号</h2>
          <form id="add-user" class="inline">
            <label>
              用户名 <input name="username" required />
            </label>
            <label>
              姓名 <input name="displayName" />
            </label>
            <label>
              角色
              <select name="role">
                <option value="liaison">部门联络员</option>
                <option value="analyst">分析人员</option>
                <option value="admin">评议办</option>
              </select>
            </label>
            <label>
              部门代码（联络员） <input name="departmentCode" size={8} />
            </label>
            <button type="submit">添加</button>
            <div class="result" aria-live="polite"></div>
          </form>
          <p class="muted">系统生成密码并只显示一次，请当面或通过安全渠道交给本人。</p>
        </section>
        <BulkLiaisonReset campaigns={campaigns} chosen={chosen} liaisons={liaisons} csrf={csrf} />
      </AdminPage>,
      status,
    );
  }

  // after a disable or enable (a redirect, so a reload does nothing): what was done, if it still holds
  app.get('/', async (c) => {
    const done = c.req.query('done');
    const username = c.req.query('account') ?? '';
    if (done !== 'disable' && done !== 'enable') return usersPage(c);
    const [account] = await services.accounts.listAccounts().then((all) => all.filter((u) => u.username === username));
    const holds = account && account.disabled === (done === 'disable');
    return usersPage(c, holds ? { ok: ACTIONS[done](username) } : {});
  });
  // the answer page's address, opened again (a bookmark, a new tab): the list, not 页面不存在
  app.get('/:username/reset-password', (c) => c.redirect('/admin/users', 303));

  for (const action of ['disable', 'enable'] as const) {
    app.post(`/:username/${action}`, async (c) => {
      const username = c.req.param('username');
      const { values } = await readForm(c);
      const refused = await attempt(async () => {
        if (action === 'disable' && values.confirm !== '1')
          throw new AppError('VALIDATION_FAILED', '请先点“停用…”，再点“确认停用”');
        await services.accounts.setDisabled(username, action === 'disable', currentUser(c)!.username);
      });
      if (refused) return usersPage(c, { error: refused.message }, refused.status);
      return c.redirect(`/admin/users?done=${action}&account=${encodeURIComponent(username)}#accounts`, 303);
    });
    // a refusal's address opened again: the list, not 页面不存在
    app.get(`/:username/${action}`, (c) => c.redirect('/admin/users', 303));
  }

  // one path segment: never a username's /:username/… route
  app.post('/reset-liaison-passwords', async (c) => {
    const form = await readFormBody(c, '无法读取提交的表单，请返回重试', { all: true });
    const texts = (name: string) => [form[name] ?? []].flat().filter((v): v is string => typeof v === 'string');
    const [slug] = texts('campaign');
    let answer: Response | undefined;
    const refused = await attempt(async () => {
      if (!texts('confirm').includes('1'))
        throw new AppError('VALIDATION_FAILED', '请先勾选“我知道：这些联络员的旧密码和已登录的会话立即失效…”');
      const campaign = await services.campaigns.getBySlug(slug ?? '');
      const which = texts('scope').includes('all') ? { all: true as const } : { usernames: texts('usernames') };
      const { reset, disabledLeftOut } = await services.accounts.resetLiaisonPasswords(
        campaign,
        which,
        currentUser(c)!.username,
      );
      answer = download(liaisonPasswordsCsv(reset, 'reset'), CSV_TYPE, `联络员新密码-${campaign.slug}.csv`);
      answer.headers.set(RESET_HEADERS.count, String(reset.length));
      answer.headers.set(RESET_HEADERS.disabledLeftOut, String(disabledLeftOut.length));
    });
    if (!refused && answer) return answer;
    // admin.js's request shows the refusal in the form; a plain form's post gets the page again
    if (refused && wantsJson(c)) throw refused;
    return usersPage(c, { error: refused?.message }, refused?.status, slug);
  });

  // the new password is shown on the answer to the POST (it never rides a redirect or a cookie), so
  // a reload posts the form again: its stamp then names a password already replaced, and is refused
  app.post('/:username/reset-password', async (c) => {
    let password = '';
    const username = c.req.param('username');
    const { values } = await readForm(c);
    const refused = await attempt(async () => {
      if (values.confirm !== '1' || !values.stamp)
        throw new AppError('VALIDATION_FAILED', '请先点“重置密码…”，再点“确认重置”');
      password = (await services.accounts.resetPassword(username, currentUser(c)!.username, values.stamp)).password;
    });
    if (refused) return usersPage(c, { error: refused.message }, refused.status);
    return usersPage(c, { password: { username, value: password } });
  });

  return app;
}

/** Mounted at /account: anyone signed in changes their own password, the current one required. */
export function accountPages(services: Services) {
  const app = new Hono<AppEnv>();
  app.use('*', requirePageRole());

  async function passwordPage(c: Context<AppEnv>, banner: Banner = {}, status: ContentfulStatusCode = 200) {
    const viewer = await viewerOf(c, services);
    return c.html(
      <Layout title="修改密码 · 民主评议机关系统" styles={['admin.css']} viewer={viewer}>
        <main id="account" class="login">
          <h1>修改密码</h1>
          <Said banner={banner} />
          <form method="post" action="/account/password" class="stack" id="change-password">
            <input type="hidden" name={CSRF_FIELD} value={viewer.csrfToken} />
            <label>
              当前密码 <input name="currentPassword" type="password" autocomplete="current-password" required />
            </label>
            <label>
              新密码（至少 10 个字符）{' '}
              <input name="newPassword" type="password" autocomplete="new-password" required minlength={10} />
            </label>
            <label>
              再输入一次新密码{' '}
              <input name="confirmPassword" type="password" autocomplete="new-password" required minlength={10} />
            </label>
            <button type="submit">修改密码</button>
          </form>
          <p class="muted">修改后，本账号在其他设备上的登录会话将结束，本设备保持登录。</p>
        </main>
      </Layout>,
      status,
    );
  }

  app.get('/password', (c) => passwordPage(c));

  app.post('/password', async (c) => {
    const { values } = await readForm(c);
    if ((values.newPassword ?? '') !== (values.confirmPassword ?? ''))
      return passwordPage(c, { error: '两次输入的新密码不一致' }, 422);
    const refused = await attempt(() =>
      services.accounts.changePassword(
        { user: currentUser(c)!, sessionId: c.get('sessionId') },
        { currentPassword: values.currentPassword ?? '', newPassword: values.newPassword ?? '' },
      ),
    );
    if (refused) return passwordPage(c, { error: refused.details?.[0]?.message ?? refused.message }, refused.status);
    return passwordPage(c, { ok: '密码已修改。下次登录请使用新密码。' });
  });

  return app;
}
