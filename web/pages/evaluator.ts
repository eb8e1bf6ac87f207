/**
 * The evaluator's questionnaire (`/s/:token`): loads the campaign's served SurveyJS JSON and the
 * server-side draft, autosaves as the evaluator goes, and submits once with an Idempotency-Key
 * that survives a reload, retried on network failure. English with `?lang=en`. The office's
 * preview (`data-preview`: the URL it loads from) runs the same questionnaire and saves nothing.
 * A spent anonymous link's page (web/pages/spent-link.ts) draws it too (`correctBallot`), when the
 * ballot this device holds for it is refused: prefilled from that ballot, the refusal's place open.
 */
import {
  Model,
  surveyLocalization,
  type PanelModel,
  type Question,
  type QuestionPanelDynamicModel,
  type SurveyModel,
} from 'survey-core';
import 'survey-core/i18n/simplified-chinese';
import 'survey-js-ui';
import type { DraftSaved, EvaluatorLoad, Receipt } from '../../server/contracts.js';
import {
  ballotQuestionnaire,
  ballotState,
  castBallot,
  keepPendingAnswers,
  pendingBallot,
  type BallotBody,
} from '../lib/ballot.js';
import { ApiError, apiClient } from '../lib/api.js';
import { registerDepartmentPicker } from '../lib/department-picker.js';
import { el } from '../lib/dom.js';
import { thanks } from '../lib/receipt.js';
import { formatTimeOfDay, zoneLabel } from '../lib/time.js';

type Lang = 'zh' | 'en';

const TEXT = {
  zh: {
    saving: '正在保存…',
    saved: (time: string, zone: string) => `已自动保存 ${time}（${zone}）`,
    saveFailed: '暂时无法保存，稍后自动重试',
    keptOnDevice: '修改已保存在这台设备上，请改好后再点“提交问卷”',
    submitting: '正在提交…',
    retrying: (n: number) => `网络不稳定，正在第 ${n} 次重试…`,
    submitFailed: '提交没有成功：网络连接中断。您的答案仍在本页，请检查网络后再点一次“提交问卷”。',
    retry: '重新提交',
    loadFailed: '问卷加载失败，请检查网络后刷新页面。',
    otherWindowTitle: '问卷已提交',
    otherWindow: '这份问卷已在另一个窗口提交，请关闭本窗口。',
    fixOne: '请修改这处答案后再提交：',
    fixMany: (n: number) => `有 ${n} 处答案需要修改，请改好后再提交：`,
    notOpen: '无法继续填写',
    previewing: '预览：答案不会保存',
    previewDescription: '这是问卷的预览：这里填的答案不会保存，也不会提交。',
    previewDoneTitle: '预览结束',
    previewDone: '评议代表点“提交问卷”后看到回执。这是预览：答案没有保存，也没有提交。',
    previewAgain: '重新预览',
    nextDepartment: '下一个部门',
    prevDepartment: '上一个部门',
    rateRequired: (question: string, department: string) => `请为“${department}”选择“${question}”的评价`,
    limitReached: (max: number) => `已选满 ${max} 项。要换一项，请先点掉已选的一项。`,
    limitLeft: (max: number, chosen: number) => `最多选 ${max} 项，已选 ${chosen} 项；没有可不选。`,
    confirmRemoval: (names: string) => `去掉“${names}”后，已为它填写的评价会被清空。确定去掉吗？`,
    picker: {
      search: '查找部门',
      placeholder: '名称、简称或拼音首字母',
      chosen: '已选的部门',
      remove: (name: string) => `去掉 ${name}`,
      found: (n: number) => `找到 ${n} 个部门，点名称选中，再点一次取消`,
      all: (n: number) => `全部 ${n} 个部门按分组列在下面，也可以在上面输入查找`,
      none: '没有找到，请换几个字或拼音首字母试试',
    },
  },
  en: {
    saving: 'Saving…',
    saved: (time: string, zone: string) => `Saved automatically at ${time} (${zone})`,
    saveFailed: 'Could not save just now; retrying shortly',
    keptOnDevice: 'Your changes are kept on this device: correct them, then press Submit again',
    submitting: 'Submitting…',
    retrying: (n: number) => `Network trouble, retry ${n}…`,
    submitFailed:
      'The submission did not get through: the network dropped. Your answers are still here; check your connection and press Submit again.',
    retry: 'Submit again',
    loadFailed: 'The questionnaire could not be loaded. Check your connection and reload the page.',
    otherWindowTitle: 'Already submitted',
    otherWindow: 'This questionnaire was submitted in another window. Please close this one.',
    fixOne: 'Please correct this answer, then submit again:',
    fixMany: (n: number) => `${n} answers need correcting before you submit:`,
    notOpen: 'This questionnaire cannot be answered',
    previewing: 'Preview: nothing is saved',
    previewDescription: 'This is a preview of the questionnaire: what is answered here is neither saved nor submitted.',
    previewDoneTitle: 'End of the preview',
    previewDone: 'Evaluators get their receipt here. This is a preview: nothing was saved or submitted.',
    previewAgain: 'Preview again',
    nextDepartment: 'Next department',
    prevDepartment: 'Previous department',
    rateRequired: (question: string, department: string) => `Please rate "${question}" for ${department}`,
    limitReached: (max: number) => `${max} chosen, the most allowed. To choose another, first untick one.`,
    limitLeft: (max: number, chosen: number) => `Up to ${max}; ${chosen} chosen. Leave empty if none.`,
    confirmRemoval: (names: string) => `Removing ${names} clears the answers you gave for it. Remove it?`,
    picker: {
      search: 'Find a department',
      placeholder: 'Name, short name or pinyin initials, e.g. 住建, zjj',
      chosen: 'Chosen departments',
      remove: (name: string) => `Remove ${name}`,
      found: (n: number) => `${n} found: tap a name to choose it, tap again to undo`,
      all: (n: number) => `All ${n} departments are listed below by group; or type above to search`,
      none: 'Nothing found: try other characters or the pinyin initials',
    },
  },
} as const;

