/**
 * The evaluator's department picker, drawn in place of the questionnaire's tag box (a SurveyJS
 * custom widget: the question, its value and its required check stay SurveyJS's): the chosen
 * departments as large tags with a remove button, a search field, and the matches listed on the
 * page itself, grouped by department group, best first (web/lib/department-search.ts).
 */
import { CustomWidgetCollection, type Question, type QuestionTagboxModel, type SurveyModel } from 'survey-core';
import type { DepartmentDirectory } from '../../server/contracts.js';
import { searchDirectory } from './department-search.js';
import { el } from './dom.js';

export interface PickerText {
  search: string;
  placeholder: string;
  chosen: string;
  remove: (name: string) => string;
  found: (n: number) => string;
  all: (n: number) => string;
  none: string;
}

/** The tag box whose value is the list of departments (its value name is `departments`). */
const isPicker = (q: Question) => q.getType() === 'tagbox' && q.getValueName() === 'departments';

let uid = 0;

function build(question: QuestionTagboxModel, root: HTMLElement, directory: DepartmentDirectory, t: PickerText) {
  const id = `dept-picker-${++uid}`;
  const names = new Map(directory.departments.map((d) => [d.code, d.name]));
  const chosen = () => ((question.renderedValue ?? []) as string[]).map(String);
  const setChosen = (codes: string[]) => {
    question.renderedValue = codes;
  };

  const tags = el('ul', { class: 'dept-chosen', 'aria-label': t.chosen });
  const input = el('input', {
    type: 'search',
    id: `${id}-q`,
    class: 'dept-search',
    autocomplete: 'off',
    enterkeyhint: 'search',
    'aria-label': t.search,
    'aria-controls': `${id}-list`,
    placeholder: t.placeholder,
  });
  const status = el('p', { class: 'dept-status', 'aria-live': 'polite' });
  const list = el('div', {
    class: 'dept-results',
    id: `${id}-list`,
    role: 'listbox',
    'aria-multiselectable': 'true',
    'aria-label': t.search,
  });
  root.replaceChildren(el('div', { class: 'dept-picker' }, tags, input, status, list));

  const toggle = (code: string) => {
    const now = chosen();
    setChosen(now.includes(code) ? now.filter((c) => c !== code) : [...now, code]);
  };

  function drawTags() {
    tags.replaceChildren(
      ...chosen().map((code) => {
        const name = names.get(code) ?? code;
        const remove = el('button', { type: 'button', class: 'dept-remove', 'aria-label': t.remove(name) }, '×');
        remove.disabled = question.isReadOnly;
        remove.addEventListener('click', () => setChosen(chosen().filter((c) => c !== code)));
        return el('li', { class: 'dept-tag' }, el('span', {}, name), remove);
      }),
    );
  }

  function drawList() {
    const picked = new Set(chosen());
    const groups = searchDirectory(directory, input.value);
    const count = groups.reduce((n, g) => n + g.matches.length, 0);
    status.textContent = !input.value.trim() ? t.all(count) : count ? t.found(count) : t.none;
    list.replaceChildren(
      ...groups.map((group, gi) =>
        el(
          'div',
          { role: 'group', 'aria-labelledby': `${id}-g${gi}` },
          el('div', { class: 'dept-group', id: `${id}-g${gi}` }, group.label),
          ...group.matches.map(({ entry }) =>
            el(
              'div',
              {
                role: 'option',
                class: 'dept-option',
                tabindex: '-1',
                'data-code': entry.code,
                'aria-selected': String(picked.has(entry.code)),
              },
              el('span', { class: 'dept-name' }, entry.name),
              entry.shortNames.length
                ? el('span', { class: 'dept-short', 'aria-hidden': 'true' }, entry.shortNames.join('、'))
                : null,
            ),
          ),
        ),
      ),
    );
  }

  const options = () => [...list.querySelectorAll<HTMLElement>('[role="option"]')];
  const optionOf = (target: EventTarget | null) =>
    (target as HTMLElement | null)?.closest<HTMLElement>('[role="option"]');

  input.addEventListener('input', () => {
    drawList();
    list.scrollTop = 0;
  });
  input.addEventListener('keydown', (event) => {
    if (event.key === 'ArrowDown') {
      event.preventDefault();
      options()[0]?.focus();
    } else if (event.key === 'Enter') {
      // Enter takes the best match; the text stays selected so the next name replaces it
      event.preventDefault();
      const first = options()[0];
      if (first && !question.isReadOnly) toggle(first.dataset.code!);
      input.select();
    }
  });
  list.addEventListener('click', (event) => {
    const option = optionOf(event.target);
    if (option && !question.isReadOnly) toggle(option.dataset.code!);
  });
  list.addEventListener('keydown', (event) => {
    const option = optionOf(event.target);
    if (!option) return;
    const all = options();
    const i = all.indexOf(option);
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      const next = all[i + (event.key === 'ArrowDown' ? 1 : -1)];
      if (next) next.focus();
      else if (event.key === 'ArrowUp') input.focus();
    } else if ((event.key === 'Enter' || event.key === ' ') && !question.isReadOnly) {
      event.preventDefault();
      toggle(option.dataset.code!);
    }
  });

  const refresh = () => {
    drawTags();
    for (const option of options())
      option.setAttribute('aria-selected', String(chosen().includes(option.dataset.code!)));
  };
  drawTags();
  drawList();
  return refresh;
}

/**
 * Draw every department tag box of the surveys made from now on as the picker, searching
 * `directory()` (the directory of the loaded campaign).
 */
export function registerDepartmentPicker(directory: () => DepartmentDirectory, t: PickerText) {
  const drawn = new Map<HTMLElement, () => void>();
  const watching = new WeakSet<SurveyModel>();
  CustomWidgetCollection.Instance.add({
    name: 'minping-department-picker',
    isFit: isPicker,
    isDefaultRender: false,
    htmlTemplate: '<div></div>',
    // called again on every re-render of the question: draw once per element, then keep it current
    afterRender(question: QuestionTagboxModel, host: HTMLElement) {
      const known = drawn.get(host);
      if (known) return known();
      drawn.set(host, build(question, host, directory(), t));
      const survey = question.survey as SurveyModel | undefined;
      if (survey && !watching.has(survey)) {
        watching.add(survey);
        survey.onValueChanged.add((_, options) => {
          if (options.name === question.getValueName()) for (const refresh of drawn.values()) refresh();
        });
      }
    },
    willUnmount(_: Question, host: HTMLElement) {
      drawn.delete(host);
    },
  });
}
