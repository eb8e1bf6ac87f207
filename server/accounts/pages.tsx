import { Hono, type Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { AdminPage } from '../admin/routes.js';
import type { UserAccount } from '../contracts.js';
import { Layout } from '../http/components/layout.js';
import { Table } from '../http/components/table.js';
import { Time } from '../http/components/time.js';
import type { AppEnv } from '../http/env.js';
import { attempt, readForm } from '../http/forms.js';
import { viewerOf } from '../http/viewer.js';
import type { Services } from '../services.js';
import { DEFAULT_TIME_ZONE, zoneLabel } from '../../web/lib/time.js';
import { CSRF_FIELD, currentUser, requirePageRole } from './middleware.js';
import { ROLE_LABELS } from './service.js';

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

/** One of the row's buttons: a plain form POST with the CSRF token, no script needed. */
function RowAction({ user, action, label, csrf }: { user: UserAccount; action: string; label: string; csrf: string }) {
  return (
    <form method="post" action={`/admin/users/${encodeURIComponent(user.username)}/${action}`} class="row-action">
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

  async function usersPage(c: Context<AppEnv>, banner: Banner = {}, status: ContentfulStatusCode = 200) {
    const [users, viewer] = await Promise.all([services.accounts.listAccounts(), viewerOf(c, services)]);
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
                        <RowAction user={u} action="disable" label="停用" csrf={csrf} />
                      )
                    )}
                    <RowAction user={u} action="reset-password" label="重置密码" csrf={csrf} />
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
      </AdminPage>,
      status,
    );
  }

  app.get('/', (c) => usersPage(c));

  for (const action of ['disable', 'enable'] as const) {
    app.post(`/:username/${action}`, async (c) => {
      const username = c.req.param('username');
      const refused = await attempt(() =>
        services.accounts.setDisabled(username, action === 'disable', currentUser(c)!.username),
      );
      if (refused) return usersPage(c, { error: refused.message }, refused.status);
      return usersPage(c, { ok: ACTIONS[action](username) });
    });
  }

  app.post('/:username/reset-password', async (c) => {
    let password = '';
    const username = c.req.param('username');
    const refused = await attempt(async () => {
      password = (await services.accounts.resetPassword(username, currentUser(c)!.username)).password;
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