const root = document.getElementById('evaluator') as HTMLElement;
const container = document.getElementById('survey') as HTMLElement;
const statusLine = document.getElementById('save-status') as HTMLElement;
const lang: Lang =
  new URLSearchParams(location.search).get('lang') === 'en' || root?.dataset.lang === 'en' ? 'en' : 'zh';
const t = TEXT[lang];
const token = decodeURIComponent(location.pathname.split('/').filter(Boolean).pop() ?? '');
const base = `/api/s/${encodeURIComponent(token)}`;
const preview = root?.dataset.preview;
// the link's token is the credential: no session, no CSRF token
const api = apiClient();
const keyStorage = `minping-submit-key:${token}`;

/** survey-core's own strings an older evaluator reads (its zh-cn "Done" is the odd "还行"). */
const SURVEY_STRINGS = {
  'zh-cn': {
    tagboxDoneButtonCaption: '完成',
    ok: '确定',
    emptyMessage: '没有找到，请换几个字试试',
    requiredError: '这道题必须回答',
    panelDynamicProgressText: '第 {0} 个部门，共 {1} 个',
    progressText: '第 {0} 页，共 {1} 页',
  },
  en: {
    requiredError: 'Please answer this question',
    panelDynamicProgressText: 'Department {0} of {1}',
  },
} as const;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** A refusal the evaluator should read (the link, the campaign, the answers), not a network or server failure. */
const refusal = (error: unknown): error is ApiError => error instanceof ApiError && !error.retryable;

function setStatus(text: string, kind: 'info' | 'ok' | 'error' = 'info') {
  statusLine.textContent = text;
  statusLine.dataset.kind = kind;
}

function showMessage(title: string, body: string) {
  container.replaceChildren(el('section', { class: 'message' }, el('h2', {}, title), el('p', {}, body)));
}

/** A refusal shown in place of the questionnaire; a link spent by another window of this browser says so. */
function showRefusal(error: ApiError) {
  if (error.code === 'ALREADY_SUBMITTED' && ballotState(token) === 'sent')
    showMessage(t.otherWindowTitle, t.otherWindow);
  else showMessage(t.notOpen, error.message);
}

/** A key that stays the same across retries and reloads of this tab until the submission succeeds. */
function idempotencyKey(): string {
  let key = sessionStorage.getItem(keyStorage);
  if (!key) {
    const bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    key = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
    sessionStorage.setItem(keyStorage, key);
  }
  return key;
}

