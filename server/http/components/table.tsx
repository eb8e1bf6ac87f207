import type { Child } from 'hono/jsx';
import { EmptyState } from './message.js';

export interface Column<Row> {
  head: Child;
  cell: (row: Row) => Child;
  /** words that may wrap (the column keeps a readable width); other cells stay on one line. The first column is always text. */
  text?: boolean;
}

export interface TableProps<Row> {
  id?: string;
  class?: string;
  columns: Column<Row>[];
  rows: Row[];
  /** attributes of a row's <tr>, e.g. `{ 'data-category': row.code }` */
  rowAttributes?: (row: Row) => Record<string, string>;
  /** the cells of a totals row */
  foot?: Child[];
  /** shown instead of the table when there are no rows */
  empty?: Child;
}

/**
 * A data table in a horizontally scrolling box, so that a narrow phone scrolls the table instead
 * of squeezing its columns one character wide (base.css keeps text columns readable, figures on one line).
 */
export function Table<Row>({ id, class: className, columns, rows, rowAttributes, foot, empty }: TableProps<Row>) {
  if (!rows.length && empty !== undefined) return <EmptyState id={id}>{empty}</EmptyState>;
  return (
    <div class="table-wrap">
      <table id={id} class={className}>
        <thead>
          <tr>
            {columns.map((c) => (
              <th>{c.head}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr {...rowAttributes?.(row)}>
              {columns.map((c) => (
                <td class={c.text ? 'text' : undefined}>{c.cell(row)}</td>
              ))}
            </tr>
          ))}
        </tbody>
        {foot && (
          <tfoot>
            <tr>
              {foot.map((cell) => (
                <th>{cell}</th>
              ))}
            </tr>
          </tfoot>
        )}
      </table>
    </div>
  );
}
