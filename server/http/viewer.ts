import type { Context } from 'hono';
import { currentUser } from '../accounts/middleware.js';
import type { Services } from '../services.js';
import type { Viewer } from './components/header.js';
import type { AppEnv } from './env.js';

/**
 * The signed-in person of a page request (behind a page guard), with a liaison's department name:
 * the name of the department row the account is bound to in its newest campaign (a code may name
 * another body in a campaign the account is not bound in).
 */
export async function viewerOf(c: Context<AppEnv>, services: Services): Promise<Viewer> {
  const user = currentUser(c);
  if (!user) throw new Error('viewerOf() needs a signed-in request: mount the page behind requirePageRole');
  const departmentName =
    user.role === 'liaison' ? ((await services.accounts.liaisonDepartments(user.id))[0]?.name ?? null) : null;
  return { user, departmentName, csrfToken: c.get('csrfToken'), path: c.req.path };
}
