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
/**
 * The tags read, with or without a namespace prefix: rows and cells, and every tag whose range
 * exceljs acts on: `<dimension>`, `<col>` (not `<cols>`), `<mergeCell>`, `<f>` (shared and array
 * formulas), `<conditionalFormatting>`, `<dataValidation>`, `<hyperlink>`.
 */
const TAG =
  /<(?:[A-Za-z_][\w.-]*:)?(row|c|dimension|col|mergeCell|f|conditionalFormatting|dataValidation|hyperlink)[\s/>]([^>]*)/g;
const ATTRIBUTES = new Map<string, RegExp>();
/** An attribute's value in a tag's attribute text (the pattern made once per name). */
function attribute(attributes: string, name: string): string | undefined {
  let pattern = ATTRIBUTES.get(name);
  if (!pattern) ATTRIBUTES.set(name, (pattern = new RegExp(`(?:^|\\s)${name}\\s*=\\s*["']([^"']*)["']`)));
  return pattern.exec(attributes)?.[1];
}

/** Excel's own grid: a range running to its last row or column is a whole column or row. */
const EXCEL = { rows: 1_048_576, columns: 16_384 } as const;

/** The ranges a tag carries, what the refusal calls them, and whether exceljs builds an object per cell of them. */
const RANGES = {
  mergeCell: { attribute: 'ref', what: '合并单元格', perCell: true },
  dataValidation: { attribute: 'sqref', what: '数据验证（下拉列表）的范围', perCell: true },
  conditionalFormatting: { attribute: 'sqref', what: '条件格式的范围', perCell: false },
  hyperlink: { attribute: 'ref', what: '超链接的范围', perCell: false },
  f: { attribute: 'ref', what: '共享公式的范围', perCell: false },
} as const;

interface Area {
  top: number;
  left: number;
  bottom: number;
  right: number;
}

/** `B2:D9`, `B2`, `$B$2`, or a whole column `C:C` or row `3:5`; undefined when it is none of these. */
function areaOf(ref: string): Area | undefined {
  const [from, to = from] = ref.split(':');
  const column = /^\$?([A-Za-z]{1,3})$/;
  const row = /^\$?(\d{1,7})$/;
  const a = CELL_REF.exec(from);
  const b = CELL_REF.exec(to);
  if (a && b) {
    return { top: Number(a[2]), left: columnNumber(a[1]), bottom: Number(b[2]), right: columnNumber(b[1]) };
  }
  const ca = column.exec(from);
  const cb = column.exec(to);
  if (ca && cb) return { top: 1, left: columnNumber(ca[1]), bottom: EXCEL.rows, right: columnNumber(cb[1]) };
  const ra = row.exec(from);
  const rb = row.exec(to);
  if (ra && rb) return { top: Number(ra[1]), left: 1, bottom: Number(rb[1]), right: EXCEL.columns };
  return undefined;
}

/**
 * Reads a worksheet's XML as it is inflated, building nothing: the declared used range
 * (`<dimension ref>`), every row and cell as it comes, and every range exceljs acts on. Throws 413
 * naming the limit and the range as soon as the sheet passes SHEET_LIMITS, before exceljs ever
 * sees the file. exceljs builds an object for every cell of a merge (one merge of A2:XFD1048576
 * held the import queue for its whole time budget) and of a data validation's range, so those
 * count as cells; the ranges it keeps as text stay within the sheet's limits too, but for the
 * whole columns (C2:C1048576) and whole rows (A1:XFD1) Excel writes when an office formats an
 * entire column or row. `<col max>` may run to Excel's last column (how Excel hides the unused
 * ones) and no further: exceljs builds a column object for each.
 */
export class SheetScanner {
  private carry = '';
  private rowElements = 0;
  private rowsWithCells = 0;
  private row = 0;
  private column = 0;
  private lastColumnOfRow = 0;
  /** cells as exceljs builds them: up to the last used column of each row, and every cell of a per-cell range */
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
      const [, tag, attributes] = match;
      if (tag === 'row') this.startRow(attribute(attributes, 'r'), attribute(attributes, 'spans'));
      else if (tag === 'c') this.cell(attribute(attributes, 'r'));
      else if (tag === 'dimension') this.dimension(attribute(attributes, 'ref'));
      else if (tag === 'col') this.columns(attribute(attributes, 'max'));
      else {
        const kind = RANGES[tag as keyof typeof RANGES];
        for (const ref of attribute(attributes, kind.attribute)?.split(/\s+/) ?? []) this.range(ref, kind);
      }
    }
  }

  /** The sheet's XML has ended. */
  end(): void {
    this.write('');
    this.endRow();
  }

  private dimension(ref: string | undefined) {
    const area = ref ? areaOf(ref) : undefined;
    if (!area) return;
    this.checkColumn(Math.max(area.left, area.right), `的使用范围是 ${ref}`);
    const bottom = Math.max(area.top, area.bottom);
    if (bottom > this.limits.maxRows) {
      throw this.refusal(
        `的使用范围是 ${ref}（到第 ${bottom} 行），超过 ${this.limits.maxRows} 行的上限：请删除下方多余的行（或分批导入）`,
      );
    }
  }

  private columns(max: string | undefined) {
    if (max && Number(max) > EXCEL.columns) {
      throw this.refusal(
        `的列设置到了第 ${max} 列，超出 Excel 的 ${EXCEL.columns} 列：文件已损坏，请另存为 .csv 后再导入`,
      );
    }
  }

  private startRow(ref: string | undefined, spans: string | undefined) {
    this.endRow();
    this.row = ref && /^\d+$/.test(ref) ? Number(ref) : this.row + 1;
    // rows without cells (only formatting) still cost exceljs a row each
    if (++this.rowElements > 2 * this.limits.maxRows) throw tooManyRows(this.limits);
    this.column = 0;
    const [left, right] = spans?.split(':').map(Number) ?? [];
    if (spans && left > 0 && right > 0) {
      const area = { top: this.row, bottom: this.row, left, right };
      this.range(spans, { what: `第 ${this.row} 行声明的列范围`, perCell: false }, area);
    }
  }

  /**
   * A range of a merge, a validation, a format, a link or a formula: within the sheet's limits, or
   * whole columns or rows; every cell of a per-cell one counts.
   */
  private range(ref: string, kind: { what: string; perCell: boolean }, area = areaOf(ref)) {
    if (!area) return;
    const [top, bottom] = [Math.min(area.top, area.bottom), Math.max(area.top, area.bottom)];
    const [left, right] = [Math.min(area.left, area.right), Math.max(area.left, area.right)];
    const rowsFit = bottom <= this.limits.maxRows;
    const columnsFit = right <= this.limits.maxColumns;
    const wholeColumns = bottom === EXCEL.rows && columnsFit;
    const wholeRows = right === EXCEL.columns && rowsFit;
    if (!((rowsFit && columnsFit) || wholeColumns || wholeRows)) {
      throw this.refusal(
        `的${kind.what} ${ref} 超出了可导入的范围（最多 ${this.limits.maxRows} 行、${this.limits.maxColumns} 列）：请删除它或缩小到有数据的单元格（或另存为 .csv）后再导入`,
      );
    }
    if (!kind.perCell) return;
    this.cells += (bottom - top + 1) * (right - left + 1);
    if (this.cells > this.limits.maxCells) {
      throw this.refusal(
        `的${kind.what} ${ref} 覆盖的单元格太多（连同数据超过 ${this.limits.maxCells} 个单元格的上限）：请缩小到有数据的单元格（或另存为 .csv）后再导入`,
      );
    }
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
