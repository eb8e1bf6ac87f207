/** A result view's departments by group: isomorphic, for the dashboard and the server's exports. */
import type { DepartmentView, ResultView } from '../../server/contracts.js';

/** Groups of a view in config order, each with its departments; a group missing from the catalogs comes last. */
export function groupsOf(view: ResultView): { code: string; label: string; departments: DepartmentView[] }[] {
  const groups = view.catalogs.groups.map((g) => ({
    ...g,
    departments: view.departments.filter((d) => d.group === g.code),
  }));
  const known = new Set(groups.map((g) => g.code));
  for (const d of view.departments) {
    if (known.has(d.group)) continue;
    known.add(d.group);
    groups.push({
      code: d.group,
      label: d.groupLabel,
      departments: view.departments.filter((x) => x.group === d.group),
    });
  }
  return groups.filter((g) => g.departments.length > 0);
}

/** Whether the view's scale has unfavourable levels (好差评): its pages and exports show 差评率 beside 满意率. */
export const reportsUnfavourable = (view: ResultView): boolean =>
  view.departments.some((d) => d.unfavourableRate !== undefined);
