import type { Context, Hono } from 'hono';
import type { Child } from 'hono/jsx';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { CSRF_FIELD } from '../accounts/middleware.js';
import { AppError } from '../errors.js';
import type { AppEnv } from '../http/env.js';
import type { Services } from '../services.js';
import { attempt, checkForm, readForm, type FormValues } from '../http/forms.js';
import { FIELD_LIMITS, editItemForm, editSheetForm, reasonForm } from './forms.js';
import { actorOf } from './http.js';
import { RESPOND_DAYS } from './machine.js';
import type { SheetDetail } from './service.js';

/**
 * The office's edits of a draft sheet on its page, as plain forms (no script needed): the sheet's
 * 工作要求, each draft item's 整改要求 and response period or its withdrawal, then 印发. What
 * cannot be undone (撤销, 印发) asks for a ticked confirmation, which the server checks, so it
 * holds without a script. A refusal shows the page again with the message and what was typed in
 * the form that was sent.
 */

export type DraftEdit = 'sheet' | 'item' | 'withdraw' | 'issue';

export const DRAFT_DONE: Record<DraftEdit, string> = {
  sheet: '已保存工作要求。',
  item: '已保存事项的整改要求和反馈期限。',
  withdraw: '已撤销该事项：它不会印发给部门，印发时其余事项依次编号。',
  issue: '工作提示单已印发：各事项已挂号，期限已按工作日计算，部门联络员可以签收。',
};

export interface DraftBanner {
  done?: string | null;
  error?: string;
  /** the form the values belong to: 'sheet', 'issue', an item's id or `withdraw-<item id>` */
  tried?: string;
  values?: FormValues;
}

/** The tick an irreversible form needs (checked again by `confirmed`). */
function Confirm({ children }: { children: Child }) {
  return (
    <label class="confirm">
      <input type="checkbox" name="confirm" value="1" required /> {children}
    </label>
  );
}

const confirmed = (values: FormValues, what: string) => {
  if (values.confirm !== '1') throw new AppError('VALIDATION_FAILED', `请勾选确认后再${what}`);
};

function Requirement({ label, value }: { label: string; value: string }) {
  return (
    <label>
      {label}
      <textarea name="requirement" rows={4} maxlength={FIELD_LIMITS.requirement} required>
        {value}
      </textarea>
    </label>
  );
}

export function DraftEditor({
  sheet,
  action,
  csrf,
  banner,
}: {
  sheet: SheetDetail;
  /** the sheet page's address */
  action: string;
  csrf: string;
  banner: DraftBanner;
}) {
  const typed = (form: string) => (banner.tried === form ? (banner.values ?? {}) : {});
  const drafts = sheet.items.filter((i) => i.state === 'draft');
  return (
    <section class="no-print draft-editor" id="draft-editor">
      <h2>修改与印发</h2>
      <form method="post" action={`${action}/edit`} class="stack" id="edit-sheet">
        <input type="hidden" name={CSRF_FIELD} value={csrf} />
        <Requirement label="工作要求" value={typed('sheet').requirement ?? sheet.requirement} />
        <button type="submit" class="secondary">
          保存工作要求
        </button>
      </form>
      {drafts.map((item) => {
        const values = typed(item.id);
        return (
          <form method="post" action={`${action}/items/${item.id}/edit`} class="stack" id={`edit-item-${item.id}`}>
            <h3>
              {item.number} {item.title}
            </h3>
            <input type="hidden" name={CSRF_FIELD} value={csrf} />
            <Requirement label={`${item.number} 整改要求`} value={values.requirement ?? item.requirement} />
            <label>
              {item.number} 反馈期限（印发后工作日，{RESPOND_DAYS.min}–{RESPOND_DAYS.max}）
              <input
                type="number"
                name="respondDays"
                min={RESPOND_DAYS.min}
                max={RESPOND_DAYS.max}
                required
                value={values.respondDays ?? String(item.respondDays)}
              />
            </label>
            <button type="submit" class="secondary">
              保存 {item.number}
            </button>
          </form>
        );
      })}
      {drafts.map((item) => {
        const values = typed(`withdraw-${item.id}`);
        return (
          <details open={banner.tried === `withdraw-${item.id}`}>
            <summary>撤销 {item.number}</summary>
            <form
              method="post"
              action={`${action}/items/${item.id}/withdraw`}
              class="stack"
              id={`withdraw-item-${item.id}`}
            >
              <input type="hidden" name={CSRF_FIELD} value={csrf} />
              <label>
                {item.number} 撤销理由
                <textarea name="reason" rows={2} maxlength={FIELD_LIMITS.reason} required>
                  {values.reason ?? ''}
                </textarea>
              </label>
              <Confirm>确认撤销 {item.number}：撤销后不能恢复，该事项不会印发给部门</Confirm>
              <button type="submit" class="secondary">
                撤销 {item.number}
              </button>
            </form>
          </details>
        );
      })}
      <form method="post" action={`${action}/issue`} class="stack" id="issue-sheet">
        <input type="hidden" name={CSRF_FIELD} value={csrf} />
        <p>
          印发后不能再修改；{drafts.length} 个事项将依次编号并挂号，签收、整改方案和反馈期限从印发之日起按工作日计算。
        </p>
        <Confirm>我已核对以上内容，确认印发（印发后不能撤回）</Confirm>
        <button type="submit">印发工作提示单</button>
      </form>
    </section>
  );
}

