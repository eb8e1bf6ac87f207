import { dirname, join } from 'node:path';
import { z } from 'zod';

/** Process configuration, from the environment. Campaign settings live in campaign configs, not here. */
export const appConfigSchema = z
  .object({
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
    /** outbox mail: smtp[s]://user:pass@host:port (or the parts below); none configured: mail waits in the outbox */
    smtpUrl: z.string().url('SMTP 地址格式不正确，应为 smtp://用户:密码@主机:端口').optional(),
    smtpHost: z.string().min(1).optional(),
    smtpPort: z.coerce.number().int().min(1, 'SMTP 端口应为 1–65535').max(65535, 'SMTP 端口应为 1–65535').default(587),
    smtpUser: z.string().optional(),
    smtpPass: z.string().optional(),
    /** the sender address, e.g. 评议办 <pingyi@example.gov.cn> */
    smtpFrom: z.string().optional(),
    /** SMS through an HTTP gateway: POST JSON {to, text} with a bearer token (docs/DEPLOY.md) */
    smsGatewayUrl: z.string().url('短信网关地址格式不正确，应为 https://…').optional(),
    smsGatewayToken: z.string().min(1).optional(),
    /** reminders go to a person at most once in this many days */
    reminderIntervalDays: z.coerce.number().int().min(1, '提醒间隔至少 1 天').max(365).default(3),
    /** the key named campaigns' links are held under until the close: 32 bytes, base64 or hex */
    invitationKey: z
      .string()
      .refine((k) => keyBytes(k) !== undefined, 'INVITATION_KEY 应为 32 字节的密钥（base64 或 64 位十六进制）')
      .optional(),
    /** else a file holding it, made (mode 0600) on first use: beside the SQLite database unless configured */
    invitationKeyFile: z.string().min(1).optional(),
  })
  .superRefine((c, ctx) => {
    if ((c.smtpUrl || c.smtpHost) && !c.smtpFrom)
      ctx.addIssue({
        code: 'custom',
        path: ['smtpFrom'],
        message: '配置了 SMTP 服务器时必须填写发件地址（SMTP_FROM）',
      });
    if (c.smsGatewayUrl && !c.smsGatewayToken)
      ctx.addIssue({
        code: 'custom',
        path: ['smsGatewayToken'],
        message: '配置了短信网关时必须填写令牌（SMS_GATEWAY_TOKEN）',
      });
    if (c.smtpUser && !c.smtpPass)
      ctx.addIssue({ code: 'custom', path: ['smtpPass'], message: '填写了 SMTP_USER 时必须同时填写 SMTP_PASS' });
  });

export type AppConfig = z.output<typeof appConfigSchema>;

/** The 32 bytes of an invitation key written as base64 (url-safe or not) or 64 hex digits, else undefined. */
export function keyBytes(text: string): Buffer | undefined {
  const t = text.trim();
  const bytes = /^[0-9a-fA-F]{64}$/.test(t)
    ? Buffer.from(t, 'hex')
    : /^[A-Za-z0-9+/_-]{43}=?$/.test(t)
      ? Buffer.from(t, 'base64')
      : undefined;
  return bytes?.length === 32 ? bytes : undefined;
}

export const DEFAULT_SQLITE_PATH = './data/minping.db';
export const isPostgresUrl = (url: string) => /^postgres(ql)?:\/\//.test(url);

/** Where the invitation key file is when INVITATION_KEY_FILE does not say: beside a SQLite database file. */
export function defaultInvitationKeyFile(databaseUrl: string | undefined): string | undefined {
  const path = databaseUrl || DEFAULT_SQLITE_PATH;
  return isPostgresUrl(path) || path === ':memory:' ? undefined : join(dirname(path), 'invitation.key');
}

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
  smtpUrl: 'SMTP_URL',
  smtpHost: 'SMTP_HOST',
  smtpPort: 'SMTP_PORT',
  smtpUser: 'SMTP_USER',
  smtpPass: 'SMTP_PASS',
  smtpFrom: 'SMTP_FROM',
  invitationKey: 'INVITATION_KEY',
  invitationKeyFile: 'INVITATION_KEY_FILE',
  smsGatewayUrl: 'SMS_GATEWAY_URL',
  smsGatewayToken: 'SMS_GATEWAY_TOKEN',
  reminderIntervalDays: 'REMINDER_INTERVAL_DAYS',
};

/** Links on this address open only on the server itself: letters and QR codes for it reach nobody. */
export function isLoopbackUrl(url: string): boolean {
  const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
  return (
    host === 'localhost' || host.endsWith('.localhost') || host === '::1' || host === '0.0.0.0' || /^127\./.test(host)
  );
}

/** The office's warning on the invitations form while PUBLIC_URL points at this machine (no setting names on a page). */
export function loopbackWarning(publicUrl: string): string | null {
  return isLoopbackUrl(publicUrl)
    ? `对外访问地址未设置或指向本机（${publicUrl}）：邀请函、二维码和链接清单里的地址在评议代表的手机上打不开。请系统管理员设置对外访问地址后再打印邀请函。`
    : null;
}

/** What a server start warns of about its environment: told once per start, not once per worker. */
export function startupWarnings(config: Pick<AppConfig, 'publicUrl'>, env: NodeJS.ProcessEnv = process.env): string[] {
  const loopback = isLoopbackUrl(config.publicUrl)
    ? `PUBLIC_URL 未设置或指向本机（${config.publicUrl}）：邀请函、二维码和链接清单里的地址在评议代表的手机上打不开。请把 PUBLIC_URL 设为对外的网址（如 https://minping.example.gov.cn）后重启。`
    : null;
  return [
    ...(env.NETWORK_SALT
      ? []
      : [
          'NETWORK_SALT 未设置：登录限制和答卷的同网段标记用的是公开的默认盐值，可能被反推出地址段。请设置一个足够长的随机密钥，每个服务器进程相同。',
        ]),
    ...(loopback ? [loopback] : []),
  ];
}

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
    smtpUrl: env.SMTP_URL || undefined,
    smtpHost: env.SMTP_HOST || undefined,
    smtpPort: env.SMTP_PORT || undefined,
    smtpUser: env.SMTP_USER || undefined,
    smtpPass: env.SMTP_PASS || undefined,
    smtpFrom: env.SMTP_FROM || undefined,
    smsGatewayUrl: env.SMS_GATEWAY_URL || undefined,
    smsGatewayToken: env.SMS_GATEWAY_TOKEN || undefined,
    reminderIntervalDays: env.REMINDER_INTERVAL_DAYS || undefined,
    invitationKey: env.INVITATION_KEY || undefined,
    invitationKeyFile: env.INVITATION_KEY_FILE || defaultInvitationKeyFile(env.DATABASE_URL),
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
