/**
 * survey-core's own reading of a questionnaire: unknown properties and question types that the
 * SurveyJS editor would flag, in Chinese and at their path. It builds one survey-core Model, so
 * it runs when a questionnaire is loaded (a campaign created), never per request, and on the
 * server in the import thread (server/imports/tasks.ts), never on the thread that answers requests.
 */
import type { LintIssue } from './questionnaire.js';

interface JsonError {
  type: string;
  propertyName?: string;
  jsonObj?: unknown;
}

/** The path of every object in a JSON value, by identity (survey-core reports the object itself). */
function pathsOf(value: unknown): Map<unknown, string> {
  const paths = new Map<unknown, string>();
  const stack: { value: unknown; path: string }[] = [{ value, path: '' }];
  while (stack.length) {
    const { value: v, path } = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    paths.set(v, path);
    for (const [key, child] of Object.entries(v)) stack.push({ value: child, path: path ? `${path}.${key}` : key });
  }
  return paths;
}

function messageOf(error: JsonError): string {
  const property = error.propertyName ?? '';
  const type = (error.jsonObj as { type?: unknown } | undefined)?.type;
  switch (error.type) {
    case 'unknownproperty':
      return `SurveyJS 不认识属性 ${property}（拼写有误，或为其他版本的属性）`;
    case 'incorrecttypeproperty':
      return `SurveyJS 没有题型 ${String(type)}`;
    case 'missingtypeproperty':
      return '缺少 type（题型）';
    case 'requiredproperty':
      return `缺少必需的属性 ${property}`;
    case 'arrayproperty':
      return `属性 ${property} 应为数组`;
    case 'incorrectvalue':
      return `属性 ${property} 的值无效`;
    default:
      return `SurveyJS 无法读取（${error.type}）`;
  }
}

/** `unreadable`: survey-core could not read the definition at all (it throws on a wrong shape). */
export type SurveyCoreIssue = LintIssue & { unreadable?: true };

export async function surveyCoreIssues(definition: unknown): Promise<SurveyCoreIssue[]> {
  // loaded on demand: the CLI and the server start without survey-core's 1 MB
  const { Model } = await import('survey-core');
  let model: InstanceType<typeof Model>;
  try {
    model = new Model(definition);
  } catch (error) {
    return [{ path: '', message: `SurveyJS 无法读取这份问卷：${(error as Error).message}`, unreadable: true }];
  }
  try {
    const paths = pathsOf(definition);
    return ((model.jsonErrors ?? []) as JsonError[]).map((error) => ({
      path: paths.get(error.jsonObj) ?? '',
      message: messageOf(error),
    }));
  } finally {
    model.dispose();
  }
}
