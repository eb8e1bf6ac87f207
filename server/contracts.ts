/**
 * What crosses the wire: the JSON bodies of the API, as the server writes them and the browser
 * scripts and tests read them. Types only (a test keeps it so). Server code, web/ and test/ take
 * these shapes from here; web/ imports nothing else from server/ (a lint rule keeps it so).
 */
import type {
  CampaignResult,
  CategoryBreakdown,
  DepartmentResult,
  ItemResult,
  Method,
  ScreeningResult,
  Uncertainty,
} from '../scoring/index.js';
import type { QuestionnaireDefinition } from '../surveys/questionnaire.js';
import type { Campaign } from './campaigns/service.js';
import type { ItemState, Plan } from './notices/machine.js';
import type { Finding } from './shared/redaction.js';

export type { CanonicalDepartment, CanonicalNegative, CanonicalRecord } from '../surveys/record.js';

// ───────────────────────────── errors ─────────────────────────────

/** Fixed codes: clients switch on `code`, people read `message`. Their HTTP statuses: server/errors.ts. */
export type ErrorCode =
  | 'BAD_REQUEST'
  | 'VALIDATION_FAILED'
  | 'UNAUTHORIZED'
  | 'FORBIDDEN'
  | 'CSRF_FAILED'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'ALREADY_SUBMITTED'
  | 'IDEMPOTENCY_KEY_REUSED'
  | 'CAMPAIGN_NOT_OPEN'
  | 'CAMPAIGN_CLOSED'
  | 'PAYLOAD_TOO_LARGE'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'TOO_MANY_REQUESTS'
  | 'INTERNAL_SERVER_ERROR'
  | 'SERVICE_UNAVAILABLE';

export interface ErrorDetail {
  /** where: a JSON path like `departments.2.problems`, or a file line like `line 14` */
  path?: string;
  line?: number;
  field?: string;
  message: string;
}

/**
 * Every 4xx and 5xx answer of the API; `details` only when there are any, at most the first 100
 * (MAX_ERROR_DETAILS), with `detailCount` saying how many there were when some are left out.
 */
export interface ErrorBody {
  error: { code: ErrorCode; message: string; details?: ErrorDetail[]; detailCount?: number };
}

// ───────────────────────────── accounts ─────────────────────────────

export interface SessionUser {
  id: string;
  username: string;
  displayName: string;
  role: 'admin' | 'analyst' | 'liaison';
  departmentCode: string | null;
}

/** `POST /api/auth/login` */
export interface SessionBody {
  user: SessionUser;
  csrfToken: string;
  expiresAt: string;
}

/** `GET /api/auth/session` */
export type CurrentSession = Omit<SessionBody, 'expiresAt'>;

/** An account as the office's users page and `GET /api/users` list it. */
export interface UserAccount extends SessionUser {
  /** a liaison's department by name (the newest campaign's), null when no campaign lists the code */
  departmentName: string | null;
  disabled: boolean;
  createdAt: string;
  lastLoginAt: string | null;
}

/** `GET /api/users` */
export interface UserList {
  users: UserAccount[];
}

/** `POST /api/users/:username/disable` and `/enable` */
export interface UserChanged {
  user: UserAccount;
}

/** `POST /api/users/:username/reset-password`: the new password, shown this once. */
export interface PasswordReset {
  user: UserAccount;
  password: string;
}

/**
 * The liaison accounts a department import made from its 联络员 column (username
 * `liaison-<department code, lower case>`): first passwords only for accounts created now, shown
 * this once; an existing account keeps its password (its name follows the file).
 */
export interface LiaisonAccounts {
  created: {
    username: string;
    displayName: string;
    departmentCode: string;
    departmentName: string;
    password: string;
  }[];
  /** existing liaison accounts whose name changed */
  updated: string[];
  unchanged: number;
  /** usernames taken by another role's or department's account: left alone */
  skipped: { username: string; departmentCode: string; reason: string }[];
}

/**
 * A bulk reset of a campaign's liaison passwords: the new passwords (shown this once, as the
 * one-time file) and the disabled accounts left out (they can't sign in until enabled).
 */
