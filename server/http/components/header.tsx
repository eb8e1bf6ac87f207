import { ROLE_LABELS } from '../../accounts/service.js';
import type { SessionUser } from '../../contracts.js';

/** Who is looking at a signed-in page, as the header shows them. */
export interface Viewer {
  user: SessionUser;
  /** a liaison's department by name (null when no campaign lists their department code) */
  departmentName: string | null;
  /** sent by the sign-out form in its `csrf` field */
  csrfToken: string;
  /** the request path, to mark the current navigation link */
  path: string;
}

const NAVIGATION: Record<SessionUser['role'], { href: string; label: string }[]> = {
  admin: [
    { href: '/admin', label: '评议活动' },
    { href: '/admin/users', label: '账号' },
    { href: '/admin/closeout', label: '核验销号' },
    { href: '/dashboard', label: '结果分析' },
  ],
  analyst: [{ href: '/dashboard', label: '结果分析' }],
  liaison: [
    { href: '/my', label: '工作提示单' },
    { href: '/my/results', label: '本部门评议结果' },
  ],
};

const covers = (href: string, path: string) => !href.includes('#') && (path === href || path.startsWith(`${href}/`));

/** Whether the role's navigation leads to `path`: a page under one of its links. */
export const navigationLeadsTo = (role: SessionUser['role'], path: string) =>
  NAVIGATION[role].some((l) => covers(l.href, path));

/** The link of the current page: the longest that covers the path (/my/results, not /my). */
function currentLink(links: { href: string }[], path: string): string | undefined {
  return links
    .filter((l) => covers(l.href, path))
    .map((l) => l.href)
    .sort((a, b) => b.length - a.length)[0];
}

/**
 * The one header of every signed-in page: the system's name (home is the role's landing page),
 * the role's navigation, who is signed in, and a sign-out form that works without a script.
 */
export function Header({ viewer: { user, departmentName, csrfToken, path } }: { viewer: Viewer }) {
  return (
    <header class="site-header no-print" id="site-header" data-role={user.role}>
      <a class="brand" href="/">
        民主评议机关系统
      </a>
      <nav class="site-nav" aria-label="主导航">
        {NAVIGATION[user.role].map(({ href, label }) => (
          <a href={href} aria-current={href === currentLink(NAVIGATION[user.role], path) ? 'page' : undefined}>
            {label}
          </a>
        ))}
      </nav>
      <p class="who">
        <span class="person">{user.displayName}</span>
        <span class="role">{ROLE_LABELS[user.role]}</span>
        {user.role === 'liaison' && <span class="department">{departmentName ?? user.departmentCode}</span>}
        <a class="password" href="/account/password">
          修改密码
        </a>
      </p>
      <form class="sign-out" method="post" action="/logout">
        <input type="hidden" name="csrf" value={csrfToken} />
        <button type="submit" class="secondary">
          退出登录
        </button>
      </form>
    </header>
  );
}
