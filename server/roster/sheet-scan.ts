import { AppError } from '../errors.js';

/**
 * What an uploaded sheet may hold. exceljs keeps one object per cell up to the last used column
 * of each row, so a 16.7 KB file with a cell in column A and one in XFD on each of 1,500 rows
 * costs 24 million cells (it exhausted the heap). A roster has a handful of columns: 200,000
 * rows of 10 columns is 2,000,000 cells.
 */
export const SHEET_LIMITS = { maxRows: 200_000, maxColumns: 256, maxCells: 3_000_000 } as const;

export type SheetLimits = { [K in keyof typeof SHEET_LIMITS]: number };

export const tooManyRows = (limits: SheetLimits = SHEET_LIMITS) =>
  new AppError('PAYLOAD_TOO_LARGE', `文件超过 ${limits.maxRows} 行，请分批导入`);

/** Column letters → number: A → 1, XFD → 16384. */
function columnNumber(letters: string): number {
  let n = 0;
  for (const ch of letters.toUpperCase()) n = n * 26 + (ch.charCodeAt(0) - 64);
  return n;
}

const CELL_REF = /^\$?([A-Za-z]{1,3})\$?(\d{1,7})$/;
/** `<row …>`, `<c …>` and `<dimension …>`, with or without a namespace prefix (not `<col>`, `<cols>`) */
const TAG = /<(?:[A-Za-z_][\w.-]*:)?(row|c|dimension)[\s/>]([^>]*)/g;
const REF = /(?:^|\s)(?:r|ref)\s*=\s*["']([^"']*)["']/;

/**
 * Reads a worksheet's XML as it is inflated, building nothing: the declared used range
 * (`<dimension ref>`), then every row and cell as it comes. Throws 413 naming the limit as soon
 * as the sheet passes SHEET_LIMITS, before exceljs ever sees the file.
 */
export class SheetScanner {
  private carry = '';
  private rowElements = 0;
  private rowsWithCells = 0;
  private row = 0;
  private column = 0;
  private lastColumnOfRow = 0;
  /** cells as exceljs builds them: up to the last used column of each row */
  private cells = 0;

  constructor(
    private readonly sheet: string,
    private readonly limits: SheetLimits = SHEET_LIMITS,
  ) {}

  write(chunk: string): void {
    const text = this.carry + chunk;
    // a tag cut at the chunk's end waits for the next chunk
    const open = text.lastIndexOf('<');
    const cut = open >= 0 && text.indexOf('>', open) < 0 ? open : text.length;
    this.carry = text.slice(cut);
    if (this.carry.length > 65_536) throw this.refusal('含有无法读取的超长标记');
    const scanned = cut === text.length ? text : text.slice(0, cut);
    TAG.lastIndex = 0;
    for (let match = TAG.exec(scanned); match; match = TAG.exec(scanned)) {
      const ref = REF.exec(match[2])?.[1];
      if (match[1] === 'dimension') this.dimension(ref);
      else if (match[1] === 'row') this.startRow(ref);
      else this.cell(ref);
    }
  }

  /** The sheet's XML has ended. */
  end(): void {
    this.write('');
    this.endRow();
  }

  private dimension(ref: string | undefined) {
    const match = CELL_REF.exec(ref?.split(':').pop() ?? '');
    if (match) this.checkColumn(columnNumber(match[1]), `的使用范围是 ${ref}`);
  }

  private startRow(ref: string | undefined) {
    this.endRow();
    this.row = ref && /^\d+$/.test(ref) ? Number(ref) : this.row + 1;
    // rows without cells (only formatting) still cost exceljs a row each
    if (++this.rowElements > 2 * this.limits.maxRows) throw tooManyRows(this.limits);
    this.column = 0;
  }

  private cell(ref: string | undefined) {
    const match = CELL_REF.exec(ref ?? '');
    this.column = match ? columnNumber(match[1]) : this.column + 1;
    this.checkColumn(this.column, `第 ${this.row} 行用到了 ${ref ?? `第 ${this.column} 列`}`);
    if (this.lastColumnOfRow === 0 && ++this.rowsWithCells > this.limits.maxRows) throw tooManyRows(this.limits);
    this.lastColumnOfRow = Math.max(this.lastColumnOfRow, this.column);
  }

  private endRow() {
    this.cells += this.lastColumnOfRow;
    this.lastColumnOfRow = 0;
    if (this.cells > this.limits.maxCells) {
      throw this.refusal(
        `的单元格太多（按每行用到的最后一列计超过 ${this.limits.maxCells} 个的上限）：请删除多余的行和列，或分批导入`,
      );
    }
  }

  private checkColumn(column: number, where: string) {
    if (column > this.limits.maxColumns) {
      throw this.refusal(
        `${where}（第 ${column} 列），超过 ${this.limits.maxColumns} 列的上限：请删除右侧多余的列（或另存为 .csv）后再导入`,
      );
    }
  }

  private refusal(why: string): AppError {
    return new AppError('PAYLOAD_TOO_LARGE', `Excel 工作表「${this.sheet}」${why}，没有导入任何数据`);
  }
}
