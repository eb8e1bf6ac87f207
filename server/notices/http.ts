import type { Context } from 'hono';
import { currentUser } from '../accounts/middleware.js';
import { download } from '../http/download.js';
import type { SessionUser } from '../contracts.js';
import type { AppEnv } from '../http/env.js';
import { viewerOf } from '../http/viewer.js';
import type { Services } from '../services.js';
import type { NoticeActor } from './service.js';

/** What the notices API (routes.ts) and the pages (the liaison's portal, the office's close-out) share. */

/** The signed-in person of a request behind a role guard, as a notices actor: the office (admin) or a department's liaison. */
export function actorOf(c: Context<AppEnv>): NoticeActor {
  const user = currentUser(c) as SessionUser;
  return {
    userId: user.id,
    username: user.username,
    name: user.displayName,
    role: user.role === 'liaison' ? 'liaison' : 'office',
    departmentIds: user.role === 'liaison' ? (c.get('departmentIds') ?? []) : [],
  };
}

/** GET …/items/:id/evidence/:fileId: the file, to whoever may see the item. */
export const evidenceDownload = (services: Services) => async (c: Context<AppEnv>) => {
  const file = await services.notices.evidenceFile(c.req.param('id') ?? '', c.req.param('fileId') ?? '', actorOf(c));
  return download(file.content, file.mediaType, file.fileName);
};

/** An item's page: the item as its viewer may see it, its time zone, its deadlines as of now, the viewer. */
export async function loadItemPage(c: Context<AppEnv>, services: Services, itemId: string) {
  const actor = actorOf(c);
  const item = await services.notices.item(itemId, actor);
  const zone = await services.notices.timeZoneOf(item.campaignId);
  const [deadlines, viewer] = await Promise.all([services.notices.deadlines(zone), viewerOf(c, services)]);
  return { actor, item, zone, deadlines, viewer };
}
