import { CSRF_FIELD } from '../accounts/middleware.js';
import type { Campaign } from '../campaigns/service.js';
import { cloneDefaults, configInput } from '../campaigns/service.js';
import type { ErrorDetail } from '../contracts.js';
import { AppError } from '../errors.js';
import type { FormValues } from '../http/forms.js';
import { SCALE_PRESETS } from '../../surveys/catalogs.js';
import { EXAMPLE_CONFIG_PATH, loadConfigFile } from '../../surveys/campaign-config.js';
import {
  DEFAULT_TIME_ZONE,
  formatDateTime,
  instantInZone,
  isTimeZone,
  OFFICE_ZONES,
  zoneLabel,
} from '../../web/lib/time.js';

/**
 * 用表单创建评议活动: the office's form for a campaign's config. It starts from the example
 * (surveys/campaign.example.yaml) or an earlier campaign, and builds the same config object an
 * upload does: what the form doesn't show (catalogues, scoring rules, notices) is the starting
 * config's. The service checks it with the one schema; a refusal shows the form again with what
 * was typed and each message beside its field.
 */

/** What a datetime-local field shows of an instant: the zone's clock, to the second. */
export const wallTime = (at: string, zone: string) =>
  `${formatDateTime(at, zone).replace(' ', 'T')}:${new Date(at).toISOString().slice(17, 19)}`;

