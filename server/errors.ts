import './zod-messages.js';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { z } from 'zod';
import type { ErrorBody, ErrorCode, ErrorDetail } from './contracts.js';

/**
 * The one error format of the API: `{ error: { code, message, details? } }` (ErrorBody in
 * server/contracts.ts), and the HTTP status of each fixed code.
 */
export const ERROR_STATUS = {
  BAD_REQUEST: 400,
  VALIDATION_FAILED: 422,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  CSRF_FAILED: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  ALREADY_SUBMITTED: 409,
  IDEMPOTENCY_KEY_REUSED: 409,
  CAMPAIGN_NOT_OPEN: 403,
  CAMPAIGN_CLOSED: 403,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  TOO_MANY_REQUESTS: 429,
  INTERNAL_SERVER_ERROR: 500,
  SERVICE_UNAVAILABLE: 503,
} as const satisfies Record<ErrorCode, ContentfulStatusCode>;

export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: ErrorDetail[],
  ) {
    super(message);
    this.name = 'AppError';
  }
  get status(): ContentfulStatusCode {
    return ERROR_STATUS[this.code];
  }
}

/**
 * A refusal for a setting the server lacks. The office reads what is missing and that the system
 * administrator sets it; the settings' names (environment variables: an operator's words, in
 * docs/DEPLOY.md) are printed by the CLI only, never sent to a page.
 */
export class SettingMissing extends AppError {
  constructor(
    message: string,
    readonly settings: string[],
    details?: ErrorDetail[],
    /** what the command line does instead (a flag), printed by the CLI after the settings */
    readonly cliHint?: string,
  ) {
    super('CONFLICT', message, details);
  }
}

/** A refusal for now (429): the client may try again after `retryAfter` seconds (sent as Retry-After). */
export class TooManyRequests extends AppError {
  constructor(
    message: string,
    readonly retryAfter: number,
  ) {
    super('TOO_MANY_REQUESTS', message);
  }
}

/** zod issues as error details, paths joined with dots. */
export function zodDetails(error: z.ZodError, line?: number): ErrorDetail[] {
  return error.issues.map((issue) => ({
    path: issue.path.map(String).join('.') || undefined,
    ...(line === undefined ? {} : { line }),
    message: issue.message,
  }));
}

/**
 * Parse with a zod schema or throw a VALIDATION_FAILED AppError naming every bad field. With
 * `fieldNames` (a form's top-level fields in the office's words) a detail's `field` is that name
 * and the message reads `添加账号：用户名必填`; without, the key path: `用户: username: 必填`.
 */
export function parseOrThrow<T extends z.ZodType>(
  schema: T,
  value: unknown,
  what: string,
  fieldNames?: Record<string, string>,
): z.output<T> {
  const result = schema.safeParse(value);
  if (!result.success) {
    if (fieldNames) {
      const details = result.error.issues.map((issue) => {
        const name = issue.path.length ? (fieldNames[String(issue.path[0])] ?? String(issue.path[0])) : undefined;
        return { ...(name ? { field: name } : {}), message: issue.message };
      });
      const first = details[0];
      throw new AppError('VALIDATION_FAILED', `${what}：${first.field ?? ''}${first.message}`, details);
    }
    const details = zodDetails(result.error);
    const first = details[0];
    throw new AppError(
      'VALIDATION_FAILED',
      `${what}: ${first?.path ? `${first.path}: ` : ''}${first?.message ?? 'invalid'}`,
      details,
    );
  }
  return result.data;
}

/**
 * At most this many details in an answer: a file of 60,000 bad lines is refused with the first
 * 100 and a count, never a body of megabytes. Checks stop collecting once they have this many.
 */
export const MAX_ERROR_DETAILS = 100;

export function errorBody(code: ErrorCode, message: string, details?: ErrorDetail[]): ErrorBody {
  const shown = details?.slice(0, MAX_ERROR_DETAILS);
  return {
    error: {
      code,
      message,
      ...(shown?.length ? { details: shown } : {}),
      ...(details && details.length > MAX_ERROR_DETAILS ? { detailCount: details.length } : {}),
    },
  };
}
