/**
 * The thanks an evaluator sees once the answers are stored, with the receipt: on the
 * questionnaire after submitting, and on a spent link's page after it resent a lost ballot.
 */
import type { Receipt } from '../../server/contracts.js';
import { el } from './dom.js';
import { zoneLabel } from './time.js';

/** Also the server's, for the receipt shown again on a named campaign's spent link. */
export const RECEIPT_TEXT = {
  zh: {
    title: '提交成功，感谢您的参与！',
    body: '您的评议意见已收到。我们会认真梳理您反映的问题，并督促有关部门整改。',
    closeNow: '现在可以关闭这个页面了。',
    receipt: '回执编号',
    day: (zone: string) => `提交日期（${zone}）`,
    anonymous: '本次评议为匿名评议：您的答卷与您的身份不作关联。',
  },
  en: {
    title: 'Submitted. Thank you for taking part!',
    body: 'Your appraisal has been received. The problems you reported will be followed up with the departments concerned.',
    closeNow: 'You can close this page now.',
    receipt: 'Receipt number',
    day: (zone: string) => `Date (${zone})`,
    anonymous: 'This appraisal is anonymous: your answers are not linked to you.',
  },
} as const;

export function thanks(
  receipt: Receipt,
  options: { lang: 'zh' | 'en'; timeZone: string; anonymous: boolean },
): HTMLElement {
  const t = RECEIPT_TEXT[options.lang];
  return el(
    'section',
    { class: 'thanks' },
    el('h2', {}, t.title),
    el('p', {}, t.body),
    el(
      'dl',
      { class: 'receipt' },
      el('dt', {}, t.receipt),
      el('dd', {}, receipt.receipt),
      el('dt', {}, t.day(zoneLabel(options.timeZone, options.lang))),
      el('dd', {}, receipt.submittedDay),
    ),
    options.anonymous ? el('p', { class: 'muted' }, t.anonymous) : null,
    el('p', {}, t.closeNow),
  );
}
