/** Hono context variables set by middleware. */
export interface SessionUser {
  id: string;
  username: string;
  displayName: string;
  role: 'admin' | 'analyst' | 'liaison';
  departmentCode: string | null;
}

export type AppEnv = {
  Variables: {
    user: SessionUser;
    csrfToken: string;
  };
};