export interface LiaisonPasswordsReset {
  reset: LiaisonAccounts['created'];
  disabledLeftOut: string[];
}

/** `POST /api/campaigns/:slug/departments/import` */
export interface DepartmentsImported {
  summary: ImportSummary;
  /** absent on a dry run */
  liaisons?: LiaisonAccounts;
}

/** `POST /api/users`: a generated password is shown this once. */
export interface UserCreated {
  user: SessionUser;
  password?: string;
}

// ───────────────────────────── campaigns, roster, progress ─────────────────────────────

/**
 * Where a campaign is in its lifecycle (server/campaigns/lifecycle.ts): 草稿 draft → (待开始 scheduled)
 * → 进行中 open (已暂停 paused) → 已截止 closed → 已发布 published → 已结算 settled.
 */
export type CampaignStatus = 'draft' | 'scheduled' | 'open' | 'paused' | 'closed' | 'published' | 'settled';

/** A campaign without its config, and where it is in its lifecycle. */
export type CampaignSummary = Pick<Campaign, 'id' | 'slug' | 'name' | 'opensAt' | 'closesAt' | 'mode' | 'createdAt'> & {
  status: CampaignStatus;
  /** the status in Chinese (草稿, 进行中, 已截止 …) */
  statusLabel: string;
};

/** `POST /api/campaigns/:slug/{open,close,pause,resume,settle}`, `PUT …/dates`: the campaign after the change. */
export interface CampaignChanged {
  campaign: CampaignSummary;
}

/** A campaign as its pages show it: when it is open, and the zone its times are shown in. */
export type CampaignState = Omit<CampaignSummary, 'id' | 'createdAt' | 'statusLabel'> & { timeZone: string };

/** `POST /api/campaigns` */
export interface CampaignCreated {
  campaign: CampaignSummary;
  /** what the office should know about its config (a scale floor above 0 …), in Chinese */
  warnings: string[];
  /** what the office may like to know, nothing to fix (the shares weights come to), in Chinese */
  notes: string[];
}

/** A draft's questionnaire replaced: the campaign, and the version evaluators will answer. */
export interface QuestionnaireReplaced {
  campaign: CampaignSummary;
  questionnaireVersion: number;
}

/** What a purge of a closed campaign's personal data blanks or deletes, row by row (server/privacy/). */
export interface PurgeCounts {
  /** roster rows whose name, organisation, phone, e-mail (and the row key hashed from them) were blanked */
  evaluators: number;
  /** invitations whose token hash was replaced (their links no longer open anything) */
  invitations: number;
  /** unsent drafts deleted */
  drafts: number;
  /** negative reports whose volunteered contact was blanked */
  negativeContacts: number;
  /** responses whose organisation and volunteered contacts were blanked (column and canonical record) */
  responses: number;
  /** throttle rows keyed by a client network that were deleted */
  networkKeys: number;
  /** the campaign's invitation and reminder messages deleted from the outbox (addresses, names, units) */
  messages: number;
}

/** `POST /api/campaigns/:slug/purge`: what was purged now (all 0 when nothing was left to purge). */
export interface PurgeReport {
  campaign: string;
  counts: PurgeCounts;
  /** the sum of counts */
  total: number;
  /** when the campaign's personal data was last purged (this purge, unless it found nothing) */
  purgedAt: string;
  /** the earlier purge, when there was one */
  previouslyPurgedAt: string | null;
}

/** `POST /api/campaigns/:slug/clone`: the new campaign and what it took over from `from` */
export interface CampaignCloned {
  campaign: CampaignSummary;
  from: string;
  copied: {
    groups: number;
    departments: number;
    /** 0 unless the roster was asked for; copied evaluators have no invitation yet */
    evaluators: number;
    /** liaison accounts whose department (by code) the new campaign lists too */
    liaisonAccounts: number;
  };
}

