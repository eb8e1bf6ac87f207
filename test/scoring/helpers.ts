import { defaultMethod } from '../../scoring/defaults.js';
import type { DepartmentInfo, Method, ResponseDepartment, ResponseRecord } from '../../scoring/types.js';

export const S = 'satisfied'; // 100
export const F = 'fairly_satisfied'; // 80
export const B = 'basically_satisfied'; // 60
export const X = 'dissatisfied'; // 0
export const U = 'unknown'; // 不了解

/** default method with a small bootstrap, overridable */
export function method(patch: Partial<Method> = {}): Method {
  const m = defaultMethod();
  m.bootstrap = { samples: 0, seed: 7 };
  return { ...m, ...patch };
}

export function dept(code: string, group = 'G'): DepartmentInfo {
  return { code, name: `部门${code}`, group };
}

export interface Rate {
  code: string;
  eff?: string;
  qual?: string;
  problems?: number[];
  negatives?: { kind: number; verified: boolean }[];
}

let counter = 0;
export function resetIds(): void {
  counter = 0;
}

export function response(category: string, rates: Rate[], extra: Partial<ResponseRecord> = {}): ResponseRecord {
  counter++;
  return {
    id: extra.id ?? `r${String(counter).padStart(5, '0')}`,
    category,
    durationSeconds: extra.durationSeconds === undefined ? 300 : extra.durationSeconds,
    networkKey: extra.networkKey ?? null,
    submittedAt: extra.submittedAt ?? null,
    departments: rates.map(
      (r): ResponseDepartment => ({
        code: r.code,
        ratings: {
          ...(r.eff !== undefined ? { efficiency: r.eff } : {}),
          ...(r.qual !== undefined ? { quality: r.qual } : {}),
        },
        problems: r.problems ?? [],
        negatives: r.negatives ?? [],
      }),
    ),
  };
}

/** n responses of one category, each rating department `code` with (eff, qual) */
export function raters(
  n: number,
  category: string,
  code: string,
  eff: string,
  qual: string = eff,
  extra: Partial<Rate> = {},
): ResponseRecord[] {
  return Array.from({ length: n }, () => response(category, [{ code, eff, qual, ...extra }]));
}

/** n responses of a category rating `code`, levels taken in turn from `levels` (both items) */
export function mixed(n: number, category: string, code: string, levels: string[]): ResponseRecord[] {
  return Array.from({ length: n }, (_, k) =>
    response(category, [{ code, eff: levels[k % levels.length], qual: levels[(k + 1) % levels.length] }]),
  );
}
