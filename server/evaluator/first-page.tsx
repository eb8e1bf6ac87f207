import type { QuestionnaireDefinition } from '../../surveys/questionnaire.js';

type Lang = 'zh' | 'en';
type Json = Record<string, unknown>;

const isObject = (x: unknown): x is Json => typeof x === 'object' && x !== null && !Array.isArray(x);

/** A SurveyJS text: a string, or `{ default, en }` by locale. */
function textOf(value: unknown, lang: Lang): string {
  if (typeof value === 'string') return value;
  if (!isObject(value)) return '';
  const chosen = lang === 'en' ? (value.en ?? value.default) : (value.default ?? value['zh-cn']);
  return typeof chosen === 'string' ? chosen : '';
}

/** What this page draws itself; anything else (conditions, other types, markdown) waits for SurveyJS. */
const DRAWN = new Set(['radiogroup', 'text', 'comment']);
const CONDITIONAL = ['visibleIf', 'enableIf', 'requiredIf', 'setValueIf', 'defaultValueExpression'];

const drawable = (element: unknown): element is Json =>
  isObject(element) &&
  DRAWN.has(String(element.type)) &&
  typeof element.name === 'string' &&
  element.visible !== false &&
  !CONDITIONAL.some((k) => k in element) &&
  (element.type !== 'text' || element.inputType === undefined || element.inputType === 'text');

/** The first page of a served questionnaire when every question of it can be drawn without SurveyJS. */
export function drawableFirstPage(definition: QuestionnaireDefinition): Json | null {
  const pages = definition.pages;
  const first = Array.isArray(pages) ? pages[0] : undefined;
  if (!isObject(first) || CONDITIONAL.some((k) => k in first)) return null;
  const elements = first.elements;
  if (!Array.isArray(elements) || !elements.length || !elements.every(drawable)) return null;
  return first;
}

function Question({ q, lang }: { q: Json; lang: Lang }) {
  const name = String(q.name);
  const id = `early-${name}`;
  const title = textOf(q.title, lang) || name;
  const required = q.isRequired === true;
  const readOnly = q.readOnly === true;
  const label = (
    <>
      {title}
      {required && <span class="early-required"> *</span>}
    </>
  );
  if (q.type === 'radiogroup') {
    const choices = (Array.isArray(q.choices) ? q.choices : []).map((c) =>
      isObject(c)
        ? { value: String(c.value), text: textOf(c.text, lang) || String(c.value) }
        : { value: String(c), text: String(c) },
    );
    return (
      <fieldset class="early-question" data-early={name}>
        <legend>{label}</legend>
        {choices.map((c) => (
          <label class="early-choice">
            <input
              type="radio"
              name={id}
              value={c.value}
              checked={q.defaultValue !== undefined && String(q.defaultValue) === c.value}
              disabled={readOnly}
            />{' '}
            {c.text}
          </label>
        ))}
      </fieldset>
    );
  }
  const maxLength = typeof q.maxLength === 'number' && q.maxLength > 0 ? q.maxLength : undefined;
  return (
    <div class="early-question" data-early={name}>
      <label for={id}>{label}</label>
      {q.type === 'comment' ? (
        <textarea id={id} name={id} maxlength={maxLength} rows={3} readonly={readOnly}></textarea>
      ) : (
        <input id={id} name={id} type="text" maxlength={maxLength} readonly={readOnly} />
      )}
    </div>
  );
}

/**
 * The questionnaire's first page in plain HTML, answerable while SurveyJS (1.4 MB of script)
 * still downloads on a slow phone; web/pages/evaluator.ts carries what was typed into the
 * questionnaire when it takes over. Nothing when the page needs SurveyJS to be drawn right.
 */
export function FirstPage({ definition, lang }: { definition: QuestionnaireDefinition; lang: Lang }) {
  const page = drawableFirstPage(definition);
  if (!page) return null;
  const surveyTitle = textOf(definition.title, lang);
  const description = textOf(page.description, lang);
  return (
    // a div, not a form: Enter in a field must not send the page anywhere
    <div class="early-page" id="early-page" aria-busy="true">
      {surveyTitle && <h2 class="early-survey-title">{surveyTitle}</h2>}
      <h3>{textOf(page.title, lang)}</h3>
      {description && <p class="early-description">{description}</p>}
      {(page.elements as Json[]).map((q) => (
        <Question q={q} lang={lang} />
      ))}
      <p class="early-loading" role="status">
        {lang === 'en' ? 'Loading the rest of the questionnaire…' : '正在加载其余题目……'}
      </p>
    </div>
  );
}
