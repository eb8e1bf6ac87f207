import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { z } from 'zod';
import { text } from '../../surveys/text.js';
import type { AppConfig } from '../config.js';
import type { CurrentSession, PasswordReset, SessionBody, UserChanged, UserCreated, UserList } from '../contracts.js';
import type { AppEnv } from '../http/env.js';
import { readJsonBody } from '../http/inputs.js';
import { AppError, parseOrThrow, TooManyRequests } from '../errors.js';
import { Layout } from '../http/components/layout.js';
import type { Services } from '../services.js';
import { currentUser, requireRole, SESSION_COOKIE } from './middleware.js';
import { NEW_USER_FIELDS, ROLE_MESSAGE, ROLES, type Role } from './service.js';
import { navigationLeadsTo } from '../http/components/header.js';
import { loginNetworkKey } from './network.js';
import type { SessionInfo } from './service.js';

const loginSchema = z.object({
  username: text().trim().min(1, '请输入用户名').max(100),
  password: text().min(1, '请输入密码').max(200),
});

function setSessionCookie(c: Context, config: AppConfig, session: SessionInfo & { cookie: string }) {
  setCookie(c, SESSION_COOKIE, session.cookie, {
    httpOnly: true,
    sameSite: 'Lax',
    secure: config.secureCookies,
    path: '/',
    maxAge: Math.max(1, Math.floor(config.sessionTtlHours * 3600)),
  });
}

function clearSessionCookie(c: Context, config: AppConfig) {
  deleteCookie(c, SESSION_COOKIE, { path: '/', secure: config.secureCookies, httpOnly: true, sameSite: 'Lax' });
}

async function endSession(c: Context, services: Services, config: AppConfig) {
  const session = await services.accounts.authenticate(getCookie(c, SESSION_COOKIE));
  if (session) await services.accounts.logout(session);
  clearSessionCookie(c, config);
}

/**
 * A login form posted from another site is refused (login CSRF). Browsers send `Origin` with every
 * POST; `null` (a sandboxed frame, a data: page, a privacy redirect) names no site and is refused.
 * Without `Origin` (a script, an old browser) `Sec-Fetch-Site` still tells a cross-site post. The
 * expected host is the request's own; `X-Forwarded-Host` only counts behind a trusted proxy.
 */
function assertSameOrigin(c: Context, config: Pick<AppConfig, 'trustProxy'>) {
  const refuse = () => {
    throw new AppError('FORBIDDEN', '来源不明的登录请求');
  };
  const origin = c.req.header('origin');
  if (origin === undefined) {
    if (c.req.header('sec-fetch-site') === 'cross-site') refuse();
    return;
  }
  let host: string;
  try {
    host = new URL(origin).host;
  } catch {
    return refuse();
  }
  const forwarded = config.trustProxy ? c.req.header('x-forwarded-host')?.split(',').pop()?.trim() : undefined;
  const expected = forwarded || c.req.header('host') || new URL(c.req.url).host;
  if (!host || host !== expected) refuse();
}

const sessionBody = (s: Pick<SessionInfo, 'user' | 'csrfToken' | 'expiresAt'>): SessionBody => ({
  user: s.user,
  csrfToken: s.csrfToken,
  expiresAt: s.expiresAt,
});

/** `/api/auth`: login (JSON), logout, the current session and its CSRF token. */
export function authRoutes(services: Services, config: AppConfig) {
  const app = new Hono<AppEnv>();

  app.post('/login', async (c) => {
    assertSameOrigin(c, config);
    const body = parseOrThrow(loginSchema, await readJsonBody(c, '登录'), '登录');
    const session = await services.accounts.login({ ...body, networkKey: loginNetworkKey(c, config) });
    setSessionCookie(c, config, session);
    return c.json(sessionBody(session));
  });

  app.post('/logout', requireRole(), async (c) => {
    await endSession(c, services, config);
    return c.json({ ok: true });
  });

  app.get('/session', requireRole(), (c) => {
    c.header('Cache-Control', 'no-store');
    return c.json({ user: currentUser(c)!, csrfToken: c.get('csrfToken') } satisfies CurrentSession);
  });

  return app;
}

const newUserBody = z.strictObject({
  username: z.string(),
  role: z.enum(ROLES, { message: ROLE_MESSAGE }),
  departmentCode: z.string().optional(),
  displayName: z.string().optional(),
  password: z.string().optional(),
});

const passwordChangeBody = z.strictObject({ currentPassword: z.string(), newPassword: z.string() });

/**
 * `/api/users`: anyone signed in changes their own password (`POST /me/password`, the current one
 * required); the office lists accounts, adds one, disables or enables one (disabling ends its
 * sessions) and resets a password (generated passwords are shown once, in the answer).
 */