/** A time typed in the campaign's zone (datetime-local, to the second), its label naming the zone. */
/** A refused form's message at the top, with every detail listed when there is more than one. */
export function ErrorSummary({
  id,
  error,
}: {
  id: string;
  error: { message: string; details?: readonly { field?: string; message: string }[] };
}) {
  const details = error.details ?? [];
  return (
    <div class="error-summary" role="alert" id={id} tabindex={-1}>
      <p class="error">{error.message}</p>
      {details.length > 1 && (
        <ul>
          {details.map((d) => (
            <li>
              {d.field ? `${d.field}：` : ''}
              {d.message}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

export function ZoneTimeField({
  label,
  name,
  zone,
  value,
}: {
  label: string;
  name: string;
  zone: string;
  value: string;
}) {
  return (
    <label>
      {label}（{zoneLabel(zone)}） <input type="datetime-local" step={1} name={name} required value={value} />
    </label>
  );
}

/** Last year's name or code with its years moved on (2026年度 → 2027年度), a suggestion for a new campaign. */
export const yearOn = (text: string) => text.replace(/20\d\d/g, (year) => String(Number(year) + 1));

type Raw = Record<string, unknown>;
type Entry = Record<string, unknown>;

/** The lists the form edits, row by row, and the fields of their rows. */
const LISTS = {
  categories: { title: '评议类别和权重', fields: ['code', 'label', 'weight'], entry: '类别' },
  groups: { title: '部门分组', fields: ['code', 'label'], entry: '分组' },
  items: { title: '评议项目和权重', fields: ['code', 'label', 'weight'], entry: '项目' },
} as const;
type ListName = keyof typeof LISTS;
const FIELD_LABELS: Record<string, string> = { code: '代码', label: '名称', weight: '权重' };

const PRESET_LABELS: Record<keyof typeof SCALE_PRESETS, string> = {
  'four-level': '四级：满意 100 / 比较满意 80 / 基本满意 60 / 不满意 0',
  'three-level': '三级：满意 100 / 基本满意 60 / 不满意 0',
  'five-level-haochaping': '好差评五级：非常满意 / 满意 / 基本满意 / 不满意 / 非常不满意',
};
const CUSTOM_SCALE = 'custom';

/**
 * The form's zone is one of its list, or the zone of the campaign it started from (an upload may
 * have set any IANA zone, kept as it was): anything else is refused beside the field.
 */
export function assertListedZone(values: FormValues, base: Raw) {
  const zone = typed(values, 'timeZone');
  if (OFFICE_ZONES.some((z) => z.zone === zone) || (zone && zone === base.timeZone)) return;
  throw new AppError('VALIDATION_FAILED', '时区：请从列表中选择', [
    { path: 'timeZone', field: '时区', message: '请从列表中选择' },
  ]);
}

/** Where a new campaign starts: the example, or an earlier campaign (its config a year on). */
export interface FormBase {
  /** `example` or the earlier campaign's slug */
  key: string;
  raw: Raw;
  /** the values the form shows first */
  values: FormValues;
}

/** The preset a scale is, or `custom` for levels of the office's own. */
function scaleName(scale: unknown): string {
  if (typeof scale === 'string') return scale;
  if (scale === undefined) return 'four-level';
  const levels = JSON.stringify((scale as { levels?: unknown }).levels);
  const preset = Object.entries(SCALE_PRESETS).find(([, l]) => JSON.stringify(l) === levels);
  return preset ? preset[0] : CUSTOM_SCALE;
}

function valuesOf(raw: Raw, opens: string, closes: string, zone: string): FormValues {
  const values: FormValues = {
    name: String(raw.name ?? ''),
    slug: String(raw.slug ?? ''),
    mode: String(raw.mode ?? 'anonymous'),
    timeZone: zone,
    scale: scaleName(raw.scale),
    opensAt: wallTime(opens, zone),
    closesAt: wallTime(closes, zone),
  };
  for (const [list, spec] of Object.entries(LISTS))
    ((raw[list] as Entry[] | undefined) ?? []).forEach((entry, i) => {
      for (const field of spec.fields) values[`${list}.${i}.${field}`] = String(entry[field] ?? '');
    });
  return values;
}

/**
 * The stem of the code a new campaign from the example is offered (with its year): the example's
 * own code is the demo's (demo-2026), and a real campaign under it would pass for the demo.
 */
const NEW_CODE_STEM = 'appraisal';

/** `code`, else `code-2`, `code-3`, …: the first no campaign has, so a prefilled code is never refused as taken. */
export function freeCode(code: string, taken: ReadonlySet<string>): string {
  if (!taken.has(code)) return code;
  let n = 2;
  while (taken.has(`${code}-${n}`)) n++;
  return `${code}-${n}`;
}

/** The example configuration as the form's start, under a code of its year no campaign in `taken` has and its name without （示例）. */
export function exampleBase(taken: ReadonlySet<string> = new Set()): FormBase {
  const raw = loadConfigFile(EXAMPLE_CONFIG_PATH).raw as Raw;
  const zone = typeof raw.timeZone === 'string' ? raw.timeZone : DEFAULT_TIME_ZONE;
  const values = valuesOf(raw, String(raw.opensAt), String(raw.closesAt), zone);
  return {
    key: 'example',
    raw,
    values: {
      ...values,
      name: values.name.replace(/（示例）$/, ''),
      slug: freeCode(`${NEW_CODE_STEM}-${values.opensAt.slice(0, 4)}`, taken),
    },
  };
}

/** An earlier campaign as the form's start: its config, its name, code and dates a year on (the code one no campaign in `taken` has). */
export function campaignBase(campaign: Campaign, taken: ReadonlySet<string> = new Set()): FormBase {
  const raw = configInput(campaign.config) as unknown as Raw;
  const dates = cloneDefaults(campaign);
  const values = valuesOf(raw, dates.opensAt, dates.closesAt, campaign.config.timeZone);
  return {
    key: campaign.slug,
    raw,
    values: { ...values, name: yearOn(campaign.name), slug: freeCode(yearOn(campaign.slug), taken) },
  };
}

/** A draft as the form's start for its edit: its own config, code, name and dates. */
export function editBase(campaign: Campaign): FormBase {
  const raw = configInput(campaign.config) as unknown as Raw;
  return {
    key: campaign.slug,
    raw,
    values: valuesOf(raw, campaign.opensAt, campaign.closesAt, campaign.config.timeZone),
  };
}

/** The row numbers the form has of a list (rows sent, and those it started with). */
function rowIndexes(values: FormValues, list: ListName): number[] {
  const indexes = new Set<number>();
  const prefix = `${list}.`;
  for (const key of Object.keys(values))
    if (key.startsWith(prefix)) {
      const index = Number(key.slice(prefix.length).split('.')[0]);
      if (Number.isInteger(index) && index >= 0 && index < 50) indexes.add(index);
    }
  return [...indexes].sort((a, b) => a - b);
}

const typed = (values: FormValues, key: string) => (values[key] ?? '').trim();

/** A weight as typed: a number when it reads as one (全角 digits too), else the text for the schema to refuse. */
function weightOf(text: string): unknown {
  const normal = text.normalize('NFKC');
  if (normal === '') return undefined;
  return /^[+-]?(\d+(\.\d*)?|\.\d+)$/.test(normal) ? Number(normal) : text;
}

/** A time typed in the zone as the instant the config takes; anything else goes on as typed, for the schema to refuse. */
function instantOf(text: string, zone: string): string | undefined {
  if (!text) return undefined;
  const at = isTimeZone(zone) ? instantInZone(text, zone) : null;
  return at ? at.toISOString() : text;
}

/** The config the form describes, and the form row of each list entry (blank rows are left out). */
export function configFromForm(values: FormValues, base: Raw): { raw: Raw; rows: Record<ListName, number[]> } {
  const zone = typed(values, 'timeZone');
  const rows = {} as Record<ListName, number[]>;
  const scale = typed(values, 'scale');
  // the form's fields in the page's order, then the rest of the starting config: a refusal lists
  // its problems in the order of these keys (parseCampaignConfig), so its summary reads like the page
  const raw: Raw = {
    name: typed(values, 'name'),
    slug: typed(values, 'slug'),
    opensAt: instantOf(typed(values, 'opensAt'), zone),
    closesAt: instantOf(typed(values, 'closesAt'), zone),
    mode: typed(values, 'mode'),
    timeZone: zone,
    scale: scale === CUSTOM_SCALE ? base.scale : scale,
  };
  for (const [list, spec] of Object.entries(LISTS) as [ListName, (typeof LISTS)[ListName]][]) {
    const english = new Map(((base[list] as Entry[] | undefined) ?? []).map((e) => [e.code, e.english]));
    const kept = rowIndexes(values, list).filter((i) => spec.fields.some((f) => typed(values, `${list}.${i}.${f}`)));
    rows[list] = kept;
    raw[list] = kept.map((i) => {
      const code = typed(values, `${list}.${i}.code`);
      const entry: Entry = { code, label: typed(values, `${list}.${i}.label`) };
      if (spec.fields.some((f) => f === 'weight')) entry.weight = weightOf(typed(values, `${list}.${i}.weight`));
      if (english.get(code)) entry.english = english.get(code);
      return entry;
    });
  }
  for (const [key, value] of Object.entries(base)) if (!(key in raw)) raw[key] = value;
  return { raw, rows };
}

/** A refusal's messages by the form field they belong to (`categories.2.weight`), the rest apart. */
export interface FormErrors {
  message: string;
  details: ErrorDetail[];
  byField: Record<string, string>;
}

export function formErrors(error: AppError, rows: Record<ListName, number[]>): FormErrors {
  const byField: Record<string, string> = {};
  const details = error.details ?? [];
  for (const d of details) {
    const [head, index, ...rest] = (d.path ?? '').split('.');
    const row = rows[head as ListName]?.[Number(index)];
    const name = row !== undefined && index !== undefined ? [head, row, ...rest].join('.') : (d.path ?? '');
    if (name) byField[name] = byField[name] ? `${byField[name]}；${d.message}` : d.message;
  }
  // a code taken, told without details (a creation's); other conflicts list their reasons apart
  if (error.code === 'CONFLICT' && !details.length) byField.slug = error.message;
  return { message: error.message, details, byField };
}

function FieldError({ errors, name }: { errors?: FormErrors; name: string }) {
  const message = errors?.byField[name];
  return message ? (
    <span class="field-error" id={`error-${name}`}>
      {message}
    </span>
  ) : null;
}

function Field({
  label,
  name,
  values,
  errors,
  type = 'text',
  ...rest
}: {
  label: string;
  name: string;
  values: FormValues;
  errors?: FormErrors;
  type?: string;
  [attribute: string]: unknown;
}) {
  const invalid = !!errors?.byField[name];
  return (
    <label>
      {label}
      <input
        type={type}
        name={name}
        value={values[name] ?? ''}
        aria-invalid={invalid ? 'true' : undefined}
        aria-describedby={invalid ? `error-${name}` : undefined}
        {...rest}
      />
      <FieldError errors={errors} name={name} />
    </label>
  );
}

/** One list's rows, with one blank row to add to (and one more per 再加一行). */
function ListRows({
  list,
  values,
  errors,
  extra,
}: {
  list: ListName;
  values: FormValues;
  errors?: FormErrors;
  extra: number;
}) {
  const spec = LISTS[list];
  const filled = rowIndexes(values, list).filter((i) => spec.fields.some((f) => typed(values, `${list}.${i}.${f}`)));
  const next = (filled.at(-1) ?? -1) + 1;
  const shown = [...filled, ...Array.from({ length: extra }, (_, i) => next + i)];
  return (
    <fieldset class="rows" id={`rows-${list}`}>
      <legend>{spec.title}</legend>
      <FieldError errors={errors} name={list} />
      {shown.map((i, n) => (
        <div class="row">
          <span class="row-number">{n + 1}</span>
          {spec.fields.map((field) => (
            <Field
              label={`${spec.entry}${FIELD_LABELS[field]}`}
              name={`${list}.${i}.${field}`}
              values={values}
              errors={errors}
              {...(field === 'weight' ? { inputmode: 'decimal', class: 'weight' } : {})}
              {...(field === 'code' ? { autocapitalize: 'off', spellcheck: 'false', class: 'code' } : {})}
            />
          ))}
        </div>
      ))}
      <button type="submit" name="add" value={list} class="secondary">
        再加一行
      </button>
    </fieldset>
  );
}

export interface CampaignFormProps {
  csrf: string;
  base: FormBase;
  /** the campaigns one may start from */
  campaigns: Campaign[];
  /** what was sent (else the base's values) */
  values?: FormValues;
  errors?: FormErrors;
  /** the list that gets one more blank row */
  adding?: string;
  /** a draft's edit: the form saves over its config (the base is the draft itself) */
  editing?: boolean;
}

export function CampaignForm({
  csrf,
  base,
  campaigns,
  values = base.values,
  errors,
  adding,
  editing,
}: CampaignFormProps) {
  const zone = values.timeZone && isTimeZone(values.timeZone) ? values.timeZone : DEFAULT_TIME_ZONE;
  const customScale = scaleName(base.raw.scale) === CUSTOM_SCALE;
  return (
    <>
      {!editing && (
        <form method="get" action="/admin/campaigns/new" class="inline card-start" id="campaign-base">
          <label>
            从这里开始
            <select name="from">
              <option value="example" selected={base.key === 'example'}>
                示例配置
              </option>
              {campaigns.map((c) => (
                <option value={c.slug} selected={base.key === c.slug}>
                  {c.name}（{c.slug}）
                </option>
              ))}
            </select>
          </label>
          <button type="submit" class="secondary">
            载入
          </button>
        </form>
      )}
      {errors && <ErrorSummary id="form-errors" error={errors} />}
      <form
        method="post"
        action={editing ? `/admin/campaigns/${base.key}/edit` : '/admin/campaigns/new'}
        class="stack"
        id="campaign-form"
        novalidate
      >
        <input type="hidden" name={CSRF_FIELD} value={csrf} />
        <input type="hidden" name="from" value={base.key} />
        <Field label="活动名称" name="name" values={values} errors={errors} maxlength={200} />
        <Field
          label="活动代码（小写字母、数字和连字符，用在网址中）"
          name="slug"
          values={values}
          errors={errors}
          autocapitalize="off"
          spellcheck="false"
        />
        <Field
          label={`开始时间（${zoneLabel(zone)}）`}
          name="opensAt"
          type="datetime-local"
          step={1}
          values={values}
          errors={errors}
        />
        <Field
          label={`截止时间（${zoneLabel(zone)}）`}
          name="closesAt"
          type="datetime-local"
          step={1}
          values={values}
          errors={errors}
        />
        <label>
          评议方式
          <select name="mode">
            <option value="anonymous" selected={values.mode !== 'named'}>
              匿名（提交后答卷与邀请不再关联）
            </option>
            <option value="named" selected={values.mode === 'named'}>
              实名
            </option>
          </select>
          <FieldError errors={errors} name="mode" />
        </label>
        <label>
          时区（开始和截止时间按此时区填写）
          <select
            name="timeZone"
            aria-invalid={errors?.byField.timeZone ? 'true' : undefined}
            aria-describedby={errors?.byField.timeZone ? 'error-timeZone' : undefined}
          >
            {OFFICE_ZONES.map((z) => (
              <option value={z.zone} selected={values.timeZone === z.zone}>
                {z.note ? `${z.name}（${z.note}）` : z.name}
              </option>
            ))}
            {values.timeZone && !OFFICE_ZONES.some((z) => z.zone === values.timeZone) && (
              <option value={values.timeZone} selected>
                {values.timeZone === base.raw.timeZone ? `沿用来源活动的时区（${values.timeZone}）` : values.timeZone}
              </option>
            )}
          </select>
          <FieldError errors={errors} name="timeZone" />
        </label>
        <label>
          计分等级
          <select name="scale">
            {Object.entries(PRESET_LABELS).map(([value, label]) => (
              <option value={value} selected={values.scale === value}>
                {label}
              </option>
            ))}
            {customScale && (
              <option value={CUSTOM_SCALE} selected={values.scale === CUSTOM_SCALE}>
                沿用来源活动的自定义等级
              </option>
            )}
          </select>
          <FieldError errors={errors} name="scale" />
        </label>
        <p class="muted">权重按比例计算（合计不必为 1）。清空一行即删去这一行。</p>
        {(Object.keys(LISTS) as ListName[]).map((list) => (
          <ListRows list={list} values={values} errors={errors} extra={adding === list ? 2 : 1} />
        ))}
        <p class="muted">
          作风问题和负面情形目录、计分规则、工作提示单格式和问卷沿用
          {editing ? '本活动现在的配置' : base.key === 'example' ? '示例配置' : `活动 ${base.key}`}
          ；需要修改时请用上传配置文件。
        </p>
        <div>
          <button type="submit">{editing ? '保存修改' : '创建评议活动'}</button>
        </div>
      </form>
    </>
  );
}
