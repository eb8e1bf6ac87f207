import type { Insertable, Kysely, Selectable, Updateable } from 'kysely';
import type { Database, EvidenceFilesTable, NoticeSheetsTable, TrackedItemsTable } from '../db/schema.js';
import { newId } from '../shared/ids.js';
import type {
  NoticeEvidenceFile as EvidenceFile,
  NoticeHistoryEntry as HistoryEntry,
  NoticeItem as Item,
  NoticeItemSource as ItemSource,
  NoticeNotification as Notification,
  NoticeSheet as Sheet,
  NoticeSheetBasis as SheetBasis,
  NoticeSheetState as SheetState,
} from '../contracts.js';
import type { ItemState, Plan } from './machine.js';

export type { EvidenceFile, HistoryEntry, Item, ItemSource, Notification, Sheet, SheetBasis, SheetState };

/**
 * The one owner of notice_sheets, tracked_items, item_history and evidence_files. Rows stay here:
 * callers get the shapes of server/contracts.ts.
 */

export interface NewSheet {
  campaignId: string;
  departmentId: string;
  serialNumber: number;
  serialText: string;
  title: string;
  issuer: string;
  addressee: string;
  requirement: string;
  basis: SheetBasis;
  snapshotId: string | null;
  createdAt: string;
  createdBy: string;
}

export interface NewItem {
  campaignId: string | null;
  sheetId: string | null;
  departmentId: string;
  seq: number;
  number: string;
  source: ItemSource;
  sourceRef: string | null;
  kind: number | null;
  title: string;
  evidence: string;
  requirement: string;
  createdAt: string;
}

/** The item fields a transition or an edit may change. */
export type ItemPatch = Partial<
  Pick<
    Item,
    | 'state'
    | 'seq'
    | 'number'
    | 'requirement'
    | 'evidence'
    | 'respondDays'
    | 'issuedAt'
    | 'dueAt'
    | 'responseDueAt'
    | 'acknowledgedAt'
    | 'plan'
    | 'responseText'
    | 'respondedBy'
    | 'respondedAt'
    | 'respondedOnTime'
    | 'closedBy'
    | 'closedAt'
    | 'extensionPendingDays'
    | 'extensionGrantedDays'
    | 'appealedAt'
    | 'reopenCount'
    | 'escalation'
  >
>;

export type SheetPatch = Partial<
  Pick<
    Sheet,
    | 'state'
    | 'requirement'
    | 'basis'
    | 'snapshotId'
    | 'title'
    | 'issuer'
    | 'addressee'
    | 'issuedAt'
    | 'issuedBy'
    | 'acknowledgedAt'
    | 'acknowledgedBy'
  >
>;

export interface ItemFilter {
  campaignId?: string;
  sheetId?: string;
  departmentId?: string;
  /** a department across campaigns */
  departmentCode?: string;
  /** any of these department rows (a liaison's, one per campaign) */
  departmentIds?: readonly string[];
  states?: ItemState[];
  /** only items issued to the department (never drafts nor items withdrawn before issue) */
  issuedOnly?: boolean;
  /** only items whose current deadline is before this instant */
  dueBefore?: string;
}

type SheetRow = Selectable<NoticeSheetsTable> & { department_code: string; department_name: string };
type ItemRow = Selectable<TrackedItemsTable> & { department_code: string; department_name: string };

function toSheet(row: SheetRow): Sheet {
  return {
    id: row.id,
    campaignId: row.campaign_id,
    departmentId: row.department_id,
    departmentCode: row.department_code,
    departmentName: row.department_name,
    serialNumber: Number(row.serial_number),
    serialText: row.serial_text,
    state: row.state as SheetState,
    title: row.title,
    issuer: row.issuer,
    addressee: row.addressee,
    requirement: row.requirement,
    // written by this repository from a SheetBasis, never by anyone else
    basis: JSON.parse(row.basis_json) as SheetBasis,
    snapshotId: row.snapshot_id,
    createdAt: row.created_at,
    createdBy: row.created_by,
    issuedAt: row.issued_at,
    issuedBy: row.issued_by,
    acknowledgedAt: row.acknowledged_at,
    acknowledgedBy: row.acknowledged_by,
  };
}

const numberOrNull = (x: number | string | null) => (x === null ? null : Number(x));

