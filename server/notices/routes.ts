import { Hono, type Context } from 'hono';
import { z } from 'zod';
import { requireRole } from '../accounts/middleware.js';
import { parseOrThrow } from '../errors.js';
import type { NoticeItemDetail, NoticeItemView, NoticeSheetList, NoticeSheetView } from '../contracts.js';
import { DOCX_TYPE, download } from '../http/download.js';
import type { AppEnv } from '../http/env.js';
import { readFormBody, readJsonBody } from '../http/inputs.js';
import type { Services } from '../services.js';
import { actorOf, evidenceDownload } from './http.js';
import { sheetDocx, sheetFileName } from './docx.js';
import type { UploadedFile } from '../http/forms.js';
import { PERIODS, RESPOND_DAYS, STATE_LABELS } from './machine.js';
import type { Item, ItemDetail, SheetDetail } from './service.js';

const SOURCE_LABELS: Record<Item['source'], string> = {
  negative: '办事负面情形',
  problem: '作风问题',
  rectification: '重点整改',
  list: '责任清单',
};

export const itemView = (item: Item): NoticeItemView => ({
  ...item,
  stateLabel: STATE_LABELS[item.state],
  sourceLabel: SOURCE_LABELS[item.source],
});

export const sheetView = (sheet: SheetDetail): NoticeSheetView => ({ ...sheet, items: sheet.items.map(itemView) });

const itemDetailView = (item: ItemDetail): NoticeItemDetail => ({
  ...itemView(item),
  history: item.history,
  files: item.files,
});

const text = (max: number, what: string) =>
  z
    .string({ message: `请填写${what}` })
    .trim()
    .min(1, `请填写${what}`)
    .max(max, `${what}最多 ${max} 个字`);
const reasonBody = (what: string) => z.strictObject({ reason: text(1000, what) });

const editSheetBody = z.strictObject({ requirement: text(2000, '工作要求') });
const editItemBody = z
  .strictObject({
    requirement: text(2000, '整改要求').optional(),
    respondDays: z
      .number()
      .int()
      .min(RESPOND_DAYS.min, `反馈期限至少 ${RESPOND_DAYS.min} 个工作日`)
      .max(RESPOND_DAYS.max, `反馈期限至多 ${RESPOND_DAYS.max} 个工作日`)
      .optional(),
  })
  .refine((b) => b.requirement !== undefined || b.respondDays !== undefined, '请给出整改要求或反馈期限');
const closeBody = z.strictObject({ reason: z.string().trim().max(1000).optional() });
const decideExtensionBody = z.strictObject({
  approve: z.boolean({ message: 'approve 应为 true（批准）或 false（不批准）' }),
  reason: z.string().trim().max(1000).optional(),
});
const decideAppealBody = z.strictObject({
  uphold: z.boolean({ message: 'uphold 应为 true（申诉成立，撤销事项）或 false（驳回）' }),
  reason: text(1000, '裁定理由'),
});
const planBody = z.strictObject({
  measures: text(2000, '整改措施'),
  responsible: text(100, '责任人'),
  date: z.iso.date({ message: '计划完成日期应为 YYYY-MM-DD' }),
});
const extensionBody = z.strictObject({
  days: z
    .number()
    .int()
    .refine((d) => PERIODS.extensions.includes(d), `延期只能申请到 ${PERIODS.extensions.join(' 或 ')} 个工作日`),
  reason: text(1000, '延期理由'),
});
const respondBody = z.strictObject({
  text: text(5000, '整改情况说明'),
  files: z.array(z.instanceof(File)).default([]),
});

async function jsonBody<T extends z.ZodType>(c: Context, schema: T, what: string): Promise<z.output<T>> {
  return parseOrThrow(schema, await readJsonBody(c, what), what);
}

/** A response: a multipart form (text + files) or JSON with the text only. */
async function respondInput(c: Context): Promise<{ text: string; files: UploadedFile[] }> {
  const type = (c.req.header('content-type') ?? '').toLowerCase();
  let raw: unknown;
  if (type.startsWith('multipart/form-data')) {
    const form = await readFormBody(c, '无法读取上传的表单（multipart/form-data 格式不对）', { all: true });
    const files = form.files ?? form['files[]'];
    raw = { text: form.text, files: files === undefined ? [] : Array.isArray(files) ? files : [files] };
  } else {
    raw = await readJsonBody(c, '整改反馈');
  }
  const body = parseOrThrow(respondBody, raw, '整改反馈');
  return {
    text: body.text,
    files: await Promise.all(
      body.files.map(async (f) => ({ name: f.name, bytes: new Uint8Array(await f.arrayBuffer()) })),
    ),
  };
}

