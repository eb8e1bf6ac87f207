import type { SessionUser } from '../contracts.js';
import type { Viewer } from './components/header.js';

/** Hono context variables set by middleware. */
export type AppEnv = {
  Variables: {
    user: SessionUser;
    csrfToken: string;
    /** the sessions row of the request's cookie (sha256 of it) */
    sessionId: string;
    /** a liaison's department rows (liaison_departments), one per campaign: what their notices may reach */
    departmentIds: readonly string[];
    /** the signed-in person as a page's header shows them (see viewerOf), for pages built outside a route: errors */
    viewer: () => Promise<Viewer>;
  };
};