/** `POST /api/campaigns/:slug/departments|evaluators|responses` */
export interface ImportSummary {
  /** data rows read from the file */
  rows: number;
  inserted: number;
  updated: number;
  unchanged: number;
  /** departments only: codes whose name, group or liaison changed */
  updatedCodes?: string[];
  /** departments only: accounts no longer the liaison of a department whose name the file changed */
  unboundLiaisons?: { code: string; username: string }[];
  /** headers that matched no column and were ignored */
  ignoredColumns: string[];
  /** true when nothing was written (dryRun) */
  dryRun: boolean;
}

export interface EvaluatorListing {
  id: string;
  name: string;
  organisation: string | null;
  category: string;
  categoryLabel: string;
  phone: string | null;
  email: string | null;
  invited: boolean;
  opened: boolean;
  draftSaved: boolean;
  used: boolean;
}

/** `GET /api/campaigns/:slug/evaluators?q=` */
export interface EvaluatorSearch {
  /** the whole roster */
  total: number;
  /** the evaluators the search finds, of which `evaluators` are the first page */
  matching: number;
  evaluators: EvaluatorListing[];
}

export interface CategoryProgress {
  code: string;
  label: string;
  evaluators: number;
  invited: number;
  /** opened, or already submitted (a funnel: each count includes the later stages) */
  opened: number;
  /** a draft saved, or already submitted */
  draftSaved: number;
  /** invitations used: web submissions, the numerator of the rate (submitted / invited) */
  submitted: number;
  /** responses not submitted through a link (imports from paper or other systems; the demo's simulated ones): no invitation's, so never part of the rate */
  imported: number;
}

/** `GET /api/campaigns/:slug/progress` */
export interface Progress {
  campaign: CampaignState;
  categories: CategoryProgress[];
  totals: Omit<CategoryProgress, 'code' | 'label'>;
  /** web submissions per submission day and category (a day with none is absent); imports are not submissions */
  perDay: { day: string; total: number; byCategory: Record<string, number> }[];
}

/** One 单位 of the roster (or, in anonymous mode, the pool of the small ones). */
export interface OrganisationProgress {
  /** the roster's 单位/项目; null: no unit on the roster, or the pool */
  organisation: string | null;
  /** anonymous mode: the category the row counts (units are pooled per category); named mode: null */
  category: string | null;
  categoryLabel: string | null;
  /**
   * anonymous mode: this row pools `units` units of the category, those of fewer than minCellSize
   * invitees and, while they are fewer than minCellSize together, the smallest others
   */
  pooled: boolean;
  /** how many units the row stands for (1 unless pooled) */
  units: number;
  evaluators: number;
  invited: number;
  /** web submissions; null when withheld (anonymous mode, a row of fewer than minCellSize invitees) */
  submitted: number | null;
  /** invited and not submitted; null when withheld */
  notSubmitted: number | null;
}

/** Someone invited (or not yet) who has not submitted: named mode only. */
export interface ChasePerson
  extends Pick<EvaluatorListing, 'id' | 'name' | 'organisation' | 'category' | 'categoryLabel' | 'phone' | 'email'> {
  /** how far they got: not_invited, invited (not opened), opened, draft_saved */
  stage: 'not_invited' | 'invited' | 'opened' | 'draft_saved';
}

/** `GET /api/campaigns/:slug/chase` (the office only): who to chase, per 单位. */
export interface Chase {
  campaign: CampaignState;
  /** the small-cell rule's threshold, applied to units in anonymous mode */
  minCellSize: number;
  /** by unit, in pinyin order (no unit, then the pool, last); anonymous mode: per category first */
  organisations: OrganisationProgress[];
  /** named mode: everyone who has not submitted, by unit then name; anonymous mode: null (counts only) */
  people: ChasePerson[] | null;
}

// ───────────────────────────── the evaluator's link ─────────────────────────────

/** `GET /api/s/:token` */
export interface EvaluatorLoad {
  campaign: CampaignState;
  questionnaire: { version: number; definition: QuestionnaireDefinition };
  draft: { answers: Record<string, unknown>; elapsedSeconds: number; savedAt: string } | null;
  /** anonymous campaigns: the public key (SPKI, base64) the browser blinds its credential against (two-step submission) */
  credentialKey?: string;
  /** what the department picker searches and groups by (web/lib/department-search.ts) */
  directory: DepartmentDirectory;
  /** the office's preview (no invitation): the page saves and submits nothing */
  preview?: true;
}

