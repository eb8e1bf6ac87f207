import type { Child } from 'hono/jsx';
import { CSRF_FIELD } from '../../accounts/middleware.js';

/**
 * A step that can't be taken back: its button unfolds what will happen and the button that
 * confirms it (a <details>: the same by keyboard, mouse and touch, no script needed). Only that
 * button sends confirm=1, which the server checks.
 */
export function ConfirmStep({
  action,
  csrf,
  label,
  confirm,
  secondary,
  id,
  inRow,
  fields = {},
  children,
}: {
  /** where the confirmed form posts */
  action: string;
  csrf: string;
  label: string;
  confirm: string;
  secondary?: boolean;
  id?: string;
  /** a table row's step (drawn smaller, named by `data-action`) */
  inRow?: string;
  /** hidden fields the step posts with */
  fields?: Record<string, string>;
  children: Child;
}) {
  return (
    <details class={inRow ? 'confirm-step row-confirm' : 'confirm-step'} id={id} data-action={inRow}>
      <summary class={secondary ? 'button secondary' : 'button'}>{label}…</summary>
      <form method="post" action={action} class="stack">
        <input type="hidden" name={CSRF_FIELD} value={csrf} />
        {Object.entries(fields).map(([name, value]) => (
          <input type="hidden" name={name} value={value} />
        ))}
        {children}
        <div>
          <button type="submit" name="confirm" value="1">
            {confirm}
          </button>
        </div>
      </form>
    </details>
  );
}
