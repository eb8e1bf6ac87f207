/**
 * The same department across campaigns: the same code and the same name. A code a later campaign
 * gives to another body is another department (回头看 reopens only its own items; a liaison account
 * is the liaison of its own body's rows only).
 */
export const sameDepartment = (a: { code: string; name: string }, b: { code: string; name: string }): boolean =>
  a.code === b.code && a.name === b.name;