/** Elapsed answering time: counted while the page is visible, carried over from the draft. */
function startTimer(initial: number) {
  let seconds = initial;
  let last = Date.now();
  setInterval(() => {
    const now = Date.now();
    if (document.visibilityState === 'visible') seconds += Math.min(5, (now - last) / 1000);
    last = now;
  }, 1000);
  return () => Math.round(seconds);
}

/**
 * A mis-tap on a department's × would silently throw away every answer given for it: ask first
 * when a removed department has anything answered beyond its name.
 */
function confirmDepartmentRemoval(survey: SurveyModel) {
  survey.onValueChanging.add((_, options) => {
    if (options.name !== 'departments' || !Array.isArray(options.oldValue)) return;
    const kept = new Set(((options.value ?? []) as { dept?: string }[]).map((d) => d.dept));
    const answered = (options.oldValue as Record<string, unknown>[]).filter(
      (d) =>
        !kept.has(d.dept as string) &&
        Object.entries(d).some(
          ([k, v]) => k !== 'dept' && v !== undefined && v !== null && !(Array.isArray(v) && !v.length),
        ),
    );
    if (!answered.length) return;
    const picker = survey.getQuestionByName('departments') as Question & {
      choices?: { value: unknown; text: string }[];
    };
    const names = answered
      .map((d) => picker.choices?.find((c) => c.value === d.dept)?.text ?? String(d.dept))
      .join('、');
    if (!window.confirm(t.confirmRemoval(names))) options.value = options.oldValue;
  });
}

const isDynamic = (q: Question | undefined): q is QuestionPanelDynamicModel => q?.getType() === 'paneldynamic';

/** The department name a question inside a department panel belongs to. */
function departmentName(panel: PanelModel | undefined): string {
  const dept = panel?.getQuestionByName('dept');
  return dept ? String(dept.displayValue ?? dept.value ?? '') : '';
}

/**
 * One department at a time: the departments panel is a carousel, and the survey's own big
 * 上一步/下一步 buttons step through it ("上一个部门" / "下一个部门"), checking the current
 * department's required ratings before moving on. Its own small arrows are hidden by the CSS.
 * Required-answer errors in a department name it, so a skipped rating is never anonymous.
 */