function toItem(row: ItemRow): Item {
  return {
    id: row.id,
    campaignId: row.campaign_id,
    sheetId: row.sheet_id,
    departmentId: row.department_id,
    departmentCode: row.department_code,
    departmentName: row.department_name,
    seq: Number(row.seq),
    number: row.number_text,
    source: row.source as ItemSource,
    sourceRef: row.source_ref,
    kind: numberOrNull(row.kind),
    title: row.title,
    evidence: row.evidence,
    requirement: row.requirement,
    state: row.state as ItemState,
    respondDays: Number(row.respond_days),
    issuedAt: row.issued_at,
    dueAt: row.due_at,
    responseDueAt: row.response_due_at,
    acknowledgedAt: row.acknowledged_at,
    // written by this repository from a Plan
    plan: row.plan_json === null ? null : (JSON.parse(row.plan_json) as Plan),
    responseText: row.response_text,
    respondedBy: row.responded_by,
    respondedAt: row.responded_at,
    respondedOnTime: row.responded_on_time === null ? null : Number(row.responded_on_time) === 1,
    closedBy: row.closed_by,
    closedAt: row.closed_at,
    extensionPendingDays: numberOrNull(row.extension_pending_days),
    extensionGrantedDays: numberOrNull(row.extension_granted_days),
    appealedAt: row.appealed_at,
    reopenCount: Number(row.reopen_count),
    escalation: Number(row.escalation),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

const ITEM_COLUMNS: Record<keyof ItemPatch, keyof TrackedItemsTable> = {
  state: 'state',
  seq: 'seq',
  number: 'number_text',
  requirement: 'requirement',
  evidence: 'evidence',
  respondDays: 'respond_days',
  issuedAt: 'issued_at',
  dueAt: 'due_at',
  responseDueAt: 'response_due_at',
  acknowledgedAt: 'acknowledged_at',
  plan: 'plan_json',
  responseText: 'response_text',
  respondedBy: 'responded_by',
  respondedAt: 'responded_at',
  respondedOnTime: 'responded_on_time',
  closedBy: 'closed_by',
  closedAt: 'closed_at',
  extensionPendingDays: 'extension_pending_days',
  extensionGrantedDays: 'extension_granted_days',
  appealedAt: 'appealed_at',
  reopenCount: 'reopen_count',
  escalation: 'escalation',
};

function itemUpdate(patch: ItemPatch): Updateable<TrackedItemsTable> {
  const update: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(patch) as [keyof ItemPatch, unknown][]) {
    if (value === undefined) continue;
    update[ITEM_COLUMNS[key]] =
      value === null
        ? null
        : key === 'plan'
          ? JSON.stringify(value)
          : key === 'respondedOnTime'
            ? Number(value)
            : value;
  }
  return update as Updateable<TrackedItemsTable>;
}

const SHEET_COLUMNS: Record<keyof SheetPatch, keyof NoticeSheetsTable> = {
  state: 'state',
  requirement: 'requirement',
  basis: 'basis_json',
  snapshotId: 'snapshot_id',
  title: 'title',
  issuer: 'issuer',
  addressee: 'addressee',
  issuedAt: 'issued_at',
  issuedBy: 'issued_by',
  acknowledgedAt: 'acknowledged_at',
  acknowledgedBy: 'acknowledged_by',
};

function sheetUpdate(patch: SheetPatch): Updateable<NoticeSheetsTable> {
  const update: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(patch) as [keyof SheetPatch, unknown][]) {
    if (value !== undefined) update[SHEET_COLUMNS[key]] = key === 'basis' ? JSON.stringify(value) : value;
  }
  return update as Updateable<NoticeSheetsTable>;
}

