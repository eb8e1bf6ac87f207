import { z } from 'zod';
import { textProblem } from '../../surveys/text.js';
import { PERIODS, RESPOND_DAYS } from './machine.js';

/** The fields of the liaison's portal and the office's close-out forms, with their Chinese refusals. */

/** The longest text each field takes (the schemas below and the pages' maxlength). */
export const FIELD_LIMITS = {
  measures: 2000,
  responsible: 100,
  text: 5000,
  reason: 1000,
  note: 1000,
  requirement: 2000,
} as const;
export type TextField = keyof typeof FIELD_LIMITS;

/** Text fit to store (no NUL, no half characters), the refusal naming the field. */
const storable = (what: string, params?: Parameters<typeof z.string>[0]) =>
  z.string(params).superRefine((value, ctx) => {
    const problem = textProblem(value);
    if (problem) ctx.addIssue({ code: 'custom', message: `${what}${problem}` });
  });
const text = (max: number, what: string) =>
  storable(what, { message: `请填写${what}` })
    .trim()
    .min(1, `请填写${what}`)
    .max(max, `${what}最多 ${max} 个字`);
const optionalText = (max: number, what: string) =>
  storable(what)
    .trim()
    .max(max, `${what}最多 ${max} 个字`)
    .optional()
    .transform((v) => v || undefined);

export const planForm = z.object({
  measures: text(FIELD_LIMITS.measures, '整改措施'),
  responsible: text(FIELD_LIMITS.responsible, '责任人'),
  date: z.iso.date({ message: '请填写计划完成日期（年-月-日）' }),
});
export const respondForm = z.object({ text: text(FIELD_LIMITS.text, '整改情况说明') });
export const extensionForm = z.object({
  days: z
    .string({ message: '请选择延期到多少个工作日' })
    .refine((d) => PERIODS.extensions.includes(Number(d)), '请选择延期到多少个工作日')
    .transform(Number),
  reason: text(FIELD_LIMITS.reason, '延期理由'),
});
export const reasonForm = (what: string) => z.object({ reason: text(FIELD_LIMITS.reason, what) });
export const closeForm = z.object({ note: optionalText(FIELD_LIMITS.note, '核验意见') });
export const decideExtensionForm = z.object({
  decision: z.enum(['approve', 'refuse'], { message: '请选择批准或不予批准' }),
  reason: optionalText(FIELD_LIMITS.reason, '审批意见'),
});
export const decideAppealForm = z.object({
  decision: z.enum(['uphold', 'dismiss'], { message: '请选择申诉成立或驳回申诉' }),
  reason: text(FIELD_LIMITS.reason, '裁定理由'),
});

/** The office's edits of a draft sheet (its 工作要求) and of a draft item (整改要求, response period). */
export const editSheetForm = z.object({ requirement: text(FIELD_LIMITS.requirement, '工作要求') });
export const editItemForm = z.object({
  requirement: text(FIELD_LIMITS.requirement, '整改要求'),
  respondDays: z
    .string({ message: '请填写反馈期限（工作日）' })
    .trim()
    .regex(/^\d{1,3}$/, '反馈期限应为整数个工作日')
    .transform(Number)
    .refine(
      (d) => d >= RESPOND_DAYS.min && d <= RESPOND_DAYS.max,
      `反馈期限应为 ${RESPOND_DAYS.min}–${RESPOND_DAYS.max} 个工作日`,
    ),
});