/**
 * The campaign's departments as the evaluator's search needs them. The pinyin is computed by the
 * server once per department list, so the page never downloads a pinyin dictionary.
 */
export interface DepartmentDirectory {
  /** the campaign's department groups, in the config's order */
  groups: { code: string; label: string }[];
  departments: DirectoryEntry[];
}

export interface DirectoryEntry {
  code: string;
  name: string;
  group: string;
  /** 简称 */
  shortNames: string[];
  /**
   * The toneless pinyin of the name, then of each short name, one syllable per character
   * (a character without pinyin is itself, lower-case), separated by spaces: "shi zhu fang …".
   */
  pinyin: string[];
}

/** `PUT /api/s/:token/draft` */
export interface DraftSaved {
  savedAt: string;
}

/** `POST /api/s/:token/submit`: no response id, nothing that joins to the response. */
export interface Receipt {
  receipt: string;
  campaign: string;
  submittedDay: string;
}

// ───────────────────────────── results ─────────────────────────────

/** The campaign a view is of; every time in the view is shown in its time zone. */
export interface ViewCampaign {
  slug: string;
  name: string;
  timeZone: string;
}

export interface ProblemCell {
  problem: number;
  mentions: number | null;
  share: number | null;
  suppressed: boolean;
}

export interface NegativeCell {
  kind: number;
  reported: number | null;
  verified: number | null;
  suppressed: boolean;
}

export type ItemView = Omit<ItemResult, 'categoryBreakdown'> & {
  suppressed: boolean;
  categoryBreakdown: CategoryBreakdown[];
};

export interface DepartmentView extends Omit<DepartmentResult, 'items' | 'problems' | 'negatives' | 'uncertainty'> {
  groupLabel: string;
  /** the department counts fewer valid raters than minCellSize: its scores, rates and interval are withheld (scoring/small-cells.ts) */
  suppressed: boolean;
  items: Record<string, ItemView>;
  problems: ProblemCell[];
  negatives: NegativeCell[];
  uncertainty: Uncertainty;
}

export interface Catalogs {
  items: { code: string; label: string }[];
  categories: { code: string; label: string; weight: number }[];
  groups: { code: string; label: string }[];
  problems: { id: number; label: string; kind?: string }[];
  negatives: { id: number; label: string }[];
}

export interface SnapshotMeta {
  id: string;
  createdAt: string;
  createdBy: string;
}

/** How many of a result's responses answered one version of the campaign's questionnaire. */
export interface QuestionnaireVersionCount {
  version: number;
  responses: number;
}

/** One campaign's published result of a liaison's own department. */
export interface DepartmentPublished {
  campaign: ViewCampaign;
  snapshot: { id: string; publishedAt: string };
  method: Method;
  catalogs: Catalogs;
  /** ranked departments of its group */
  groupSize: number;
  /** `uncertainty.statisticallyTiedWith` is empty: those codes are other departments' results */
  department: DepartmentView;
}

/** `GET /api/my/results` */
export interface MyResults {
  department: string;
  /** oldest campaign first */
  results: DepartmentPublished[];
}

/** `GET /api/campaigns/:slug/results`, `GET /api/snapshots/:id`: what server/results/view.ts builds. */
export interface ResultView {
  campaign: ViewCampaign;
  /** present when the view is of a published snapshot */
  snapshot: SnapshotMeta | null;
  method: Method;
  inputs: CampaignResult['inputs'];
  bootstrapSamples: number;
  screening: Omit<ScreeningResult, 'excluded'> & { excludedIds: string[] };
  catalogs: Catalogs;
  departments: DepartmentView[];
  /** the questionnaire versions answered, oldest first; absent from snapshots published before it was kept */
  questionnaireVersions?: QuestionnaireVersionCount[];
  /** live figures only: when they were computed (they may be up to a minute old) */
  computedAt?: string;
  /** a published snapshot only: what it changes against the campaign's previous one (null for the first) */
  changes?: SnapshotChanges | null;
}

