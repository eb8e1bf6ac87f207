import { z } from 'zod';

/** Process configuration, from the environment. Campaign settings live in campaign configs, not here. */
export const appConfigSchema = z.object({
  port: z.coerce.number().int().min(0).max(65535).default(3000),
  databaseUrl: z.string().optional(),
  /** PostgreSQL: keep the tables in this schema (created if missing) instead of the default */
  databaseSchema: z.string().regex(/^[a-z_][a-z0-9_]*$/, 'DATABASE_SCHEMA: lower-case letters, digits and _').optional(),
  /** absolute base for links in exports and letters, e.g. https://minping.example.gov.cn */
  publicUrl: z.string().url().default('http://localhost:3000'),
  demo: z
    .enum(['0', '1'])
    .default('1')
    .transform((v) => v === '1'),
  sessionTtlHours: z.coerce.number().positive().default(12),
  /** Secure cookies need HTTPS; off for plain-HTTP local use */
  secureCookies: z
    .enum(['0', '1'])
    .default('0')
    .transform((v) => v === '1'),
  /** secret mixed into network-address hashes (burst flags) so they can't be reversed */
  networkSalt: z.string().default('minping-local'),
  /** trust X-Forwarded-For from a reverse proxy */
  trustProxy: z
    .enum(['0', '1'])
    .default('0')
    .transform((v) => v === '1'),
});

export type AppConfig = z.output<typeof appConfigSchema>;

export function configFromEnv(env: NodeJS.ProcessEnv = process.env): AppConfig {
  return appConfigSchema.parse({
    port: env.PORT,
    databaseUrl: env.DATABASE_URL || undefined,
    databaseSchema: env.DATABASE_SCHEMA || undefined,
    publicUrl: env.PUBLIC_URL || (env.PORT ? `http://localhost:${env.PORT}` : undefined),
    demo: env.MINPING_DEMO,
    sessionTtlHours: env.SESSION_TTL_HOURS,
    secureCookies: env.COOKIE_SECURE,
    networkSalt: env.NETWORK_SALT,
    trustProxy: env.TRUST_PROXY,
  });
}

/** Defaults for tests and embedded use. */
export function defaultConfig(overrides: Partial<AppConfig> = {}): AppConfig {
  return { ...appConfigSchema.parse({}), ...overrides };
}