export function usersRoutes(services: Services) {
  const app = new Hono<AppEnv>();

  app.post('/me/password', requireRole(), async (c) => {
    const body = parseOrThrow(passwordChangeBody, await readJsonBody(c, '修改密码'), '修改密码');
    await services.accounts.changePassword({ user: currentUser(c)!, sessionId: c.get('sessionId') }, body);
    return c.json({ ok: true });
  });

  app.use('*', requireRole('admin'));

  app.get('/', async (c) => {
    c.header('Cache-Control', 'no-store');
    return c.json({ users: await services.accounts.listAccounts() } satisfies UserList);
  });

  for (const [path, disabled] of [
    ['disable', true],
    ['enable', false],
  ] as const) {
    app.post(`/:username/${path}`, async (c) => {
      const user = await services.accounts.setDisabled(c.req.param('username'), disabled, currentUser(c)!.username);
      return c.json({ user } satisfies UserChanged);
    });
  }

  app.post('/:username/reset-password', async (c) => {
    const reset = await services.accounts.resetPassword(c.req.param('username'), currentUser(c)!.username);
    c.header('Cache-Control', 'no-store');
    return c.json(reset satisfies PasswordReset);
  });

  app.post('/', async (c) => {
    const body = parseOrThrow(newUserBody, await readJsonBody(c, '添加账号'), '添加账号', NEW_USER_FIELDS);
    const blank = (v: string | undefined) => (v?.trim() ? v : undefined);
    const { user, password, generated } = await services.accounts.addUser(
      {
        ...body,
        departmentCode: blank(body.departmentCode),
        displayName: blank(body.displayName),
        password: blank(body.password),
      },
      currentUser(c)!.username,
    );
    c.header('Cache-Control', 'no-store');
    return c.json({ user, ...(generated ? { password } : {}) } satisfies UserCreated, 201);
  });

  return app;
}

/** Where a login lands without `next`: the office's pages, the analysts' dashboard, a liaison's notices. */
function defaultLanding(role: Role): string {
  return role === 'admin' ? '/admin' : role === 'analyst' ? '/dashboard' : '/my';
}

/** Only a local path may be a redirect target after login. */
function safeNext(next: unknown): string | undefined {
  return typeof next === 'string' && /^\/(?![/\\])[^\s]*$/.test(next) ? next : undefined;
}

/**
 * Where a signed-in role goes: `next` unless it is a page of another role's navigation (a liaison
 * sent to /admin), which would only answer 没有权限; then the role's own landing page.
 */
function landing(role: Role, next: string | undefined): string {
  if (!next) return defaultLanding(role);
  const path = next.split(/[?#]/)[0];
  const othersOnly = !navigationLeadsTo(role, path) && ROLES.some((r) => navigationLeadsTo(r, path));
  return othersOnly ? defaultLanding(role) : next;
}

function LoginPage({ next, username, error }: { next?: string; username?: string; error?: string }) {
  return (
    <Layout title="登录 · 民主评议机关系统" styles={['admin.css']}>
      <main class="login">
        <h1>民主评议机关系统</h1>
        <p class="muted">评议办、分析人员和部门联络员登录</p>
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        <form method="post" action="/login" class="stack">
          <input type="hidden" name="next" value={next ?? ''} />
          <label>
            用户名 <input name="username" autocomplete="username" required value={username ?? ''} />
          </label>
          <label>
            密码 <input name="password" type="password" autocomplete="current-password" required />
          </label>
          <button type="submit">登录</button>
        </form>
      </main>
    </Layout>
  );
}

/** The site's front door `/`: straight to the page of the signed-in role, else to the login form. */
export function frontDoor() {
  const app = new Hono<AppEnv>();
  app.get('/', (c) => {
    const user = currentUser(c);
    return c.redirect(user ? defaultLanding(user.role) : '/login', 303);
  });
  return app;
}

/** Mounted at /login: a plain form (no script needed) that posts back here and redirects on success. */
export function loginPageRoutes(services: Services, config: AppConfig) {
  const app = new Hono<AppEnv>();
  // Under the site-wide `no-referrer` a browser posts this form with `Origin: null`, which the
  // origin check refuses; `same-origin` sends the real Origin here and still nothing off-site.
  app.use('*', async (c, next) => {
    await next();
    c.header('Referrer-Policy', 'same-origin');
  });

  app.get('/', (c) => {
    const user = currentUser(c);
    const next = safeNext(c.req.query('next'));
    if (user) return c.redirect(landing(user.role, next), 303);
    return c.html(<LoginPage next={next} />);
  });

  const tooLarge = (c: Context) =>
    c.html(<LoginPage error="提交的登录内容太长（超过 16 KB），没有处理：请重新输入用户名和密码" />, 413);
  app.post('/', bodyLimit({ maxSize: 16 * 1024, onError: tooLarge }), async (c) => {
    assertSameOrigin(c, config);
    const form = await c.req.parseBody().catch(() => ({}) as Record<string, unknown>);
    const next = safeNext(form.next);
    const parsed = loginSchema.safeParse(form);
    if (!parsed.success) return c.html(<LoginPage next={next} error="请输入用户名和密码" />, 422);
    try {
      const session = await services.accounts.login({ ...parsed.data, networkKey: loginNetworkKey(c, config) });
      setSessionCookie(c, config, session);
      return c.redirect(landing(session.user.role, next), 303);
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      const retryAfter = error instanceof TooManyRequests ? error.retryAfter : undefined;
      return c.html(
        <LoginPage next={next} username={parsed.data.username} error={error.message} />,
        error.status === 429 || error.status === 401 || error.status === 403 ? error.status : 400,
        retryAfter ? { 'Retry-After': String(retryAfter) } : {},
      );
    }
  });

  return app;
}

/**
 * Mounted at /logout: the header's sign-out form (a plain POST with the CSRF token in its field,
 * no script needed). Ends the session and goes to the login page; without a session it just goes there.
 */
export function logoutPageRoutes(services: Services, config: AppConfig) {
  const app = new Hono<AppEnv>();
  app.post('/', async (c) => {
    await endSession(c, services, config);
    return c.redirect('/login', 303);
  });
  return app;
}
