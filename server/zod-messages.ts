/**
 * zod's own messages in Chinese, for every schema that doesn't give its own: the zh-CN locale,
 * with the common cases said plainly (a wrong type names the expected one in Chinese, an enum
 * lists its values, an unknown field is named). Loaded once per process (and worker thread) by
 * `server/errors.ts`, through which every parse reaches its users.
 */
import { z } from 'zod';

const TYPE_NAMES: Record<string, string> = {
  string: '文字',
  number: '数字',
  int: '整数',
  bigint: '整数',
  boolean: 'true 或 false',
  object: 'JSON 对象（{ … }）',
  array: '列表（[ … ]）',
  date: '日期',
  null: 'null',
  undefined: '不填',
};

const listed = (values: readonly unknown[]) => values.map((v) => (typeof v === 'string' ? v : String(v))).join('、');

/** Chinese runs into Latin text with a space between: 应为文字, 应为 JSON 对象. */
const spaced = (before: string, after: string) => (/^[\x21-\x7e]/.test(after) ? `${before} ${after}` : before + after);

/** A bound said as the office would: 至少要有 1 项, 不能为空, 应大于 0. */
function tooSmall(origin: string, min: number, inclusive: boolean): string | undefined {
  if (origin === 'array' || origin === 'set') return min <= 1 ? '至少要有 1 项，不能是空列表' : `至少要有 ${min} 项`;
  if (origin === 'string') return min <= 1 ? '不能为空' : `至少 ${min} 个字`;
  if (origin === 'number' || origin === 'int' || origin === 'bigint')
    return inclusive ? `不能小于 ${min}` : `应大于 ${min}`;
  return undefined;
}

function tooBig(origin: string, max: number, inclusive: boolean): string | undefined {
  if (origin === 'array' || origin === 'set') return `最多 ${max} 项`;
  if (origin === 'string') return `最多 ${max} 个字`;
  if (origin === 'number' || origin === 'int' || origin === 'bigint')
    return inclusive ? `不能大于 ${max}` : `应小于 ${max}`;
  return undefined;
}

z.config(z.locales.zhCN());
z.config({
  customError: (issue) => {
    switch (issue.code) {
      case 'invalid_type':
        if (issue.input === undefined) return '必填';
        return spaced('应为', TYPE_NAMES[issue.expected] ?? issue.expected);
      case 'invalid_value':
        return issue.values.length === 1 ? `应为 ${listed(issue.values)}` : `应为 ${listed(issue.values)} 之一`;
      case 'unrecognized_keys':
        return `不认识的字段：${issue.keys.join('、')}`;
      case 'too_small':
        return tooSmall(issue.origin, Number(issue.minimum), issue.inclusive !== false);
      case 'too_big':
        return tooBig(issue.origin, Number(issue.maximum), issue.inclusive !== false);
      default:
        return undefined;
    }
  },
});
