/** The worker thread's side of tableWorkbookOffThread. */
import { tableWorkbook } from './table-workbook.js';
import { serveTasks } from './worker-thread.js';

serveTasks(tableWorkbook);
