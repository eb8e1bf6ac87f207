import { Hono } from 'hono';
import { z } from 'zod';
import type { NotificationList } from '../contracts.js';
import { parseOrThrow } from '../errors.js';
import type { AppEnv } from '../http/env.js';
import { readJsonBody } from '../http/inputs.js';
import type { Services } from '../services.js';
import { actorOf } from './http.js';

const readSchema = z.strictObject({
  ids: z.array(z.string().min(1).max(64), { message: '请给出通知编号列表' }).max(500, '一次最多 500 条').optional(),
});

/** Mounted under /api/my: the liaison's department's notifications, and marking them read. */
export function myNotificationRoutes(services: Services) {
  const r = new Hono<AppEnv>();
  r.get('/notifications', async (c) => {
    const actor = actorOf(c);
    const [notifications, unread] = await Promise.all([
      services.notices.myNotifications(actor, 50),
      services.notifications.unread(actor),
    ]);
    return c.json<NotificationList>({ unread, notifications });
  });
  r.post('/notifications/:id/read', async (c) => {
    const actor = actorOf(c);
    await services.notifications.open(actor, c.req.param('id'));
    return c.json({ unread: await services.notifications.unread(actor) });
  });
  /** `{ ids: [...] }` marks those read; no ids marks them all */
  r.post('/notifications/read', async (c) => {
    const actor = actorOf(c);
    const { ids } = parseOrThrow(readSchema, await readJsonBody(c, '请求'), '请求');
    const marked = await services.notifications.markRead(actor, ids ?? 'all');
    return c.json({ marked, unread: await services.notifications.unread(actor) });
  });
  return r;
}