/** A department's official figures before and after a re-publication (suppressed ones stay null). */
export interface DepartmentFigures {
  finalScore: number | null;
  deduction: number;
  verifiedNegatives: number;
  rank: number | null;
  grade: string | null;
}

export interface FiguresChange {
  code: string;
  name: string;
  from: DepartmentFigures | null;
  to: DepartmentFigures | null;
}

/**
 * What a snapshot changes against the campaign's previous one: the office's decisions on negative
 * reports since then (each with its reason) and the departments whose figures moved. A published
 * snapshot is never rewritten: a correction is a new snapshot carrying this list.
 */
export interface SnapshotChanges {
  previous: { id: string; createdAt: string };
  decisions: DecisionChange[];
  departments: FiguresChange[];
}

/** `POST /api/campaigns/:slug/snapshots` (publish), and each of `GET …/snapshots` */
export interface SnapshotSummary {
  id: string;
  campaign: string;
  createdAt: string;
  createdBy: string;
  inputsHash: string;
  counts: { responses: number; included: number; excluded: number; flagged: number };
  /** null for a campaign's first publication */
  changes: { previous: string; decisions: number; departments: number } | null;
}

/**
 * `GET /api/campaigns/:slug/settlement`: what settling now would end (the confirmation). Settling
 * is refused while issued notice items are open; unverified negative-situation reports must be
 * acknowledged by their count (`POST …/settle { unverified: N }`).
 */
export interface SettlementPreview {
  campaign: string;
  status: CampaignStatus;
  statusLabel: string;
  /** why it can't be settled now (not published, already settled, notice items open), in Chinese; null when it can */
  refused: string | null;
  items: {
    /** issued notice items (工作提示单事项) of the campaign */
    issued: number;
    /** items on sheets never issued: they don't hold a settlement up, and are not issued after it */
    drafted: number;
    closed: number;
    withdrawn: number;
    open: number;
    /** the open ones by state, in the order of their life */
    openByState: { state: string; label: string; count: number }[];
    /** departments with open items, by code */
    openByDepartment: { code: string; name: string; count: number }[];
  };
  /** negative-situation reports not yet verified or dismissed: settling leaves them so */
  unverifiedNegatives: number;
}

/** `GET /api/campaigns/:slug/publication`: what publishing now would publish (the confirmation). */
export interface PublicationPreview {
  campaign: string;
  /** why it can't be published now (before the close, or settled), in Chinese; null when it can */
  refused: string | null;
  /** a snapshot exists already: this one would be a correction */
  republish: boolean;
  counts: SnapshotSummary['counts'];
  departments: { total: number; ranked: number; unranked: number };
  /** negative-situation reports not yet verified or dismissed: only verified ones deduct, so these are left out */
  unverifiedNegatives: number;
}

interface ComparedDepartment {
  finalScore: number | null;
  rank: number | null;
  grade: string | null;
  ranked: boolean;
}

/** `GET /api/compare?from=&to=` */
export interface Comparison {
  from: { snapshot: string; campaign: ViewCampaign; createdAt: string };
  to: { snapshot: string; campaign: ViewCampaign; createdAt: string };
  /**
   * How the two snapshots' scoring methods differ (category weights, scale, items, deduction,
   * grades, thresholds), one line each in Chinese; empty when the scores are computed alike.
   */
  methodChanges: string[];
  departments: {
    code: string;
    name: string;
    /** the department's first 简称 in the roster (the compared campaign's if both have one), for narrow labels */
    shortName: string | null;
    group: string;
    groupLabel: string;
    from: ComparedDepartment | null;
    to: ComparedDepartment | null;
    /** to − from, 2 decimals; null unless both scores exist */
    scoreChange: number | null;
    /** from.rank − to.rank: positive = moved up; null unless ranked both times */
    rankChange: number | null;
  }[];
}

/** `GET /api/departments/:code/trend`: the department in the latest snapshot of every campaign that has one. */
export interface Trend {
  code: string;
  points: {
    campaign: ViewCampaign;
    snapshot: string;
    publishedAt: string;
    finalScore: number | null;
    scoreInterval: [number, number] | null;
    rank: number | null;
    groupSize: number;
    grade: string | null;
    satisfactionRate: number | null;
    validRaters: number;
  }[];
}