type Render = (c: Context<AppEnv>, banner?: DraftBanner, status?: ContentfulStatusCode) => Promise<Response>;

/** POST …/notices/:sheetId/edit, …/items/:itemId/edit, …/items/:itemId/withdraw and …/issue on the office's sheet page. */
export function draftEditRoutes(r: Hono<AppEnv>, services: Services, render: Render) {
  const post = (
    path: string,
    edit: DraftEdit,
    run: (c: Context<AppEnv>, values: FormValues, sheet: SheetDetail) => Promise<unknown>,
    tried: (c: Context<AppEnv>) => string = () => edit,
  ) =>
    r.post(`/campaigns/:slug/notices/:sheetId${path}`, async (c) => {
      const slug = c.req.param('slug') as string;
      const sheet = await services.notices.sheet(slug, c.req.param('sheetId') as string);
      const { values } = await readForm(c);
      const refused = await attempt(() => run(c, values, sheet));
      if (refused) return render(c, { error: refused.message, tried: tried(c), values }, refused.status);
      return c.redirect(`/admin/campaigns/${slug}/notices/${sheet.id}?done=${edit}`, 303);
    });

  post('/edit', 'sheet', (c, values, sheet) =>
    services.notices.editSheet(c.req.param('slug') as string, sheet.id, checkForm(editSheetForm, values), actorOf(c)),
  );
  post(
    '/items/:itemId/edit',
    'item',
    async (c, values, sheet) => {
      const itemId = c.req.param('itemId') as string;
      if (!sheet.items.some((i) => i.id === itemId)) throw new AppError('NOT_FOUND', '这份工作提示单上没有这个事项');
      return services.notices.editItem(itemId, checkForm(editItemForm, values), actorOf(c));
    },
    (c) => c.req.param('itemId') as string,
  );
  post(
    '/items/:itemId/withdraw',
    'withdraw',
    async (c, values, sheet) => {
      const itemId = c.req.param('itemId') as string;
      if (!sheet.items.some((i) => i.id === itemId)) throw new AppError('NOT_FOUND', '这份工作提示单上没有这个事项');
      const { reason } = checkForm(reasonForm('撤销理由'), values);
      confirmed(values, '撤销');
      return services.notices.act(itemId, { type: 'withdraw', reason }, actorOf(c));
    },
    (c) => `withdraw-${c.req.param('itemId')}`,
  );
  post('/issue', 'issue', (c, values, sheet) => {
    confirmed(values, '印发');
    return services.notices.issueSheet(c.req.param('slug') as string, sheet.id, actorOf(c));
  });
}
