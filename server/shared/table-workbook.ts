import ExcelJS from 'exceljs';
import { siblingModule } from './paths.js';
import { TaskThread } from './worker-thread.js';

export type TableCell = string | number | { text: string; hyperlink: string };

/** One sheet of plain rows under a bold, frozen header row: the shape of the office's lists. */
export interface TableSheet {
  name: string;
  columns: { header: string; width: number }[];
  rows: TableCell[][];
}

/** The .xlsx of a table, built here. */
export async function tableWorkbook(sheet: TableSheet): Promise<Uint8Array> {
  const workbook = new ExcelJS.Workbook();
  workbook.creator = 'minping';
  const ws = workbook.addWorksheet(sheet.name);
  ws.columns = sheet.columns;
  ws.getRow(1).font = { bold: true };
  ws.views = [{ state: 'frozen', ySplit: 1 }];
  for (const row of sheet.rows) ws.addRow(row);
  return new Uint8Array(await workbook.xlsx.writeBuffer());
}

/**
 * Below this many rows a sheet is built in place: a worker thread takes longer to start than the
 * sheet to build. Above it the building (ExcelJS: ~0.2 ms a row, 40,000 rows ~8 s) would stop
 * every evaluator's request for seconds.
 */
const ROWS_IN_PLACE = 2_000;

let thread: TaskThread<TableSheet, Uint8Array> | undefined;

/** The .xlsx of a table, a large one built in a worker thread so the server keeps answering. */
export function tableWorkbookOffThread(sheet: TableSheet): Promise<Uint8Array> {
  if (sheet.rows.length <= ROWS_IN_PLACE) return tableWorkbook(sheet);
  thread ??= new TaskThread<TableSheet, Uint8Array>(siblingModule(import.meta.url, './table-workbook-task.ts'), {
    failure: (error) => error,
  });
  return thread.run(sheet);
}