function departmentCarousel(survey: SurveyModel) {
  const carousel = survey.getAllQuestions().find((q) => isDynamic(q) && q.getValueName() === 'departments') as
    | QuestionPanelDynamicModel
    | undefined;
  const problemLimit = new Map<Question, number>();

  survey.onErrorCustomText.add((_, options) => {
    const q = options.obj as Question;
    if (options.name !== 'required' || !carousel || q.parentQuestion !== carousel) return;
    options.text = t.rateRequired(q.title, departmentName(q.parent as PanelModel));
  });

  // "最多选 3 项": say how many are chosen, and say it plainly when the limit is reached
  const describeLimit = (q: Question) => {
    const max = problemLimit.get(q);
    if (!max) return;
    const chosen = Array.isArray(q.value) ? q.value.length : 0;
    q.description = chosen >= max ? t.limitReached(max) : t.limitLeft(max, chosen);
  };
  const watchLimits = (panel: PanelModel) => {
    for (const q of panel.questions) {
      const max = (q as Question & { maxSelectedChoices?: number }).maxSelectedChoices;
      if (q.getType() === 'checkbox' && max && max > 0) {
        problemLimit.set(q, max);
        describeLimit(q);
      }
    }
  };
  survey.onDynamicPanelAdded.add((_, options) => {
    if (options.question === carousel && options.panel) watchLimits(options.panel);
  });
  survey.onDynamicPanelValueChanged.add((_, options) => {
    if (options.question !== carousel) return;
    const q = (options.panel as PanelModel | undefined)?.getQuestionByName(options.name);
    if (q) describeLimit(q);
  });
  const refreshLimits = () => carousel?.panels.forEach(watchLimits);
  survey.onValueChanged.add((_, options) => {
    if (options.name === 'departments') refreshLimits();
  });
  refreshLimits();

  /** Open the `index`th department (a refused submission's place), on its page. */
  const goTo = (index: number) => {
    if (!carousel || index >= carousel.visiblePanelCount) return;
    survey.currentPage = carousel.page;
    if (carousel.displayMode !== 'list') carousel.currentIndex = index;
  };

  if (!carousel || carousel.displayMode === 'list') return { afterRestore: refreshLimits, goTo };

  const inCarousel = () => survey.currentPage === carousel.page && carousel.isVisible && carousel.visiblePanelCount > 0;
  const nextAction = survey.navigationBar.getActionById('sv-nav-next');
  const prevAction = survey.navigationBar.getActionById('sv-nav-prev');
  const nextText = survey.pageNextText;
  const prevText = survey.pagePrevText;
  const toTop = () => {
    const header = carousel.currentPanel?.id && document.getElementById(carousel.currentPanel.id);
    if (header) header.scrollIntoView({ block: 'start' });
    else window.scrollTo({ top: 0 });
  };

  const updateButtons = () => {
    const here = inCarousel();
    const i = carousel.currentIndex;
    const wantNext = here && i < carousel.visiblePanelCount - 1 ? t.nextDepartment : nextText;
    const wantPrev = here && i > 0 ? t.prevDepartment : prevText;
    if (survey.pageNextText !== wantNext) survey.pageNextText = wantNext;
    if (survey.pagePrevText !== wantPrev) survey.pagePrevText = wantPrev;
  };

  // The buttons' mousedown marks "navigation pressed" (which pauses re-checking answers as they
  // change) and survey-core clears it only in its own page navigation: clear it when we step
  // through departments instead, or a corrected answer would keep its error message.
  const navigationDone = () => {
    const internals = survey as unknown as { resetNavigationButton?: () => void; mouseDownPage?: unknown };
    internals.resetNavigationButton?.();
    internals.mouseDownPage = null;
  };
  if (nextAction) {
    const pageNext = nextAction.action;
    nextAction.action = (...args: unknown[]) => {
      if (inCarousel() && carousel.currentIndex < carousel.visiblePanelCount - 1) {
        navigationDone();
        // the current department's answers are checked (and the first error shown) before moving on
        if (carousel.goToNextPanel()) setTimeout(toTop);
        return;
      }
      pageNext?.(...(args as Parameters<NonNullable<typeof pageNext>>));
    };
  }
  if (prevAction) {
    const pagePrev = prevAction.action;
    prevAction.action = (...args: unknown[]) => {
      if (inCarousel() && carousel.currentIndex > 0) {
        navigationDone();
        carousel.goToPrevPanel();
        setTimeout(toTop);
        return;
      }
      pagePrev?.(...(args as Parameters<NonNullable<typeof pagePrev>>));
    };
  }
  survey.onDynamicPanelCurrentIndexChanged.add((_, options) => {
    if (options.question === carousel) updateButtons();
  });
  survey.onCurrentPageChanged.add(updateButtons);
  survey.onValueChanged.add((_, options) => {
    if (options.name === 'departments') updateButtons();
  });
  updateButtons();

  return {
    goTo,
    /** After restoring a draft: open the first department that still needs an answer. */
    afterRestore() {
      refreshLimits();
      if (!inCarousel()) return updateButtons();
      const open = carousel.visiblePanels.findIndex((p) => p.hasErrors(false, false));
      if (open >= 0) carousel.currentIndex = open;
      updateButtons();
    },
  };
}

/**
 * The questionnaire: the link's (its saved draft restored), or with `refused` a spent anonymous
 * link's refused ballot to correct (its answers restored from this device, the refusal shown).
 */
