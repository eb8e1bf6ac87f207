import { z } from 'zod';

/** Process configuration, from the environment. Campaign settings live in campaign configs, not here. */
export const appConfigSchema = z.object({
  port: z.coerce.number().int().min(0).max(65535).default(3000),
  /** address to listen on */
  host: z.string().min(1).default('0.0.0.0'),
  databaseUrl: z.string().optional(),
  /** PostgreSQL: keep the tables in this schema (created if missing) instead of the default */
  databaseSchema: z
    .string()
    .regex(/^[a-z_][a-z0-9_]*$/, 'DATABASE_SCHEMA: lower-case letters, digits and _')
    .optional(),
  /** PostgreSQL connections per process */
  pgPoolSize: z.coerce.number().int().min(1).max(500).default(10),
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
  /** the heap an import (spreadsheet, JSONL) may use in its worker thread; 200,000 roster rows need about 800 */
  importMemoryMb: z.coerce.number().int().min(32).max(16_384).default(1536),
  /** how long an import may take in its worker thread */
  importTimeoutSeconds: z.coerce.number().int().min(1).max(3600).default(120),
});

export type AppConfig = z.output<typeof appConfigSchema>;

/** The environment variable behind each setting, for error messages. */
const ENV_NAMES: Record<string, string> = {
  port: 'PORT',
  host: 'HOST',
  databaseUrl: 'DATABASE_URL',
  databaseSchema: 'DATABASE_SCHEMA',
  pgPoolSize: 'PG_POOL_SIZE',
  publicUrl: 'PUBLIC_URL',
  demo: 'MINPING_DEMO',
  sessionTtlHours: 'SESSION_TTL_HOURS',
  secureCookies: 'COOKIE_SECURE',
  networkSalt: 'NETWORK_SALT',
  trustProxy: 'TRUST_PROXY',
  importMemoryMb: 'IMPORT_MEMORY_MB',
  importTimeoutSeconds: 'IMPORT_TIMEOUT_SECONDS',
};

/** A bad environment variable: printed as is, no stack trace. */
export class ConfigError extends Error {}

export function configFromEnv(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const parsed = appConfigSchema.safeParse({
    port: env.PORT,
    host: env.HOST || undefined,
    databaseUrl: env.DATABASE_URL || undefined,
    databaseSchema: env.DATABASE_SCHEMA || undefined,
    pgPoolSize: env.PG_POOL_SIZE || undefined,
    publicUrl: env.PUBLIC_URL || (env.PORT ? `http://localhost:${env.PORT}` : undefined),
    demo: env.MINPING_DEMO,
    sessionTtlHours: env.SESSION_TTL_HOURS,
    secureCookies: env.COOKIE_SECURE,
    networkSalt: env.NETWORK_SALT,
    trustProxy: env.TRUST_PROXY,
    importMemoryMb: env.IMPORT_MEMORY_MB || undefined,
    importTimeoutSeconds: env.IMPORT_TIMEOUT_SECONDS || undefined,
  });
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (i) => `${ENV_NAMES[String(i.path[0])] ?? String(i.path[0])}: ${i.message}`,
    );
    throw new ConfigError(`invalid environment: ${problems.join('; ')}`);
  }
  return parsed.data;
}

/** Defaults for tests and embedded use. */
export function defaultConfig(overrides: Partial<AppConfig> = {}): AppConfig {
  return { ...appConfigSchema.parse({}), ...overrides };
}

/** How the server and the CLI open the configured database. */
export const databaseOptions = (config: AppConfig) => ({ schema: config.databaseSchema, poolSize: config.pgPoolSize });
