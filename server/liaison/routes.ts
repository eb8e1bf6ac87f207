import { Hono } from 'hono';
import { currentUser, requireRole } from '../accounts/middleware.js';
import { AppError } from '../errors.js';
import type { AppEnv } from '../http/env.js';
import type { Services } from '../services.js';
import { myNoticesRoutes } from '../notices/routes.js';
import { myNotificationRoutes } from '../notices/notification-routes.js';

/** Mounted at /api/my: what a department liaison reads of their own department, nothing else. */
export function liaisonRoutes(services: Services) {
  const r = new Hono<AppEnv>();
  r.use('*', requireRole('liaison'));

  r.get('/results', async (c) => {
    const user = currentUser(c)!;
    if (!user.departmentCode) throw new AppError('FORBIDDEN', '您的账号没有关联部门');
    return c.json(
      await services.results.departmentResults(
        user.departmentCode,
        await services.accounts.liaisonDepartments(user.id),
      ),
    );
  });
  r.route('/', myNoticesRoutes(services));
  r.route('/', myNotificationRoutes(services));

  return r;
}