async function main(refused?: ApiError) {
  let loaded: EvaluatorLoad;
  let restored: { answers: Record<string, unknown>; elapsedSeconds: number } | null;
  try {
    if (refused) {
      const found = await ballotQuestionnaire(api, token);
      if (!found) return showRefusal(refused);
      loaded = found;
      restored = pendingBallot(token);
    } else {
      loaded = await api.json<EvaluatorLoad>(preview ?? base, { cache: 'no-store' });
      restored = loaded.draft;
    }
  } catch (error) {
    if (refusal(error)) showRefusal(error);
    else showMessage(t.notOpen, t.loadFailed);
    return;
  }
  const zone = zoneLabel(loaded.campaign.timeZone, lang);
  const savedAt = (instant: string) => t.saved(formatTimeOfDay(instant, loaded.campaign.timeZone), zone);

  surveyLocalization.defaultLocale = 'zh-cn';
  for (const [locale, strings] of Object.entries(SURVEY_STRINGS))
    Object.assign(surveyLocalization.locales[locale], strings);
  registerDepartmentPicker(() => loaded.directory, t.picker);
  const survey = new Model(loaded.questionnaire.definition);
  survey.locale = lang === 'en' ? 'en' : 'zh-cn';
  survey.applyTheme({
    themeName: 'minping',
    colorPalette: 'light',
    isPanelless: false,
    cssVariables: {
      '--sjs-font-size': '20px',
      '--sjs-base-unit': '8px',
      '--sjs-corner-radius': '8px',
      '--sjs-primary-backcolor': 'rgba(179, 38, 30, 1)',
      '--sjs-primary-backcolor-light': 'rgba(179, 38, 30, 0.1)',
      '--sjs-primary-backcolor-dark': 'rgba(150, 30, 24, 1)',
      '--sjs-primary-forecolor': 'rgba(255, 255, 255, 1)',
      '--sjs-general-forecolor': 'rgba(26, 26, 26, 1)',
      '--sjs-general-forecolor-light': 'rgba(70, 70, 70, 1)',
      '--sjs-font-family':
        '-apple-system, "PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", "Noto Sans CJK SC", sans-serif',
    },
  });
  const elapsed = startTimer(restored?.elapsedSeconds ?? 0);
  const departments = departmentCarousel(survey);

  if (restored) {
    survey.mergeData(restored.answers);
    if (loaded.draft) setStatus(savedAt(loaded.draft.savedAt), 'ok');
    else setStatus(t.keptOnDevice, 'ok');
    // continue on the first page (and department) that still needs answers
    const pages = survey.visiblePages;
    const open = pages.findIndex((p) => p.hasErrors(false, false));
    survey.currentPageNo = open === -1 ? pages.length - 1 : open;
    // the pages before it were answered on an earlier visit: survey-core marks a page passed only
    // as one leaves it, so their progress steps would stay grey as if skipped
    for (const page of pages.slice(0, survey.currentPageNo)) page.passed = true;
    departments.afterRestore();
  }
  confirmDepartmentRemoval(survey);
  if (loaded.preview) return runPreview(survey);

  // --- autosave -----------------------------------------------------------------------------
  let saveTimer: ReturnType<typeof setTimeout> | undefined;
  let saving: Promise<void> | undefined;
  let dirty = false;
  let finished = false;

  const answered = (): BallotBody => ({
    answers: survey.data,
    elapsedSeconds: elapsed(),
    questionnaireVersion: loaded.questionnaire.version,
  });
  /**
   * An anonymous ballot on its way (its credential may be bought, which spends the link): the
   * server takes no draft for the link any more, so the answers wait with the ballot on this
   * device, and a refused ballot is corrected and cast again with the same credential.
   */
  const keptWithBallot = (): boolean => Boolean(loaded.credentialKey) && keepPendingAnswers(token, answered());

  async function saveDraft(): Promise<void> {
    clearTimeout(saveTimer);
    if (finished || !dirty) return;
    if (keptWithBallot()) {
      dirty = false;
      setStatus(t.keptOnDevice, 'ok');
      return;
    }
    if (saving) {
      await saving;
      return saveDraft();
    }
    dirty = false;
    setStatus(t.saving);
    saving = (async () => {
      try {
        const saved = await api.json<DraftSaved>(`${base}/draft`, {
          method: 'PUT',
          body: { answers: survey.data, elapsedSeconds: elapsed() },
        });
        setStatus(savedAt(saved.savedAt), 'ok');
      } catch (error) {
        if (refusal(error) && [403, 404, 409].includes(error.status)) {
          finished = true;
          showRefusal(error);
          setStatus('');
        } else if (refusal(error)) {
          setStatus(error.message, 'error');
        } else {
          dirty = true;
          setStatus(t.saveFailed, 'error');
          saveTimer = setTimeout(() => void saveDraft(), 5000);
        }
      } finally {
        saving = undefined;
      }
    })();
    await saving;
  }

  const scheduleSave = () => {
    dirty = true;
    clearTimeout(saveTimer);
    saveTimer = setTimeout(() => void saveDraft(), 1000);
  };
  survey.onValueChanged.add(scheduleSave);
  survey.onDynamicPanelAdded.add(scheduleSave);
  survey.onDynamicPanelRemoved.add(scheduleSave);
  survey.onCurrentPageChanged.add(() => void saveDraft());
  // leaving the page: send what is unsaved without waiting for the answer
  addEventListener('pagehide', () => {
    if (finished || !dirty || keptWithBallot()) return;
    void api
      .request(`${base}/draft`, {
        method: 'PUT',
        keepalive: true,
        body: { answers: survey.data, elapsedSeconds: elapsed() },
      })
      .catch(() => undefined);
  });

  // --- submit -------------------------------------------------------------------------------
  let submitting = false;
  const errorBox = el('div', { class: 'submit-error' });
  container.before(errorBox);

  /**
   * Submitting cancels the pending autosave; answers the server did not take (refused, or never
   * reached it) are saved now, or closing the page would lose what was answered since the last save.
   * Not once an anonymous ballot's credential may be bought: the link is spent, its draft refused.
   */
  const keepAsDraft = () => {
    if (loaded.credentialKey) return;
    dirty = true;
    void saveDraft();
  };

  /**
   * The server's words for what to correct (each place named as the evaluator answered it, never
   * a JSON path), and the department at fault opened.
   */
  function showRefusedAnswers(error: ApiError) {
    const places = error.details.map((d) => (d.field ? `${d.field}：${d.message}` : d.message));
    if (places.length > 1)
      errorBox.replaceChildren(
        el('p', { class: 'error', role: 'alert' }, t.fixMany(places.length)),
        el('ul', {}, ...places.map((place) => el('li', {}, place))),
      );
    else {
      // one place: the server's words after its 答案有误：; a refusal of something else as it says it
      const detail = error.details[0];
      const place = detail?.field ? places[0] : error.message.replace(/^答案有误：/, '');
      const text = detail?.field || place !== error.message ? `${t.fixOne}${place}` : error.message;
      errorBox.replaceChildren(el('p', { class: 'error', role: 'alert' }, text));
    }
    goToPlace(error.details.find((d) => d.path)?.path);
    errorBox.scrollIntoView({ block: 'start' });
  }

  /**
   * The page at a refusal's place: a department's opened (its page, that department), any other
   * question's page shown and the question focused (an office's own question is `extra.name`).
   */
  function goToPlace(path: string | undefined) {
    if (!path) return;
    const [top, second] = path.split('.');
    const department = top === 'departments' ? /^\d+$/.exec(second ?? '')?.[0] : undefined;
    if (department !== undefined) return departments.goTo(Number(department));
    const question = survey.getQuestionByName(top === 'extra' ? (second ?? '') : top) as Question | null;
    if (!question?.isVisible || !question.page) return;
    survey.currentPage = question.page;
    // after the page is drawn: scrolled to only when the alert above leaves it out of sight
    setTimeout(() => question.focus());
  }

  async function submit(): Promise<void> {
    if (submitting) return;
    submitting = true;
    clearTimeout(saveTimer);
    errorBox.replaceChildren();
    setStatus(t.submitting);
    const body = answered();
    const key = idempotencyKey();
    try {
      for (let attempt = 0; ; attempt++) {
        try {
          // anonymous campaigns: two steps with a blind-signed credential; named ones submit with the link
          const receipt = loaded.credentialKey
            ? await castBallot(
                api,
                { token, campaignSlug: loaded.campaign.slug, publicKey: loaded.credentialKey },
                body,
              )
            : await api.json<Receipt>(`${base}/submit`, { body, idempotencyKey: key });
          finished = true;
          sessionStorage.removeItem(keyStorage);
          showDone(receipt);
          return;
        } catch (error) {
          // a network or server failure is retried with the same key; a refusal is final
          if (refusal(error)) {
            setStatus('');
            if (error.status === 422) {
              keepAsDraft();
              showRefusedAnswers(error);
            } else {
              finished = true;
              showRefusal(error);
            }
            return;
          }
        }
        if (attempt >= 4) break;
        setStatus(t.retrying(attempt + 1), 'error');
        await sleep(1000 * 2 ** attempt);
      }
      setStatus(t.submitFailed, 'error');
      keepAsDraft();
      const again = el('button', { class: 'retry', type: 'button' }, t.retry);
      again.addEventListener('click', () => void submit());
      errorBox.replaceChildren(el('p', { role: 'alert' }, t.submitFailed), again);
    } finally {
      submitting = false;
    }
  }

  survey.onCompleting.add((_, options) => {
    // the survey stays on screen until the server has accepted the answers
    options.allow = false;
    void submit();
  });

  /** The receipt; none when another window of this browser cast the ballot. */
  function showDone(receipt: Receipt | null) {
    survey.dispose();
    errorBox.remove();
    setStatus('');
    if (receipt) {
      container.replaceChildren(
        thanks(receipt, { lang, timeZone: loaded.campaign.timeZone, anonymous: loaded.campaign.mode === 'anonymous' }),
      );
    } else showMessage(t.otherWindowTitle, t.otherWindow);
    window.scrollTo({ top: 0 });
  }

  if (refused) {
    document.title = loaded.campaign.name;
    const heading = root.querySelector('h1');
    if (heading) heading.textContent = loaded.campaign.name;
  }
  show(survey);
  if (refused) showRefusedAnswers(refused);
}

