/**
 * The page of a link spent by buying a credential (`/s/:token`, anonymous two-step submission):
 * the server can't know whether its ballot arrived. A ballot this browser still holds is sent
 * again (the first receipt comes back if it had arrived); a ballot this browser saw acknowledged
 * is said to be submitted, with its receipt; otherwise the server's message stays, which claims neither.
 * A held ballot the server refuses for its answers is not a dead end: the questionnaire is drawn in
 * the page's place (web/pages/evaluator.ts), prefilled from that ballot with the refusal's place
 * open, and the corrected ballot goes with the same credential.
 */
import type { Receipt } from '../../server/contracts.js';
import { ApiError, apiClient } from '../lib/api.js';
import { ballotState, resumeBallot, sentReceipt } from '../lib/ballot.js';
import { el } from '../lib/dom.js';
import { thanks } from '../lib/receipt.js';

const TEXT = {
  zh: {
    sending: '正在完成上次没有完成的提交，请稍候…',
    failed: '网络不稳定，提交还没有完成。您的答案还保存在这台设备上，请检查网络后再试一次。',
    retry: '再试一次',
    notDone: '提交没有完成',
    loading: '正在加载问卷…',
    sentTitle: '问卷已提交',
    sent: '这份问卷已经在这台设备上提交成功，感谢您的参与！每个链接只能提交一次。',
  },
  en: {
    sending: 'Finishing the submission that was interrupted, please wait…',
    failed:
      'The network is unstable and the submission is not finished yet. Your answers are still kept on this device: check your connection and try again.',
    retry: 'Try again',
    notDone: 'Not submitted',
    loading: 'Loading the questionnaire…',
    sentTitle: 'Already submitted',
    sent: 'This questionnaire was submitted from this device. Thank you for taking part! Each link can be submitted once.',
  },
} as const;

const root = document.getElementById('spent-link') as HTMLElement;
const lang = root.dataset.lang === 'en' ? 'en' : 'zh';
const t = TEXT[lang];
const token = decodeURIComponent(location.pathname.split('/').filter(Boolean).pop() ?? '');
const api = apiClient();
const unconfirmed = root.querySelector<HTMLElement>('[data-unconfirmed]');

const thanksFor = (receipt: Receipt) => thanks(receipt, { lang, timeZone: root.dataset.timeZone!, anonymous: true });

/** The page for what this browser knows now: sent (with its receipt), or nothing (the server's message, at once). */
function settle() {
  const receipt = sentReceipt(token);
  if (receipt) root.replaceChildren(thanksFor(receipt));
  else if (ballotState(token) === 'sent') {
    root.replaceChildren(el('h1', {}, t.sentTitle), el('p', {}, t.sent));
  } else if (unconfirmed) {
    unconfirmed.removeAttribute('data-unconfirmed');
    root.replaceChildren(unconfirmed);
  }
}

async function resume() {
  root.replaceChildren(el('p', { role: 'status' }, t.sending));
  try {
    const receipt = await resumeBallot(api, token);
    if (receipt) root.replaceChildren(thanksFor(receipt));
    else settle();
  } catch (error) {
    if (error instanceof ApiError && !error.retryable) {
      // other answers than a ballot that did arrive: that one counts, and the page says so
      if (ballotState(token) === 'sent') settle();
      else if (error.status === 422) await correct(error);
      else root.replaceChildren(el('h1', {}, t.notDone), el('p', { role: 'alert' }, error.message));
      return;
    }
    const again = el('button', { class: 'retry', type: 'button' }, t.retry);
    again.addEventListener('click', () => void resume());
    root.replaceChildren(el('p', { role: 'alert' }, t.failed), again);
  }
}

/** The questionnaire in place of the page, as the link's page draws it, to correct the refused ballot. */
async function correct(refused: ApiError) {
  const page = el(
    'main',
    { class: 'evaluator', id: 'evaluator', 'data-lang': lang, 'data-correcting': '' },
    el(
      'header',
      { class: 'evaluator-header' },
      el('h1', {}, ''),
      el('p', { class: 'save-status', id: 'save-status', role: 'status', 'aria-live': 'polite' }),
    ),
    el('div', { id: 'survey' }, el('p', { class: 'loading' }, t.loading)),
  );
  root.replaceWith(page);
  let correctBallot: (refused: ApiError) => Promise<void>;
  try {
    ({ correctBallot } = await import('./evaluator.js'));
  } catch {
    // the questionnaire's script did not arrive: the page again, to try once more
    page.replaceWith(root);
    const again = el('button', { class: 'retry', type: 'button' }, t.retry);
    again.addEventListener('click', () => void resume());
    root.replaceChildren(el('p', { role: 'alert' }, t.failed), again);
    return;
  }
  await correctBallot(refused);
}

if (ballotState(token) === 'pending') void resume();
else settle();
