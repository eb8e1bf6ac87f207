/**
 * A place in a questionnaire definition as the office reads it: `pages.2.elements.5.choices.1`
 * (the path the checks report) becomes 第3页第6题「您从哪里得知本次评议？」的第2个选项. Questions
 * inside a panel or a dynamic panel are counted within it: 第3页第1题「逐个评价部门」中的第4题「…」.
 * A question is counted by its position on the page as the definition lists it, titled by its
 * title (its name when it has none).
 */
import { shownText } from './text.js';

const MAX_TITLE = 24;

/** Properties an office may meet in a message, in its words; others keep their SurveyJS name. */
const PROPERTY_WORDS: Record<string, { one: string; nth?: (n: number) => string }> = {
  choices: { one: '选项', nth: (n) => `第${n}个选项` },
  rateValues: { one: '评分值', nth: (n) => `第${n}个评分值` },
  validators: { one: '校验规则', nth: (n) => `第${n}条校验规则` },
  columns: { one: '列', nth: (n) => `第${n}列` },
  rows: { one: '行', nth: (n) => `第${n}行` },
  title: { one: '标题' },
  description: { one: '说明' },
  placeholder: { one: '输入提示' },
  name: { one: '问题名' },
  type: { one: '题型' },
};

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A title or text as it reads in Chinese: the default (or zh-cn) of a localized text. */
function textOf(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  if (!isObject(value)) return undefined;
  for (const key of ['default', 'zh-cn', 'zh']) if (typeof value[key] === 'string') return value[key] as string;
  return Object.values(value).find((v): v is string => typeof v === 'string');
}

function quoted(text: string | undefined): string {
  if (!text?.trim()) return '';
  const plain = shownText(
    text
      .replace(/<[^>]*>/g, '')
      .replace(/\s+/g, ' ')
      .trim(),
  );
  return `「${plain.length > MAX_TITLE ? `${plain.slice(0, MAX_TITLE)}…` : plain}」`;
}

const questionLabel = (e: unknown) => (isObject(e) ? quoted(textOf(e.title) ?? textOf(e.name)) : '');

/** The office's words for `path` in `definition`; '' for the whole questionnaire. */
export function questionnairePlace(definition: unknown, path: string): string {
  const keys = path ? path.split('.') : [];
  let node: unknown = definition;
  let place = '';
  let i = 0;
  if (keys[0] === 'pages') {
    const page = Number(keys[1]);
    if (!Number.isInteger(page)) return '问卷';
    node = Array.isArray(isObject(node) ? node.pages : undefined)
      ? (node as { pages: unknown[] }).pages[page]
      : undefined;
    place = `第${page + 1}页`;
    i = 2;
    let nested = false;
    // elements / templateElements: a question (or a panel holding more) at each step
    while ((keys[i] === 'elements' || keys[i] === 'templateElements') && Number.isInteger(Number(keys[i + 1]))) {
      const index = Number(keys[i + 1]);
      const list = isObject(node) ? node[keys[i]] : undefined;
      node = Array.isArray(list) ? list[index] : undefined;
      place += `${nested ? '中的' : ''}第${index + 1}题${questionLabel(node)}`;
      nested = true;
      i += 2;
    }
  }
  const rest: string[] = [];
  while (i < keys.length) {
    const key = keys[i];
    const words = PROPERTY_WORDS[key];
    const index = Number(keys[i + 1]);
    const value = isObject(node) ? node[key] : undefined;
    if (words?.nth && Number.isInteger(index)) {
      const item = Array.isArray(value) ? value[index] : undefined;
      rest.push(`${words.nth(index + 1)}${quoted(textOf(isObject(item) ? (item.text ?? item.value) : item))}`);
      node = item;
      i += 2;
    } else if (key === 'elements' || key === 'templateElements') {
      rest.push(key === 'elements' ? '其中的题' : '面板中的题');
      node = value;
      i += 1;
    } else {
      rest.push(words?.one ?? (/^\d+$/.test(key) ? `第${Number(key) + 1}项` : `属性 ${shownText(key)}`));
      node = value;
      i += 1;
    }
  }
  return [place, ...rest].filter(Boolean).join('的');
}