// ───────────────────────────── notices (工作提示单) ─────────────────────────────

/** An item's state; the transitions between them: server/notices/machine.ts, docs/NOTICES.md. */
export type NoticeItemState = ItemState;

/** A rectification plan as the department files it. */
export type NoticePlan = Plan;

export type NoticeSheetState = 'draft' | 'issued';
export type NoticeItemSource = 'negative' | 'problem' | 'rectification' | 'list';

/** The figures of a published snapshot a sheet quotes (drafted on publication). */
export interface NoticeSheetBasis {
  snapshot?: {
    id: string;
    publishedAt: string;
    campaignName: string;
    finalScore: number | null;
    rank: number | null;
    tied: boolean;
    groupLabel: string;
    groupSize: number;
    grade: string | null;
    rectification: boolean;
    bottomProbability: number | null;
    problems: { id: number; label: string; mentions: number; share: number }[];
  };
}

export interface NoticeSheet {
  id: string;
  campaignId: string;
  departmentId: string;
  departmentCode: string;
  departmentName: string;
  serialNumber: number;
  serialText: string;
  state: NoticeSheetState;
  title: string;
  issuer: string;
  addressee: string;
  requirement: string;
  basis: NoticeSheetBasis;
  snapshotId: string | null;
  createdAt: string;
  createdBy: string;
  issuedAt: string | null;
  issuedBy: string | null;
  acknowledgedAt: string | null;
  acknowledgedBy: string | null;
}

export interface NoticeItem {
  id: string;
  campaignId: string | null;
  sheetId: string | null;
  departmentId: string;
  departmentCode: string;
  departmentName: string;
  seq: number;
  number: string;
  source: NoticeItemSource;
  sourceRef: string | null;
  kind: number | null;
  title: string;
  evidence: string;
  requirement: string;
  state: NoticeItemState;
  respondDays: number;
  issuedAt: string | null;
  dueAt: string | null;
  responseDueAt: string | null;
  acknowledgedAt: string | null;
  plan: NoticePlan | null;
  responseText: string | null;
  respondedBy: string | null;
  respondedAt: string | null;
  respondedOnTime: boolean | null;
  closedBy: string | null;
  closedAt: string | null;
  extensionPendingDays: number | null;
  extensionGrantedDays: number | null;
  appealedAt: string | null;
  reopenCount: number;
  escalation: number;
  createdAt: string;
  updatedAt: string;
}

export interface NoticeHistoryEntry {
  id: string;
  itemId: string;
  at: string;
  actorId: string;
  actorName: string;
  action: string;
  from: NoticeItemState;
  to: NoticeItemState;
  reason: string | null;
  /** sha256 of each evidence file */
  evidence: string[];
  detail: Record<string, unknown>;
}

export interface NoticeEvidenceFile {
  id: string;
  itemId: string;
  sha256: string;
  fileName: string;
  mediaType: string;
  size: number;
  uploadedBy: string;
  uploadedAt: string;
}

/** A message to a department in its portal (reminders, 催办, 督办 …), written by the jobs that raise them. */
export interface NoticeNotification {
  id: string;
  /** the campaign of the department it went to: its time zone dates it */
  campaignId: string;
  itemId: string | null;
  sheetId: string | null;
  /** info | blue | orange | red */
  level: string;
  title: string;
  body: string;
  createdAt: string;
  readAt: string | null;
}

/** An item as the API sends it: with its state and source in words. */
export interface NoticeItemView extends NoticeItem {
  stateLabel: string;
  sourceLabel: string;
}

/** `GET /api/items/:id`, `GET /api/my/items/:id`, and the answer of a response */
export interface NoticeItemDetail extends NoticeItemView {
  history: NoticeHistoryEntry[];
  files: NoticeEvidenceFile[];
}

/** A sheet with its items: `GET …/notices/:sheetId`, and the answer of an edit, an issue or a signature */
export interface NoticeSheetView extends NoticeSheet {
  items: NoticeItemView[];
}