/**
 * What was answered on the page's own drawing of the first page while the scripts loaded
 * (server/evaluator/first-page.tsx), and the question being typed in.
 */
function earlyAnswers(): { values: Record<string, string>; focused: string | null } {
  const values: Record<string, string> = {};
  for (const q of document.querySelectorAll<HTMLElement>('[data-early]')) {
    const field = q.querySelector<HTMLInputElement | HTMLTextAreaElement>(
      'input[type="radio"]:checked:not([disabled]), input[type="text"], textarea',
    );
    if (field?.value) values[q.dataset.early!] = field.value;
  }
  const focused = document.activeElement?.closest<HTMLElement>('[data-early]')?.dataset.early ?? null;
  return { values, focused };
}

/**
 * Draws the questionnaire in place of the loading line (or of the early first page, whose answers
 * it takes over, keeping the evaluator's place in the field being typed in); the CSS shows the
 * campaign's title on the first page only.
 */
function show(survey: SurveyModel) {
  const early = earlyAnswers();
  for (const [name, value] of Object.entries(early.values)) survey.setValue(name, value);
  const markFirstPage = () => {
    if (survey.isFirstPage) root.dataset.firstPage = '';
    else delete root.dataset.firstPage;
  };
  markFirstPage();
  survey.onCurrentPageChanged.add(() => {
    markFirstPage();
    window.scrollTo({ top: 0 });
  });
  container.replaceChildren();
  (survey as SurveyModel & { render(element: HTMLElement): void }).render(container);
  if (early.focused) {
    const field = container.querySelector<HTMLInputElement | HTMLTextAreaElement>(
      `[data-name="${CSS.escape(early.focused)}"] input:not([type="radio"]), [data-name="${CSS.escape(early.focused)}"] textarea`,
    );
    field?.focus();
    field?.setSelectionRange?.(field.value.length, field.value.length);
  }
}

/**
 * The office's preview: answered and checked like the real thing, then nothing is sent. The
 * questionnaire's own description (您的答案会自动保存…) would be untrue here: the preview says what it is.
 */
function runPreview(survey: SurveyModel) {
  setStatus(t.previewing);
  survey.description = t.previewDescription;
  survey.onCompleting.add((_, options) => {
    options.allow = false;
    survey.dispose();
    setStatus('');
    const again = el('button', { class: 'retry', type: 'button' }, t.previewAgain);
    again.addEventListener('click', () => location.reload());
    container.replaceChildren(
      el(
        'section',
        { class: 'message', id: 'preview-done' },
        el('h2', {}, t.previewDoneTitle),
        el('p', {}, t.previewDone),
        again,
      ),
    );
    window.scrollTo({ top: 0 });
  });
  show(survey);
}

/**
 * The spent anonymous link's page, its ballot refused: the questionnaire drawn in its place
 * (`#evaluator` as the link's page has it) to correct the ballot and cast it again.
 */
export const correctBallot = (refused: ApiError): Promise<void> => main(refused);

if (!root?.hasAttribute('data-correcting')) void main();