export function noticesRepository(db: Kysely<Database>) {
  const sheets = () =>
    db
      .selectFrom('notice_sheets as s')
      .innerJoin('departments as d', 'd.id', 's.department_id')
      .selectAll('s')
      .select(['d.code as department_code', 'd.name as department_name']);
  const items = () =>
    db
      .selectFrom('tracked_items as i')
      .innerJoin('departments as d', 'd.id', 'i.department_id')
      .selectAll('i')
      .select(['d.code as department_code', 'd.name as department_name']);

  async function findItem(id: string): Promise<Item | undefined> {
    const row = await items().where('i.id', '=', id).executeTakeFirst();
    return row && toItem(row);
  }

  return {
    async findSheet(id: string): Promise<Sheet | undefined> {
      const row = await sheets().where('s.id', '=', id).executeTakeFirst();
      return row && toSheet(row);
    },

    async findSheetOf(campaignId: string, departmentId: string): Promise<Sheet | undefined> {
      const row = await sheets()
        .where('s.campaign_id', '=', campaignId)
        .where('s.department_id', '=', departmentId)
        .executeTakeFirst();
      return row && toSheet(row);
    },

    async listSheets(filter: {
      campaignId?: string;
      departmentIds?: readonly string[];
      state?: SheetState;
    }): Promise<Sheet[]> {
      let q = sheets();
      if (filter.campaignId) q = q.where('s.campaign_id', '=', filter.campaignId);
      if (filter.departmentIds) q = q.where('s.department_id', 'in', filter.departmentIds);
      if (filter.state) q = q.where('s.state', '=', filter.state);
      const rows = await q.orderBy('s.created_at', 'desc').orderBy('s.serial_number').execute();
      return rows.map(toSheet);
    },

    async maxSerial(campaignId: string): Promise<number | null> {
      const row = await db
        .selectFrom('notice_sheets')
        .select((eb) => eb.fn.max('serial_number').as('n'))
        .where('campaign_id', '=', campaignId)
        .executeTakeFirst();
      return row?.n === null || row?.n === undefined ? null : Number(row.n);
    },

    /**
     * Insert unless the department already has a sheet for the campaign or the serial number is
     * taken (a concurrent drafter): undefined then, and the caller looks again.
     */
    async insertSheet(sheet: NewSheet): Promise<string | undefined> {
      const row: Insertable<NoticeSheetsTable> = {
        id: newId(),
        campaign_id: sheet.campaignId,
        department_id: sheet.departmentId,
        serial_number: sheet.serialNumber,
        serial_text: sheet.serialText,
        state: 'draft',
        title: sheet.title,
        issuer: sheet.issuer,
        addressee: sheet.addressee,
        requirement: sheet.requirement,
        basis_json: JSON.stringify(sheet.basis),
        snapshot_id: sheet.snapshotId,
        created_at: sheet.createdAt,
        created_by: sheet.createdBy,
        issued_at: null,
        issued_by: null,
        acknowledged_at: null,
        acknowledged_by: null,
      };
      const inserted = await db
        .insertInto('notice_sheets')
        .values(row)
        .onConflict((oc) => oc.doNothing())
        .returning('id')
        .executeTakeFirst();
      return inserted?.id;
    },

    updateSheet: (id: string, patch: SheetPatch) =>
      db.updateTable('notice_sheets').set(sheetUpdate(patch)).where('id', '=', id).returning('id').execute(),

    /**
     * A draft sheet's change, written only while it is still a draft (compare-and-set: an issue
     * committed after the caller read it wins); false if it was issued meanwhile.
     */
    updateDraftSheet: async (id: string, patch: SheetPatch): Promise<boolean> =>
      (
        await db
          .updateTable('notice_sheets')
          .set(sheetUpdate(patch))
          .where('id', '=', id)
          .where('state', '=', 'draft')
          .returning('id')
          .execute()
      ).length === 1,

    /** A draft item's change, written only while it is still a draft; false if it was issued meanwhile. */
    updateDraftItem: async (id: string, patch: ItemPatch, at: string): Promise<boolean> =>
      (
        await db
          .updateTable('tracked_items')
          .set({ ...itemUpdate(patch), updated_at: at })
          .where('id', '=', id)
          .where('state', '=', 'draft')
          .returning('id')
          .execute()
      ).length === 1,

    /**
     * Hold the sheet's row until the transaction ends (PostgreSQL row lock; SQLite writers are
     * serial anyway), so two transactions never give two items the same number.
     */
    lockSheet: (id: string) =>
      db
        .updateTable('notice_sheets')
        .set((eb) => ({ serial_number: eb.ref('serial_number') }))
        .where('id', '=', id)
        .returning('id')
        .execute(),

    findItem,

    /** Read an item and hold its row until the transaction ends: concurrent transitions of one item queue up. */
    async lockItem(id: string): Promise<Item | undefined> {
      const locked = await db
        .updateTable('tracked_items')
        .set((eb) => ({ updated_at: eb.ref('updated_at') }))
        .where('id', '=', id)
        .returning('id')
        .executeTakeFirst();
      return locked && findItem(id);
    },

    async listItems(filter: ItemFilter): Promise<Item[]> {
      let q = items();
      if (filter.campaignId) q = q.where('i.campaign_id', '=', filter.campaignId);
      if (filter.sheetId) q = q.where('i.sheet_id', '=', filter.sheetId);
      if (filter.departmentId) q = q.where('i.department_id', '=', filter.departmentId);
      if (filter.departmentCode) q = q.where('d.code', '=', filter.departmentCode);
      if (filter.departmentIds) q = q.where('i.department_id', 'in', filter.departmentIds);
      if (filter.states?.length) q = q.where('i.state', 'in', filter.states);
      if (filter.issuedOnly) q = q.where('i.issued_at', 'is not', null);
      if (filter.dueBefore) q = q.where('i.due_at', '<', filter.dueBefore);
      const rows = await q.orderBy('i.campaign_id').orderBy('i.sheet_id').orderBy('i.seq').orderBy('i.id').execute();
      return rows.map(toItem);
    },

    async findItemBySource(sheetId: string, source: ItemSource, sourceRef: string): Promise<Item | undefined> {
      const row = await items()
        .where('i.sheet_id', '=', sheetId)
        .where('i.source', '=', source)
        .where('i.source_ref', '=', sourceRef)
        .executeTakeFirst();
      return row && toItem(row);
    },

    async maxSeq(sheetId: string): Promise<number> {
      const row = await db
        .selectFrom('tracked_items')
        .select((eb) => eb.fn.max('seq').as('n'))
        .where('sheet_id', '=', sheetId)
        .executeTakeFirst();
      return Number(row?.n ?? 0);
    },

    /** Insert unless the sheet already has an item from this source: undefined then. */
    async insertItem(item: NewItem): Promise<string | undefined> {
      const row: Insertable<TrackedItemsTable> = {
        id: newId(),
        campaign_id: item.campaignId,
        sheet_id: item.sheetId,
        department_id: item.departmentId,
        seq: item.seq,
        number_text: item.number,
        source: item.source,
        source_ref: item.sourceRef,
        kind: item.kind,
        title: item.title,
        evidence: item.evidence,
        requirement: item.requirement,
        state: 'draft',
        issued_at: null,
        due_at: null,
        acknowledged_at: null,
        plan_json: null,
        response_text: null,
        responded_by: null,
        responded_at: null,
        responded_on_time: null,
        closed_by: null,
        closed_at: null,
        extension_pending_days: null,
        extension_granted_days: null,
        response_due_at: null,
        appealed_at: null,
        created_at: item.createdAt,
        updated_at: item.createdAt,
      };
      const inserted = await db
        .insertInto('tracked_items')
        .values(row)
        .onConflict((oc) => oc.doNothing())
        .returning('id')
        .executeTakeFirst();
      return inserted?.id;
    },

    updateItem: (id: string, patch: ItemPatch, at: string) =>
      db
        .updateTable('tracked_items')
        .set({ ...itemUpdate(patch), updated_at: at })
        .where('id', '=', id)
        .returning('id')
        .execute(),

    /**
     * Raise an item's escalation to `level` for the deadline `dueAt`, unless it is there already
     * or the deadline moved since: true when this call raised it (once per level and deadline,
     * whichever process asks first).
     */
    async raiseEscalation(id: string, level: number, dueAt: string, at: string): Promise<boolean> {
      const rows = await db
        .updateTable('tracked_items')
        .set({ escalation: level, updated_at: at })
        .where('id', '=', id)
        .where('due_at', '=', dueAt)
        .where('escalation', '<', level)
        .returning('id')
        .execute();
      return rows.length === 1;
    },

    /**
     * Append-only: there is no update or delete of history on purpose. The caller holds the
     * item's row (lockItem, or the sheet's for a new item), so the next number is its own.
     */
    async appendHistory(entry: Omit<HistoryEntry, 'id'>) {
      const last = await db
        .selectFrom('item_history')
        .select((eb) => eb.fn.max('seq').as('n'))
        .where('item_id', '=', entry.itemId)
        .executeTakeFirst();
      return db
        .insertInto('item_history')
        .values({
          id: newId(),
          seq: Number(last?.n ?? 0) + 1,
          item_id: entry.itemId,
          at: entry.at,
          actor_id: entry.actorId,
          actor_name: entry.actorName,
          action: entry.action,
          from_state: entry.from,
          to_state: entry.to,
          reason: entry.reason,
          evidence_json: JSON.stringify(entry.evidence),
          detail_json: JSON.stringify(entry.detail),
        })
        .returning('id')
        .executeTakeFirstOrThrow();
    },

    async history(itemIds: string[]): Promise<HistoryEntry[]> {
      if (itemIds.length === 0) return [];
      const rows = await db
        .selectFrom('item_history')
        .selectAll()
        .where('item_id', 'in', itemIds)
        .orderBy('item_id')
        .orderBy('seq')
        .execute();
      return rows.map((r) => ({
        id: r.id,
        itemId: r.item_id,
        at: r.at,
        actorId: r.actor_id,
        actorName: r.actor_name,
        action: r.action,
        from: r.from_state as ItemState,
        to: r.to_state as ItemState,
        reason: r.reason,
        // both written by appendHistory from arrays and objects
        evidence: JSON.parse(r.evidence_json) as string[],
        detail: JSON.parse(r.detail_json) as Record<string, unknown>,
      }));
    },

    /** The newest notifications of these department rows (a liaison's, one per campaign). */
    async notificationsOf(departmentIds: readonly string[], limit: number): Promise<Notification[]> {
      const rows = await db
        .selectFrom('notifications as n')
        .innerJoin('departments as d', 'd.id', 'n.department_id')
        .selectAll('n')
        .select('d.campaign_id')
        .where('n.department_id', 'in', departmentIds)
        .orderBy('n.created_at', 'desc')
        .orderBy('n.id')
        .limit(limit)
        .execute();
      return rows.map((r) => ({
        id: r.id,
        campaignId: r.campaign_id,
        itemId: r.item_id,
        sheetId: r.sheet_id,
        level: r.level,
        title: r.title,
        body: r.body,
        createdAt: r.created_at,
        readAt: r.read_at,
      }));
    },

    insertEvidence: (file: Omit<EvidenceFile, 'id'> & { content: Uint8Array }) =>
      db
        .insertInto('evidence_files')
        .values({
          id: newId(),
          item_id: file.itemId,
          sha256: file.sha256,
          file_name: file.fileName,
          media_type: file.mediaType,
          size: file.size,
          content_base64: Buffer.from(file.content).toString('base64'),
          uploaded_by: file.uploadedBy,
          uploaded_at: file.uploadedAt,
        } satisfies Insertable<EvidenceFilesTable>)
        .returning('id')
        .executeTakeFirstOrThrow(),

    async evidence(itemId: string): Promise<EvidenceFile[]> {
      const rows = await db
        .selectFrom('evidence_files')
        .select(['id', 'item_id', 'sha256', 'file_name', 'media_type', 'size', 'uploaded_by', 'uploaded_at'])
        .where('item_id', '=', itemId)
        .orderBy('uploaded_at')
        .orderBy('id')
        .execute();
      return rows.map((r) => ({
        id: r.id,
        itemId: r.item_id,
        sha256: r.sha256,
        fileName: r.file_name,
        mediaType: r.media_type,
        size: Number(r.size),
        uploadedBy: r.uploaded_by,
        uploadedAt: r.uploaded_at,
      }));
    },

    async evidenceContent(itemId: string, fileId: string): Promise<(EvidenceFile & { content: Buffer }) | undefined> {
      const r = await db
        .selectFrom('evidence_files')
        .selectAll()
        .where('item_id', '=', itemId)
        .where('id', '=', fileId)
        .executeTakeFirst();
      if (!r) return undefined;
      return {
        id: r.id,
        itemId: r.item_id,
        sha256: r.sha256,
        fileName: r.file_name,
        mediaType: r.media_type,
        size: Number(r.size),
        uploadedBy: r.uploaded_by,
        uploadedAt: r.uploaded_at,
        content: Buffer.from(r.content_base64, 'base64'),
      };
    },
  };
}

export type NoticesRepository = ReturnType<typeof noticesRepository>;