/** `GET /api/campaigns/:slug/notices`, `GET /api/my/notices` */
export interface NoticeSheetList {
  sheets: NoticeSheetView[];
}

/** `POST /api/campaigns/:slug/notices/draft` */
export interface NoticeDraftOutcome {
  snapshotId: string;
  sheetsCreated: number;
  itemsCreated: number;
  /** every sheet the snapshot calls for, new or not */
  sheetIds: string[];
}

// ───────────────────────────── verification queue and suggestions (office only) ─────────────────────────────

export type NegativeStatus = 'pending' | 'verified' | 'dismissed';

/** One reported negative situation as the office reads it (`GET /api/campaigns/:slug/negatives`). */
export interface NegativeReport {
  id: string;
  department: { code: string; name: string };
  kind: number;
  kindLabel: string;
  matter: string;
  eventDate: string | null;
  description: string;
  /** what a department may read: the office's text, or the automatic redaction of the original */
  redacted: { matter: string; description: string; byHand: boolean };
  contactAllowed: boolean;
  reportedDay: string;
  ageDays: number;
  dueDay: string;
  workingDaysLeft: number;
  /** undecided past its due day */
  overdue: boolean;
  /** a merged report shows its primary's */
  status: NegativeStatus;
  mergedInto: string | null;
  duplicates: number;
  decision: { by: string; at: string; reason: string } | null;
}

/** One entry of a report's append-only history. */
export interface Decision {
  id: string;
  reportId: string;
  at: string;
  actor: string;
  action: 'verify' | 'dismiss' | 'merge' | 'unmerge';
  from: string;
  to: string;
  reason: string;
  detail: Record<string, unknown>;
}

/** `GET /api/campaigns/:slug/negatives/:id` */
export interface NegativeReportDetail extends NegativeReport {
  /** only where the evaluator allowed to be contacted */
  contact: string | null;
  /** what automatic redaction finds in the original */
  findings: { matter: Finding[]; description: Finding[] };
  /** numbers, addresses or names still in the text a department would read (hand-edited text) */
  remaining: { matter: Finding[]; description: Finding[] };
  duplicatesList: NegativeReport[];
  history: Decision[];
}

/** `GET /api/campaigns/:slug/negatives` */
export interface QueuePage {
  items: NegativeReport[];
  total: number;
  page: number;
  pageSize: number;
  today: string;
  counts: { pending: number; overdue: number; verified: number; dismissed: number; merged: number };
}

/** A decision that changed results since a publication: what a correction snapshot lists. */
export interface DecisionChange {
  report: string;
  department: { code: string; name: string };
  kind: number;
  action: Decision['action'];
  from: string;
  to: string;
  reason: string;
  by: string;
  at: string;
}

/** `GET /api/campaigns/:slug/negatives/changes`: decisions not yet in a published snapshot. */
export interface UnpublishedCorrections {
  latestSnapshot: { id: string; createdAt: string } | null;
  decisions: DecisionChange[];
}

/** One suggestion (`GET /api/campaigns/:slug/suggestions`). */
export interface SuggestionView {
  scope: 'overall' | 'department';
  department: { code: string; name: string } | null;
  text: string;
  /** what may be forwarded to a department */
  redacted: string;
  findings: Finding[];
}

/** `GET /api/campaigns/:slug/suggestions` */
export interface SuggestionsPage {
  items: SuggestionView[];
  total: number;
  page: number;
  pageSize: number;
  counts: { overall: number; department: number };
}

/** Overdue escalation levels: 0 none sent yet, 1 blue 提醒, 2 orange 催办, 3 red 督办. */
export interface LedgerLevels {
  none: number;
  blue: number;
  orange: number;
  red: number;
}

/** The ledger's counts of one department or kind (or all): issued items by their state now. */
export interface LedgerRow {
  /** a department's code, or a kind's `source:kind` */
  key: string;
  label: string;
  total: number;
  states: Record<Exclude<NoticeItemState, 'draft'>, number>;
  open: number;
  /** open items past their current deadline, by the escalation sent for it */
  overdue: number;
  overdueByLevel: LedgerLevels;
}

