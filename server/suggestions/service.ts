/**
 * The evaluators' free-text suggestions, overall and per department: read, searched and exported
 * by the office only. Each comes with its redacted text, the only form that may be forwarded.
 */
import { z } from 'zod';
import type { CampaignsService } from '../campaigns/service.js';
import { AppError, parseOrThrow } from '../errors.js';
import type { ResponsesService } from '../responses/service.js';
import type { SuggestionsPage, SuggestionView } from '../contracts.js';
import { redact } from '../shared/redaction.js';

export const suggestionsQuerySchema = z.strictObject({
  department: z.string().trim().min(1).max(64).optional(),
  scope: z.enum(['overall', 'department'], { message: '应为 overall 或 department' }).optional(),
  q: z.string().trim().max(100, '不能超过 100 个字').optional(),
  page: z.coerce.number({ message: '应为页码' }).int('应为页码').min(1, '页码从 1 开始').default(1),
  pageSize: z.coerce.number({ message: '应为整数' }).int('应为整数').min(1).max(200, '每页最多 200 条').default(50),
});
export type SuggestionsQuery = z.output<typeof suggestionsQuerySchema>;

export function suggestionsService(campaigns: CampaignsService, responses: ResponsesService) {
  /** Every suggestion matching the filters (no paging). */
  async function matching(slug: string, query: unknown) {
    const campaign = await campaigns.getBySlug(slug);
    const q = parseOrThrow(suggestionsQuerySchema, query, '筛选条件');
    const names = new Map((await campaigns.departments(campaign.id)).map((d) => [d.code, d.name]));
    if (q.department !== undefined && !names.has(q.department)) {
      throw new AppError('VALIDATION_FAILED', `不是本次评议的部门代码：${q.department}`, [
        { field: 'department', message: '没有这个部门' },
      ]);
    }
    const all = await responses.suggestions(campaign.id);
    const needle = q.q?.toLowerCase();
    const items: SuggestionView[] = [];
    const counts = { overall: 0, department: 0 };
    for (const s of all) {
      counts[s.department === null ? 'overall' : 'department']++;
      if (q.department !== undefined && s.department !== q.department) continue;
      if (q.scope === 'overall' && s.department !== null) continue;
      if (q.scope === 'department' && s.department === null) continue;
      if (needle && !s.text.toLowerCase().includes(needle)) continue;
      const { text: redacted, findings } = redact(s.text);
      items.push({
        scope: s.department === null ? 'overall' : 'department',
        department:
          s.department === null ? null : { code: s.department, name: names.get(s.department) ?? s.department },
        text: s.text,
        redacted,
        findings,
      });
    }
    return { campaign, query: q, items, counts };
  }

  return {
    matching,

    async list(slug: string, query: unknown): Promise<SuggestionsPage> {
      const { query: q, items, counts } = await matching(slug, query);
      const start = (q.page - 1) * q.pageSize;
      return {
        items: items.slice(start, start + q.pageSize),
        total: items.length,
        page: q.page,
        pageSize: q.pageSize,
        counts,
      };
    },
  };
}

export type SuggestionsService = ReturnType<typeof suggestionsService>;