/** The actions both sides take on one item, by URL: /…/items/:id/<action>. */
function itemActions(services: Services, r: Hono<AppEnv>, side: 'office' | 'liaison') {
  const act = (name: string, build: (c: Context<AppEnv>) => Promise<Parameters<Services['notices']['act']>[1]>) =>
    r.post(`/items/:id/${name}`, async (c) =>
      c.json(itemView(await services.notices.act(c.req.param('id'), await build(c), actorOf(c)))),
    );

  r.get('/items/:id', async (c) => c.json(itemDetailView(await services.notices.item(c.req.param('id'), actorOf(c)))));
  r.get('/items/:id/evidence/:fileId', evidenceDownload(services));
  r.post('/items/:id/respond', async (c) => {
    const { text: responseText, files } = await respondInput(c);
    return c.json(itemDetailView(await services.notices.respond(c.req.param('id'), responseText, files, actorOf(c))));
  });

  if (side === 'office') {
    r.patch('/items/:id', async (c) =>
      c.json(
        itemView(
          await services.notices.editItem(c.req.param('id'), await jsonBody(c, editItemBody, '修改事项'), actorOf(c)),
        ),
      ),
    );
    act('withdraw', async (c) => ({ type: 'withdraw', ...(await jsonBody(c, reasonBody('撤销理由'), '撤销事项')) }));
    act('close', async (c) => ({ type: 'close', ...(await jsonBody(c, closeBody, '销号')) }));
    act('return', async (c) => ({ type: 'return', ...(await jsonBody(c, reasonBody('退回理由'), '退回')) }));
    act('extension', async (c) => ({
      type: 'decide_extension',
      ...(await jsonBody(c, decideExtensionBody, '审批延期')),
    }));
    act('appeal', async (c) => ({ type: 'decide_appeal', ...(await jsonBody(c, decideAppealBody, '裁定申诉')) }));
  } else {
    act('acknowledge', async () => ({ type: 'acknowledge' }));
    act('plan', async (c) => ({ type: 'plan', plan: await jsonBody(c, planBody, '整改方案') }));
    act('extension', async (c) => ({
      type: 'request_extension',
      ...(await jsonBody(c, extensionBody, '延期申请')),
    }));
    act('appeal', async (c) => ({ type: 'appeal', ...(await jsonBody(c, reasonBody('申诉理由'), '申诉')) }));
  }
}

/** The office's notices: mounted at /api (campaign sheets under /api/campaigns/:slug/notices, items under /api/items). */
export function noticesRoutes(services: Services) {
  const r = new Hono<AppEnv>();
  r.use('/campaigns/:slug/notices/*', requireRole('admin'));
  r.use('/campaigns/:slug/notices', requireRole('admin'));
  r.use('/items/*', requireRole('admin'));

  r.get('/campaigns/:slug/notices', async (c) =>
    c.json<NoticeSheetList>({ sheets: (await services.notices.sheets(c.req.param('slug'))).map(sheetView) }),
  );
  r.post('/campaigns/:slug/notices/draft', async (c) =>
    c.json(await services.notices.draft(c.req.param('slug'), actorOf(c))),
  );
  r.get('/campaigns/:slug/notices/:sheetId', async (c) =>
    c.json(sheetView(await services.notices.sheet(c.req.param('slug'), c.req.param('sheetId')))),
  );
  r.patch('/campaigns/:slug/notices/:sheetId', async (c) =>
    c.json(
      sheetView(
        await services.notices.editSheet(
          c.req.param('slug'),
          c.req.param('sheetId'),
          await jsonBody(c, editSheetBody, '修改工作提示单'),
          actorOf(c),
        ),
      ),
    ),
  );
  r.post('/campaigns/:slug/notices/:sheetId/issue', async (c) =>
    c.json(sheetView(await services.notices.issueSheet(c.req.param('slug'), c.req.param('sheetId'), actorOf(c)))),
  );
  r.get('/campaigns/:slug/notices/:sheetId/docx', async (c) => {
    const sheet = await services.notices.sheet(c.req.param('slug'), c.req.param('sheetId'));
    const campaign = await services.notices.campaignOf(sheet.campaignId);
    return download(await sheetDocx(sheet, campaign), DOCX_TYPE, sheetFileName(sheet));
  });

  itemActions(services, r, 'office');
  return r;
}

/** A liaison's notices: mounted inside /api/my, their own department's issued sheets and items only. */
export function myNoticesRoutes(services: Services) {
  const r = new Hono<AppEnv>();
  r.get('/notices', async (c) =>
    c.json<NoticeSheetList>({ sheets: (await services.notices.mySheets(actorOf(c))).map(sheetView) }),
  );
  r.get('/notices/:sheetId', async (c) =>
    c.json(sheetView(await services.notices.sheetById(c.req.param('sheetId'), actorOf(c)))),
  );
  r.post('/notices/:sheetId/acknowledge', async (c) =>
    c.json(sheetView(await services.notices.acknowledgeSheet(c.req.param('sheetId'), actorOf(c)))),
  );
  r.get('/notices/:sheetId/docx', async (c) => {
    const sheet = await services.notices.sheetById(c.req.param('sheetId'), actorOf(c));
    const campaign = await services.notices.campaignOf(sheet.campaignId);
    return download(await sheetDocx(sheet, campaign), DOCX_TYPE, sheetFileName(sheet));
  });
  itemActions(services, r, 'liaison');
  return r;
}