/** One department's (or all) reconciliation over a period: opening balance + in − out = closing balance. */
export interface StatementRow {
  key: string;
  label: string;
  /** open at the period's start */
  openAtStart: number;
  /** issued (挂号) in the period */
  registered: number;
  /** reopened by 回头看 in the period */
  reopened: number;
  /** closed (销号) in the period: on time when the accepted response came in by the deadline then in force */
  closed: number;
  closedOnTime: number;
  closedLate: number;
  /** an issued item withdrawn in the period (appeal upheld) */
  withdrawn: number;
  /** open at the period's end (or now, for a period not over yet) */
  openAtEnd: number;
  /** of those, past the deadline then in force */
  overdueAtEnd: number;
  /** openAtStart + registered + reopened − closed − withdrawn = openAtEnd */
  balanced: boolean;
}

/** An item open at the period's end, with the deadline then in force and the escalation level reached. */
export interface StatementItem {
  id: string;
  number: string;
  title: string;
  departmentCode: string;
  departmentName: string;
  state: NoticeItemState;
  dueAt: string | null;
  overdue: boolean;
  /** working days past the deadline at the period's end (0 when not overdue) */
  overdueWorkingDays: number;
  /** 0 none, 1 提醒, 2 催办, 3 督办 as the working days past the deadline stood at the period's end */
  level: number;
}

/** A year-end settlement (年终结算) row: one department (or all) over a calendar year. */
export interface SettlementRow {
  key: string;
  label: string;
  closedOnTime: number;
  closedLate: number;
  /** still open at the year's end (or now) */
  open: number;
  reopened: number;
}

/** `GET /api/campaigns/:slug/ledger?from&to`: the ledger (台账), the reconciliation statement (对账单), the settlement. */
export interface NoticeLedger {
  campaign: { slug: string; name: string; timeZone: string };
  /** the instant the figures were computed */
  asOf: string;
  ledger: { total: LedgerRow; byDepartment: LedgerRow[]; byKind: LedgerRow[] };
  statement: {
    /** days in the campaign's time zone, both included; `start`/`end` the instants */
    period: { from: string; to: string; start: string; end: string; label: string };
    total: StatementRow;
    byDepartment: StatementRow[];
    openAtEnd: StatementItem[];
    /** open and overdue at the period's end: listed for 通报 */
    forCirculation: StatementItem[];
  };
  settlement: { year: number; total: SettlementRow; byDepartment: SettlementRow[] };
}

/**
 * pending: waiting to be sent (again); sending: a sender holds it now; sent: the server took it; failed: given up;
 * cancelled: an invitation or reminder whose campaign closed before it went out
 */
export type OutboxState = 'pending' | 'sending' | 'sent' | 'failed' | 'cancelled';

/** One queued e-mail (`GET /api/outbox`). */
export interface OutboxMessage {
  id: string;
  dedupeKey: string;
  /** e-mail, or SMS through the gateway */
  channel: 'email' | 'sms';
  recipient: string;
  subject: string;
  body: string;
  createdAt: string;
  state: OutboxState;
  attempts: number;
  nextAttemptAt: string;
  sentAt: string | null;
  lastError: string | null;
  /** the campaign of an invitation or reminder, null for the office's notices */
  campaignId: string | null;
}

/** `POST /api/campaigns/:slug/invitations/remind`: who was reminded (not reminded within `intervalDays`, not submitted). */
export interface ReminderSummary {
  people: number;
  queued: { email: number; sms: number };
  intervalDays: number;
}

/** `GET /api/outbox` */
export interface OutboxPage {
  /** whether an SMTP server is configured: without one, messages wait (and stay visible in the portal) */
  smtpConfigured: boolean;
  counts: { pending: number; sent: number; failed: number; cancelled: number };
  messages: OutboxMessage[];
}

/** `GET /api/my/notifications` */
export interface NotificationList {
  unread: number;
  notifications: NoticeNotification[];
}

/** `POST /api/s/:token/credential`: the blind signature of the blinded message, and the key to unblind and check it (SPKI, base64). */
export interface CredentialIssued {
  blindSignature: string;
  publicKey: string;
}
