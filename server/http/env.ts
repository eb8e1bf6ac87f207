import type { SessionUser } from '../contracts.js';

/** Hono context variables set by middleware. */
export type AppEnv = {
  Variables: {
    user: SessionUser;
    csrfToken: string;
  };
};
