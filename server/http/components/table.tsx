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
  /**
   * On a phone each row is a card with each cell under its column's head (base.css), instead of a
   * table scrolled sideways: for a list of records whose last columns are its buttons.
   */
  stacked?: boolean;
}

/** A cell with nothing in it: a stacked card leaves it out instead of showing a head with no value. */
const isBlank = (content: Child) => content === '' || content === null || content === undefined || content === false;

/**
 * A data table in a horizontally scrolling box, so that a narrow phone scrolls the table instead
 * of squeezing its columns one character wide (base.css keeps text columns readable, figures on one line).
 */
export function Table<Row>({
  id,
  class: className,
  columns,
  rows,
  rowAttributes,
  foot,
  empty,
  stacked,
}: TableProps<Row>) {
  if (!rows.length && empty !== undefined) return <EmptyState id={id}>{empty}</EmptyState>;
  const classes = [className, stacked && 'stacked'].filter(Boolean).join(' ') || undefined;
  return (
    <div class="table-wrap">
      <table id={id} class={classes}>
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
              {columns.map((c) => {
                const content = c.cell(row);
                if (!stacked) return <td class={c.text ? 'text' : undefined}>{content}</td>;
                const classes = [c.text && 'text', isBlank(content) && 'blank'].filter(Boolean).join(' ');
                return (
                  <td class={classes || undefined}>
                    <span class="cell-head">{c.head}</span>
                    {content}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
        {foot && (
          <tfoot>
            <tr>
              {foot.map((cell, i) =>
                stacked ? (
                  <th>
                    <span class="cell-head">{columns[i]?.head}</span>
                    {cell}
                  </th>
                ) : (
                  <th>{cell}</th>
                ),
              )}
            </tr>
          </tfoot>
        )}
      </table>
    </div>
  );
}
