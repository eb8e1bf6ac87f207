/** How the browser scripts show a failure: its message, then the line and field of each detail. */
import type { ErrorDetail } from '../../server/contracts.js';
import { ApiError } from './api.js';
import { table } from './dom.js';

const HEADERS = {
  zh: { lines: ['行', '字段', '问题'], places: ['位置', '问题'] },
  en: { lines: ['Line', 'Field', 'Problem'], places: ['Where', 'Problem'] },
} as const;

/** The message a person reads for anything thrown. */
export function messageOf(error: unknown): string {
  if (error instanceof Error && error.message) return error.message;
  return '出现了意外的错误，请刷新页面后重试';
}

/**
 * Replaces the target's content with the error's message (announced: role=alert), preceded by
 * `lead`. Details follow as a table: with line numbers (a file import) as line · field · problem,
 * otherwise as place (the field's name, else its path) · problem when there is more than one or it names a place.
 */
export function showError(target: Element, error: unknown, options: { lead?: string; lang?: 'zh' | 'en' } = {}) {
  const headers = HEADERS[options.lang ?? 'zh'];
  const message = document.createElement('p');
  message.className = 'error';
  message.setAttribute('role', 'alert');
  message.textContent = `${options.lead ?? ''}${messageOf(error)}`;
  target.replaceChildren(message);
  const details: ErrorDetail[] = error instanceof ApiError ? error.details : [];
  if (details.some((d) => d.line !== undefined)) {
    target.append(
      table(
        [...headers.lines],
        details.map((d) => [d.line !== undefined ? String(d.line) : '', d.field ?? d.path ?? '', d.message]),
      ),
    );
  } else if (details.length > 1 || details[0]?.path || details[0]?.field) {
    target.append(
      table(
        [...headers.places],
        details.map((d) => [d.field ?? d.path ?? '', d.message]),
      ),
    );
  }
}
