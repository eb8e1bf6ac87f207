import { findBadText } from '../../surveys/text.js';
import { AppError } from '../errors.js';

/**
 * How deep a JSON input may nest. A questionnaire answer is about 6 levels deep, a SurveyJS
 * questionnaire or a campaign config a dozen; 10,000 levels parse but overflow the stack of
 * everything that walks them afterwards (JSON.stringify, zod).
 */
export const MAX_JSON_DEPTH = 64;

/**
 * Where `text` first nests deeper than `max` (the path of keys and indexes down to it), or null.
 * Reads the text without building anything, before JSON.parse.
 */
export function tooDeepAt(text: string, max = MAX_JSON_DEPTH): string | null {
  const stack: { object: boolean; key: string | number; expectKey: boolean }[] = [];
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (ch === 0x22 /* " */) {
      let end = i + 1;
      while (end < text.length && text.charCodeAt(end) !== 0x22) end += text.charCodeAt(end) === 0x5c ? 2 : 1;
      const top = stack[stack.length - 1];
      if (top?.object && top.expectKey) {
        top.key = text.slice(i + 1, end);
        top.expectKey = false;
      }
      i = end;
    } else if (ch === 0x7b /* { */ || ch === 0x5b /* [ */) {
      if (stack.length >= max) return stack.map((s) => s.key).join('.');
      stack.push({ object: ch === 0x7b, key: ch === 0x7b ? '' : 0, expectKey: ch === 0x7b });
    } else if (ch === 0x7d /* } */ || ch === 0x5d /* ] */) {
      stack.pop();
    } else if (ch === 0x2c /* , */) {
      const top = stack[stack.length - 1];
      if (top?.object) top.expectKey = true;
      else if (top) top.key = Number(top.key) + 1;
    }
  }
  return null;
}

/**
 * Where and why `JSON.parse` refused `text`, in the office's words: V8's own message is English and
 * quotes the input back (`Unexpected token 'x', "xx" is not valid JSON`).
 */
export function jsonSyntaxReason(text: string, error: unknown): string {
  const message = error instanceof Error ? error.message : '';
  if (/end of JSON input/.test(message)) return '内容不完整（在结尾处中断）';
  const position = /at position (\d+)/.exec(message);
  if (position) {
    const before = text.slice(0, Number(position[1]));
    const line = before.split('\n').length;
    const column = before.length - before.lastIndexOf('\n');
    return `${line > 1 ? `第${line}行` : ''}第${column}个字符处格式有误`;
  }
  const token = /^Unexpected token '(.+?)'/.exec(message);
  return token ? `有无法识别的字符「${token[1]}」` : '格式有误';
}

/**
 * The one way JSON input is read (request bodies, JSONL lines, uploaded questionnaires): refuses
 * nesting past MAX_JSON_DEPTH, then text that can't be stored (NUL, lone surrogates) anywhere in
 * it, each as a 4xx naming the field. `line` names the line of a JSONL file.
 */
export function parseJson(text: string, what: string, line?: number): unknown {
  const at = line === undefined ? {} : { line };
  const deep = tooDeepAt(text);
  if (deep !== null) {
    const message = `嵌套超过 ${MAX_JSON_DEPTH} 层`;
    throw new AppError('VALIDATION_FAILED', `${what}：${deep ? `${deep}：` : ''}${message}`, [
      { ...at, ...(deep ? { path: deep } : {}), message },
    ]);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const reason = jsonSyntaxReason(text, error);
    throw new AppError('BAD_REQUEST', `${what}不是有效的 JSON：${reason}`, [
      { ...at, message: `不是有效的 JSON：${reason}` },
    ]);
  }
  const bad = findBadText(value);
  if (bad) {
    throw new AppError('VALIDATION_FAILED', `${what}：${bad.path ? `${bad.path}：` : ''}${bad.message}`, [
      { ...at, ...(bad.path ? { path: bad.path } : {}), message: bad.message },
    ]);
  }
  return value;
}

/**
 * `value` as JSON with every object's keys sorted, at every depth: one text per meaning, so a
 * hash of it doesn't change with the order a client happened to write the keys in.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}
