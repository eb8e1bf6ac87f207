/**
 * Hostile input on every route: whatever a client sends, the answer is below 500, an API error is
 * `{ error: { code, message } }`, and a refused request (4xx) leaves the stored data as it was.
 *
 * Routes come from `app.routes`; each must have a plan below (a new route fails the test until
 * it gets one), which picks the batteries that can reach its parsing. Every request is sent as
 * anonymous, admin, analyst and liaison (with the session's CSRF token).
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXAMPLE_CONFIG_PATH, loadConfigFile } from '../../surveys/campaign-config.js';
import { commands, runCli } from '../../server/cli/commands.js';
import { defaultConfig } from '../../server/config.js';
import type { Db } from '../../server/db/connect.js';
import { loginAs, type LoggedIn } from '../helpers/auth.js';
import { sqliteDb } from '../helpers/db.js';
import { xlsxOf } from '../helpers/sheets.js';
import { knownRecords, RESULTS_TIME, storeRecords } from '../results/helpers.js';
import { replayOpen } from '../helpers/fixtures.js';
import { createInvitation, OPEN_TIME, surveySetup, webAnswers, type SurveySetup } from '../evaluator/helpers.js';
import { office, verifiedNegatives } from '../notices/helpers.js';

type Who = 'anonymous' | 'admin' | 'analyst' | 'liaison';
const WHO: Who[] = ['anonymous', 'admin', 'analyst', 'liaison'];

const COUNTED = [
  'responses',
  'departments',
  'evaluators',
  'invitations',
  'users',
  'snapshots',
  'campaigns',
  'notice_sheets',
  'tracked_items',
  'item_history',
  'evidence_files',
] as const;

/** Deterministic bytes (xorshift), so a failure replays exactly. */
function pseudoRandomBytes(length: number, seed = 0x9e3779b9): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(length);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out[i] = x & 0xff;
  }
  return out;
}

const TEN_KB = 'x'.repeat(10 * 1024);

/** Values for a path parameter: unknown, huge, traversal, NUL, unicode, SQL-ish, broken percent-encoding. */
const HOSTILE_SEGMENTS = [
  'does-not-exist',
  TEN_KB,
  '..%2F..%2Fetc%2Fpasswd',
  '%2E%2E',
  '%00',
  'a%00b',
  encodeURIComponent('部门😀\u202e'),
  encodeURIComponent(`' OR '1'='1' --`),
  encodeURIComponent('"; DROP TABLE users; --'),
  '%E0%A4%A',
  '%ZZ',
  '%',
];

/** Raw path tails that the URL parser resolves or keeps: traversal and odd characters after a known prefix. */
const RAW_TAILS = ['/../../etc/passwd', '/..%2f..%2fetc', '/%2e%2e/%2e%2e/healthz', "/'", '/%C0%AE%C0%AE'];

const QUERIES = [
  '?format=exe',
  '?dryRun=maybe',
  '?from=&to=',
  '?from=x&to=y',
  '?format=xlsx&format=csv',
  '?limit=1e999&offset=-5',
  '?limit=abc&offset=1.5',
  '?limit=99999999999999999999999',
  `?q=${TEN_KB}`,
  '?q=%00%27%22',
  '?uncertainty=%00',
  '?campaign=does-not-exist&snapshot=does-not-exist',
  '?campaign=test-2026&snapshot=%27--',
  '?next=%2F%2Fevil.example',
  '?lang=%E0%A4%A',
  '?filename=..%2F..%2Fx.xlsx',
  '?a[]=1&a[]=2&dryRun[]=1',
];

/** Header values a client controls: broken cookies, CSRF tokens, idempotency keys, file names, origins, proxies. */
const HEADERS: Record<string, string>[] = [
  { cookie: 'minping_session=%E0%A4%A' },
  { cookie: `minping_session=${TEN_KB}` },
  { cookie: 'minping_session="; =;;; a=%; minping_session=' },
  { 'x-csrf-token': '\u00ff'.repeat(64) },
  { 'x-csrf-token': TEN_KB },
  { 'idempotency-key': TEN_KB },
  { 'idempotency-key': '../../\u00e9%00' },
  { 'x-filename': '%E0%A4%A.xlsx' },
  { 'x-filename': '../../etc/passwd.xls' },
  { origin: 'not a url' },
  { origin: 'http://evil.example' },
  { 'x-forwarded-for': 'garbage, ::::, 999.1.1.1', 'x-forwarded-host': '%00' },
  { 'content-type': 'application/json; charset=utf-16', 'content-length': '5' },
  { 'accept-language': '\u00ff'.repeat(100), accept: '*/*;q=abc' },
];

interface Body {
  name: string;
  init(): { body?: BodyInit; headers?: Record<string, string> };
}

const json = (text: string) => ({ body: text, headers: { 'content-type': 'application/json' } });
function form(entries: [string, string | File][]): FormData {
  const f = new FormData();
  for (const [k, v] of entries) f.append(k, v);
  return f;
}
const file = (bytes: Uint8Array<ArrayBuffer> | string, name: string) => new File([bytes], name);

const deepArray = '['.repeat(10_000) + ']'.repeat(10_000);
const deepObject = `${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}`;
const longStrings = JSON.stringify({
  username: 'u'.repeat(200_000),
  password: 'p'.repeat(200_000),
  role: 'admin'.repeat(1000),
  departmentCode: 'D'.repeat(100_000),
  config: 'c'.repeat(200_000),
  questionnaire: 'q'.repeat(100_000),
  format: 'f'.repeat(10_000),
  answers: { category: 'x'.repeat(100_000) },
  elapsedSeconds: 1e308,
});
const manyColumns =
  Array.from({ length: 50_000 }, (_, i) => `c${i}`).join(',') +
  '\n' +
  Array.from({ length: 50_000 }, () => 'v').join(',') +
  '\n';
const YAML_BOMB = [
  'a: &a [x, x, x, x, x, x, x, x, x]',
  'b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]',
  'c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]',
  'd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]',
  'e: [*d, *d, *d, *d, *d, *d, *d, *d, *d]',
].join('\n');

let emptyXlsx: Uint8Array<ArrayBuffer>;
/** a department/evaluator sheet whose cells are formulas, errors, rich text, hyperlinks, dates and odd numbers */
let oddXlsx: Uint8Array<ArrayBuffer>;
/** a date-formatted cell whose number is far beyond any real date */
let hugeDateXlsx: Uint8Array<ArrayBuffer>;
let exampleConfig: unknown;

async function buildSheets() {
  emptyXlsx = (await xlsxOf([])) as Uint8Array<ArrayBuffer>;
  oddXlsx = (await xlsxOf([
    ['code', 'name', 'group', 'organisation', 'category'],
    [
      { formula: 'A1&"x"' },
      { richText: [{ text: '富' }, { text: '文本' }] },
      { error: '#N/A' },
      { text: 'link', hyperlink: 'javascript:alert(1)' },
      true,
    ],
    [
      1e308,
      -0,
      new Date('2026-01-01T00:00:00Z'),
      { formula: '1/0', result: { error: '#DIV/0!' } },
      { sharedFormula: 'A2' },
    ],
  ])) as Uint8Array<ArrayBuffer>;
  const workbook = new ExcelJS.Workbook();
  const sheet = workbook.addWorksheet('Sheet1');
  sheet.addRow(['code', 'name', 'group', 'organisation', 'category']);
  const row = sheet.addRow([1e20, 'x', -1e20, 'y', 9e15]);
  for (const col of [1, 3, 5]) row.getCell(col).numFmt = 'yyyy-mm-dd';
  hugeDateXlsx = new Uint8Array(await workbook.xlsx.writeBuffer()) as Uint8Array<ArrayBuffer>;
}

const BODIES: Body[] = [
  { name: 'no body', init: () => ({}) },
  { name: 'empty JSON', init: () => json('') },
  { name: 'not JSON', init: () => json('not json {') },
  { name: '[]', init: () => json('[]') },
  { name: 'null', init: () => json('null') },
  { name: '"x"', init: () => json('"x"') },
  { name: '1e999', init: () => json('1e999') },
  {
    name: 'object of wrong types',
    init: () =>
      json('{"username":1,"password":[],"role":{},"config":null,"answers":"x","elapsedSeconds":"y","format":7}'),
  },
  { name: 'deeply nested array', init: () => json(deepArray) },
  { name: 'deeply nested object', init: () => json(deepObject) },
  { name: 'over-long strings', init: () => json(longStrings) },
  {
    name: 'JSON sent as text/plain',
    init: () => ({ body: '{"username":"a","password":"b"}', headers: { 'content-type': 'text/plain' } }),
  },
  { name: 'XML', init: () => ({ body: '<?xml version="1.0"?><x/>', headers: { 'content-type': 'application/xml' } }) },
  {
    name: 'urlencoded garbage',
    init: () => ({ body: '%%%&&&==%E0', headers: { 'content-type': 'application/x-www-form-urlencoded' } }),
  },
  { name: 'multipart without the file', init: () => ({ body: form([['other', 'x']]) }) },
  {
    name: 'multipart with a string where the file goes',
    init: () => ({
      body: form([
        ['file', 'just text'],
        ['config', ''],
      ]),
    }),
  },
  {
    name: 'multipart with a broken boundary',
    init: () => ({ body: '--zzz\r\ngarbage', headers: { 'content-type': 'multipart/form-data; boundary=abc' } }),
  },
  {
    name: 'multipart without a boundary',
    init: () => ({ body: 'garbage', headers: { 'content-type': 'multipart/form-data' } }),
  },
  {
    name: 'xlsx of random bytes',
    init: () => ({
      body: form([
        ['file', file(pseudoRandomBytes(4096), 'roster.xlsx')],
        ['config', file(pseudoRandomBytes(512), 'c.yaml')],
      ]),
    }),
  },
  {
    name: 'xlsx that is a broken zip',
    init: () => {
      const bytes = pseudoRandomBytes(2048, 7);
      bytes.set([0x50, 0x4b, 0x03, 0x04]);
      return { body: form([['file', file(bytes, 'zip.xlsx')]]) };
    },
  },
  { name: 'xlsx with no rows', init: () => ({ body: form([['file', file(emptyXlsx, 'empty.xlsx')]]) }) },
  {
    name: 'raw random bytes without a name',
    init: () => ({ body: pseudoRandomBytes(1024, 3), headers: { 'content-type': 'application/octet-stream' } }),
  },
  {
    name: 'CSV with NUL bytes',
    init: () => ({
      body: form([
        ['file', file('code,name,group\nD9\0,\0\0\0,economic\n\0,\0,\0\n', 'nul.csv')],
        ['config', file('slug: "\0"\n', 'nul.yaml')],
      ]),
    }),
  },
  {
    name: 'CSV with only a header',
    init: () => ({ body: form([['file', file('code,name,group,organisation,category\n', 'header.csv')]]) }),
  },
  { name: 'CSV with 50,000 columns', init: () => ({ body: form([['file', file(manyColumns, 'wide.csv')]]) }) },
  {
    name: 'CSV with an unclosed quote',
    init: () => ({ body: form([['file', file('code,name,group\n"D1,x,economic\n', 'quote.csv')]]) }),
  },
  { name: 'file of another type', init: () => ({ body: form([['file', file('x', 'evil.exe')]]) }) },
  {
    name: 'JSONL of wrong types',
    init: () => ({
      body: form([['file', file(`[]\nnull\n"x"\n1e999\n{"category":{}}\n${deepArray}\n`, 'bad.jsonl')]]),
    }),
  },
  { name: 'YAML alias bomb', init: () => ({ body: YAML_BOMB, headers: { 'content-type': 'application/yaml' } }) },
  {
    name: 'config YAML with a path questionnaire',
    init: () => json(JSON.stringify({ config: 'slug: x\nquestionnaire: ../../etc/passwd\n' })),
  },
];

const jsonBody = (name: string, value: unknown): Body => ({ name, init: () => json(JSON.stringify(value)) });
const fileBody = (name: string, bytes: () => Uint8Array<ArrayBuffer> | string, filename: string): Body => ({
  name,
  init: () => ({ body: form([['file', file(bytes(), filename)]]) }),
});

/** Bodies that are nearly right for one route: the right shape with one bad value, so they reach the service. */
function nearlyValid(key: string): Body[] {
  const config = (over: Record<string, unknown>) => ({ ...(exampleConfig as object), ...over });
  const answers = (over: Record<string, unknown>) => ({ answers: webAnswers(over), elapsedSeconds: 300 });
  switch (key) {
    case 'POST /api/auth/login':
      return [
        jsonBody('unknown user', { username: 'nobody-here', password: 'x'.repeat(200) }),
        jsonBody('control characters', { username: 'a\u0000\u202e', password: '\u0000' }),
      ];
    case 'POST /api/users':
      return [
        jsonBody('empty username', { username: '', role: 'admin' }),
        jsonBody('username with NUL', { username: 'new\u0000user', role: 'analyst', password: 'long enough password' }),
        jsonBody('unknown department', { username: 'liaison-x', role: 'liaison', departmentCode: "' OR 1=1 --" }),
        jsonBody('liaison without department', { username: 'liaison-y', role: 'liaison' }),
        jsonBody('short password', { username: 'shorty', role: 'admin', password: 'short' }),
        jsonBody('huge password', { username: 'hugepw', role: 'admin', password: 'p'.repeat(100_000) }),
        jsonBody('existing user', { username: 'admin-user', role: 'admin' }),
        jsonBody('unknown role', { username: 'rooted', role: 'root' }),
        jsonBody('extra field', { username: 'extra', role: 'admin', isAdmin: true }),
      ];
    case 'POST /api/campaigns':
      return [
        jsonBody('config a number', { config: 5 }),
        jsonBody('config an array', { config: [] }),
        jsonBody('config missing fields', { config: { slug: 'robust-a' } }),
        jsonBody('config broken YAML', { config: 'slug: [unclosed\n  - x: :' }),
        jsonBody('existing slug', { config: config({ slug: 'test-2026' }) }),
        jsonBody('slug too long', { config: config({ slug: 'x'.repeat(10_000) }) }),
        jsonBody('closes before it opens', {
          config: config({ slug: 'robust-b', opensAt: '2026-12-31T00:00:00Z', closesAt: '2026-01-01T00:00:00Z' }),
        }),
        jsonBody('not a date', { config: config({ slug: 'robust-c', opensAt: 'tomorrow' }) }),
        jsonBody('questionnaire a directory', { config: config({ slug: 'robust-d', questionnaire: '.' }) }),
        jsonBody('questionnaire missing', { config: config({ slug: 'robust-e', questionnaire: 'nope.json' }) }),
        jsonBody('questionnaire a path', { config: config({ slug: 'robust-f', questionnaire: '../server/app.ts' }) }),
        jsonBody('questionnaire a number', { config: config({ slug: 'robust-g' }), questionnaire: 5 }),
        jsonBody('questionnaire of wrong shape', {
          config: config({ slug: 'robust-h' }),
          questionnaire: { pages: 'x', elements: [null, 1, { type: {} }] },
        }),
        jsonBody('questionnaire deeply nested', {
          config: config({ slug: 'robust-i' }),
          questionnaire: JSON.parse(`{"pages":${'['.repeat(2000)}${']'.repeat(2000)}}`),
        }),
        jsonBody('questionnaire broken JSON text', {
          config: config({ slug: 'robust-j' }),
          questionnaire: '{"pages": [',
        }),
        jsonBody('unknown key', { config: config({ slug: 'robust-k', extra: 1 }) }),
        jsonBody('weights of wrong types', {
          config: config({
            slug: 'robust-l',
            categories: [{ code: 'a', label: 'b', weight: 'heavy' }],
            items: null,
            groups: {},
          }),
        }),
      ];
    case 'POST /api/campaigns/:slug/departments/import':
      return [
        fileBody('unknown group', () => 'code,name,group\nD777,新部门,no-such-group\n', 'd.csv'),
        fileBody('duplicate codes', () => 'code,name,group\nD778,甲,economic\nd778,乙,economic\n', 'd.csv'),
        fileBody(
          'over-long cells',
          () => `code,name,group\n${'C'.repeat(20_000)},${'名'.repeat(20_000)},economic\n`,
          'd.csv',
        ),
        fileBody('formula and odd cells in xlsx', () => oddXlsx, 'odd.xlsx'),
        fileBody('date cell far out of range', () => hugeDateXlsx, 'dates.xlsx'),
        fileBody('GB18030 garbage', () => pseudoRandomBytes(3000, 11), 'gbk.csv'),
        fileBody('header only below a title', () => '部门名单\n\n代码,名称,分组\n', 't.csv'),
      ];
    case 'POST /api/campaigns/:slug/evaluators/import':
      return [
        fileBody('unknown category', () => 'name,organisation,category\n李四,某公司,no-such-category\n', 'e.csv'),
        fileBody('no organisation column', () => 'name,category\n李四,project\n', 'e.csv'),
        fileBody(
          'over-long cells',
          () =>
            `name,organisation,category,phone,email\n${'名'.repeat(20_000)},x,project,${'1'.repeat(5000)},${'a'.repeat(5000)}@x\n`,
          'e.csv',
        ),
        fileBody('formula and odd cells in xlsx', () => oddXlsx, 'odd.xlsx'),
        fileBody('date cell far out of range', () => hugeDateXlsx, 'dates.xlsx'),
      ];
    case 'POST /api/campaigns/:slug/responses/import': {
      const good = {
        category: 'project',
        overall: 'satisfied',
        departments: [{ code: 'D001', efficiency: 'satisfied', quality: 'satisfied' }],
      };
      const lines = (...values: unknown[]) =>
        values.map((v) => (typeof v === 'string' ? v : JSON.stringify(v))).join('\n');
      return [
        fileBody(
          'unknown department',
          () => lines({ ...good, departments: [{ code: 'D999', efficiency: 'satisfied', quality: 'satisfied' }] }),
          'r.jsonl',
        ),
        fileBody(
          'fields of wrong types',
          () =>
            lines({
              ...good,
              durationSeconds: -1,
              departments: [{ code: {}, efficiency: 1, quality: null, problems: 'x', negatives: [null, 5] }],
            }),
          'r.jsonl',
        ),
        fileBody(
          '__proto__ keys',
          () =>
            lines(
              '{"__proto__":{"polluted":1},"category":"project","overall":"satisfied","departments":[{"code":"D001","efficiency":"satisfied","quality":"satisfied","__proto__":{}}]}',
            ),
          'r.jsonl',
        ),
        fileBody('one good line, one NUL line', () => lines(good, '\u0000'), 'r.jsonl'),
        fileBody(
          'a line of 1 MB',
          () => lines(good, JSON.stringify({ ...good, suggestion: 's'.repeat(1_000_000) })),
          'r.jsonl',
        ),
        fileBody(
          'UTF-16 text',
          () => new Uint8Array(Buffer.from(`\ufeff${JSON.stringify(good)}`, 'utf16le')),
          'r.jsonl',
        ),
      ];
    }
    case 'POST /api/s/:token/submit':
    case 'PUT /api/s/:token/draft':
      return [
        jsonBody('departments of wrong types', answers({ departments: [{ dept: {} }, null, 'x', 5, []] })),
        jsonBody('departments a string', answers({ departments: 'all' })),
        jsonBody(
          'negatives of wrong types',
          answers({
            departments: [
              {
                dept: 'D001',
                efficiency: 'satisfied',
                quality: 'satisfied',
                negatives: [null, 5, 'x', { kind: 'x', contactAllowed: 'yes', contact: {} }],
              },
            ],
          }),
        ),
        jsonBody(
          'problems out of range',
          answers({
            departments: [
              { dept: 'D001', efficiency: 'satisfied', quality: 'satisfied', problems: [1e308, -1, 2.5, 'x'] },
            ],
          }),
        ),
        jsonBody('another category', answers({ category: 'deputies' })),
        jsonBody('__proto__ keys', {
          answers: JSON.parse('{"__proto__":{"polluted":true},"constructor":{"prototype":{}},"category":"project"}'),
          elapsedSeconds: 1,
        }),
        jsonBody('elapsed out of range', { answers: webAnswers(), elapsedSeconds: 1e308 }),
        jsonBody('elapsed negative', { answers: webAnswers(), elapsedSeconds: -1 }),
        jsonBody('unknown questionnaire version', {
          answers: webAnswers(),
          elapsedSeconds: 10,
          questionnaireVersion: 999,
        }),
        jsonBody('questionnaire version a fraction', {
          answers: webAnswers(),
          elapsedSeconds: 10,
          questionnaireVersion: 1.5,
        }),
        jsonBody('answer key too long', { answers: { ['k'.repeat(1000)]: 1 } }),
        jsonBody('draft too large', { answers: { big: 'x'.repeat(300 * 1024) } }),
        jsonBody('extra field', { answers: webAnswers(), sneaky: true }),
      ];
    case 'POST /my/items/:id/plan':
      return [
        formBody('a date that is no day', { measures: '整改', responsible: '张三', date: '2027-02-30' }),
        formBody('over-long measures', { measures: '改'.repeat(5000), responsible: '张三', date: '2027-02-01' }),
        formBody('NUL and bidi controls', { measures: '\u0000\u202e', responsible: '\u0000', date: '\u0000' }),
      ];
    case 'POST /my/items/:id/respond':
    case 'POST /admin/closeout/items/:id/respond':
      return [
        {
          name: 'a program named .pdf',
          init: () => ({
            body: form([
              ['text', '已整改'],
              ['files', file('MZ\u0090\u0000', '整改.pdf')],
            ]),
          }),
        },
        {
          name: 'a zip that is no Office file',
          init: () => ({
            body: form([
              ['text', '已整改'],
              ['files', file(pseudoRandomBytes(64, 2), 'x.docx')],
            ]),
          }),
        },
        { name: 'eleven files', init: () => ({ body: form([['text', '已整改'], ...elevenPdfs()]) }) },
      ];
    case 'POST /my/items/:id/extension':
      return [
        formBody('45 days', { days: '45', reason: '来不及' }),
        formBody('days not a number', { days: '1e999', reason: '来不及' }),
      ];
    case 'POST /admin/campaigns/:slug/notices/:sheetId/items/:itemId/withdraw':
      return [
        formBody('NUL and a lone surrogate', { reason: '\u0000\ud800', confirm: '1' }),
        formBody('over-long reason', { reason: '要'.repeat(5000), confirm: '1' }),
      ];
    case 'POST /admin/closeout/items/:id/extension':
    case 'POST /admin/closeout/items/:id/appeal':
      return [formBody('unknown decision', { decision: 'maybe', reason: '' })];
    case 'POST /admin/campaigns/:slug/notices/:sheetId/edit':
    case 'POST /admin/campaigns/:slug/notices/:sheetId/items/:itemId/edit':
      return [
        formBody('a period that is no number', { requirement: '限期整改', respondDays: '1e999' }),
        formBody('NUL and a lone surrogate', { requirement: '\u0000\ud800', respondDays: '-5' }),
        formBody('over-long requirement', { requirement: '要'.repeat(5000), respondDays: '15' }),
      ];
    case 'POST /api/campaigns/:slug/clone':
      return [
        jsonBody('existing slug', { slug: 'test-2026', name: '复制' }),
        jsonBody('closes before it opens', {
          slug: 'robust-clone-a',
          name: '复制',
          opensAt: '2027-12-31T00:00:00Z',
          closesAt: '2027-01-01T00:00:00Z',
        }),
        jsonBody('not a date', { slug: 'robust-clone-b', name: '复制', opensAt: 'next year' }),
        jsonBody('name with NUL', { slug: 'robust-clone-c', name: '\u0000' }),
        jsonBody('roster not a boolean', { slug: 'robust-clone-d', name: '复制', withRoster: 'yes' }),
        jsonBody('a questionnaire path', { slug: 'robust-clone-e', name: '复制', questionnaire: '../../etc/passwd' }),
      ];
    case 'POST /admin/campaigns/:slug/clone':
      return [
        formBody('existing slug', { slug: 'test-2026', name: '复制' }),
        formBody('a day that does not exist', { slug: 'robust-clone-f', name: '复制', opensAt: '2027-02-30T09:00' }),
        formBody('NUL and a lone surrogate', { slug: 'robust-clone-g', name: '\u0000\ud800' }),
        formBody('closes before it opens', {
          slug: 'robust-clone-h',
          name: '复制',
          opensAt: '2027-12-31T00:00',
          closesAt: '2027-01-01T00:00',
        }),
      ];
    case 'POST /admin/campaigns/new':
      return [
        formBody('nothing filled in', {}),
        formBody('an unknown base', { from: 'does-not-exist', slug: 'robust-form-a' }),
        formBody('rows of odd numbers and values', {
          slug: 'robust-form-b',
          name: '\u0000\ud800',
          timeZone: 'Mars/Olympus',
          opensAt: '2027-02-30T09:00',
          'categories.99999999.weight': '1e999',
          'categories.-1.code': 'x',
          'groups.0.code': '名'.repeat(5000),
          scale: 'custom',
        }),
        formBody('adding a row to a list that is none', { add: '__proto__' }),
      ];
    case 'POST /admin/campaigns/:slug/negatives/:id/verify':
    case 'POST /admin/campaigns/:slug/negatives/:id/redaction':
    case 'POST /admin/campaigns/:slug/negatives/:id/merge':
      return [
        formBody('NUL and a lone surrogate', { reason: '\u0000', matter: '\ud800', description: 'x' }),
        formBody('over-long reason', { reason: '理'.repeat(5000), duplicates: 'x' }),
      ];
    default:
      return [];
  }
}

const formBody = (name: string, fields: Record<string, string>): Body => ({
  name,
  init: () => ({
    body: new URLSearchParams(fields).toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  }),
});
const elevenPdfs = (): [string, File][] =>
  Array.from({ length: 11 }, (_, i) => ['files', file('%PDF-1.7\n%%EOF\n', `${i}.pdf`)]);

interface Plan {
  /** send the query battery to the route with valid parameters */
  queries?: boolean | string[];
  /** send the body battery (POST/PUT), or the bodies of these names */
  bodies?: boolean | string[];
  /** send the header battery (default: yes) */
  headers?: boolean;
}

/** One plan per route. Expensive or state-changing routes get a reduced battery. */
const PLANS: Record<string, Plan> = {
  'GET /': { queries: true },
  'GET /healthz': { queries: ['?format=exe'] },
  'GET /assets/:file': { queries: ['?format=exe'] },
  'GET /favicon.ico': { queries: ['?format=exe'] },
  'GET /login': { queries: true },
  'POST /login': { bodies: true, queries: ['?next=%2F%2Fevil.example'] },
  'GET /api/auth/session': { queries: ['?format=exe'] },
  'POST /api/auth/login': { bodies: true, queries: ['?next=%2F%2Fevil.example'] },
  // every successful logout costs a new login (scrypt): a few bodies, no header battery
  'POST /api/auth/logout': {
    bodies: ['not JSON', 'deeply nested array', 'multipart with a broken boundary'],
    headers: false,
  },
  'POST /logout': {
    bodies: ['not JSON', 'deeply nested array', 'multipart with a broken boundary'],
    headers: false,
  },
  'GET /api/users': { queries: ['?limit=1e999'] },
  'POST /api/users': { bodies: true },
  // :username is an unknown account here, so nothing is disabled or reset
  'POST /api/users/:username/disable': { bodies: true },
  'POST /api/users/:username/enable': { bodies: true },
  'POST /api/users/:username/reset-password': { bodies: true },
  // a wrong current password counts like a failed login: a few bodies, no header battery
  'POST /api/users/me/password': { bodies: ['not JSON', 'deeply nested array'], headers: false },
  'GET /admin/users': { queries: ['?format=exe'] },
  'POST /admin/users/:username/disable': { bodies: true },
  'GET /admin/users/:username/disable': { queries: ['?format=exe'] },
  'GET /admin/users/:username/enable': { queries: ['?format=exe'] },
  'POST /admin/users/:username/enable': { bodies: true },
  'POST /admin/users/:username/reset-password': { bodies: true },
  'GET /admin/users/:username/reset-password': { queries: ['?format=exe'] },
  // no body of the battery ticks 我知道, so nothing is reset
  'POST /admin/users/reset-liaison-passwords': { bodies: true },
  'GET /account/password': { queries: ['?format=exe'] },
  'POST /account/password': { bodies: ['not JSON', 'multipart with a broken boundary'], headers: false },
  'GET /api/campaigns': { queries: ['?limit=1e999'] },
  'POST /api/campaigns': { bodies: true, queries: ['?dryRun=maybe'] },
  'GET /api/campaigns/:slug': { queries: ['?format=exe'] },
  // a valid request makes a campaign: only nearly valid and hostile bodies, which are refused
  'POST /api/campaigns/:slug/clone': { bodies: true },
  'GET /api/campaigns/:slug/preview': { queries: ['?category=does-not-exist', '?category[]=a'] },
  'POST /api/campaigns/:slug/departments/import': {
    bodies: true,
    queries: ['?dryRun=maybe', '?filename=..%2F..%2Fx.xlsx', '?a[]=1&a[]=2&dryRun[]=1'],
  },
  'POST /api/campaigns/:slug/evaluators/import': {
    bodies: true,
    queries: ['?dryRun=maybe', '?filename=..%2F..%2Fx.xlsx', '?a[]=1&a[]=2&dryRun[]=1'],
  },
  'GET /api/campaigns/:slug/departments/template.xlsx': { queries: ['?format=exe', '?a[]=1&a[]=2'] },
  'GET /api/campaigns/:slug/evaluators/template.xlsx': { queries: ['?format=exe', '?a[]=1&a[]=2'] },
  'GET /api/campaigns/:slug/departments': { queries: ['?limit=1e999'] },
  'GET /api/campaigns/:slug/evaluators': { queries: true },
  'POST /api/campaigns/:slug/responses/import': { bodies: true, queries: ['?dryRun=maybe', '?filename=%00.jsonl'] },
  'GET /api/campaigns/:slug/responses/export.xlsx': { queries: ['?format=exe'] },
  // a valid request generates invitations: every evaluator already has one, so it answers 409
  'POST /api/campaigns/:slug/invitations': {
    bodies: true,
    queries: ['?format=exe', '?format=xlsx&format=csv', '?format=%00'],
  },
  // the test campaign is anonymous: a valid request is refused (409), it holds no links
  'GET /api/campaigns/:slug/invitations/download': {
    queries: ['?format=exe', '?format=xlsx&format=csv', '?format=%00', '?format=letters'],
  },
  'POST /api/campaigns/:slug/invitations/download': {
    bodies: true,
    queries: ['?format=exe', '?format=xlsx&format=csv', '?format=%00'],
  },
  // no mail server in the test config: a valid request is refused (409)
  'POST /api/campaigns/:slug/invitations/remind': { bodies: true, queries: ['?intervalDays=0'] },
  // a valid request replaces the link of a spare evaluator (not the one the survey routes use)
  'POST /api/campaigns/:slug/evaluators/:id/invitation': {
    bodies: true,
    queries: ['?format=exe', '?format=xlsx&format=csv', '?format=letters'],
  },
  'GET /api/campaigns/:slug/progress': { queries: ['?format=exe'] },
  'GET /api/campaigns/:slug/chase': { queries: ['?format=exe', '?format=xlsx&format=csv', '?format=%00'] },
  // the lifecycle changes the campaign the other routes need open: hostile path segments only, or
  // bodies that are all refused (a new deadline needs a valid time; closing needs the confirmation)
  'POST /api/campaigns/:slug/open': { headers: false },
  'POST /api/campaigns/:slug/close': { headers: false },
  'POST /api/campaigns/:slug/pause': { headers: false },
  'POST /api/campaigns/:slug/resume': { headers: false },
  // the campaign is open here: a settlement is refused whatever the body says
  'POST /api/campaigns/:slug/settle': { bodies: true, headers: false },
  'GET /api/campaigns/:slug/settlement': { queries: ['?format=exe'] },
  'PUT /api/campaigns/:slug/dates': { bodies: true, headers: false },
  // the test campaign is open: every edit of its config or questionnaire is refused
  'PUT /api/campaigns/:slug/config': { bodies: true },
  'PUT /api/campaigns/:slug/questionnaire': { bodies: true },
  'GET /api/campaigns/:slug/publication': { queries: ['?format=exe'] },
  'GET /api/campaigns/:slug/results': { queries: ['?uncertainty=%00', '?uncertainty=0&uncertainty=1'] },
  'GET /api/campaigns/:slug/results/export.csv': { queries: ['?format=exe'] },
  'GET /api/campaigns/:slug/results/export.xlsx': { queries: ['?format=exe'] },
  'GET /api/campaigns/:slug/snapshots': { queries: ['?limit=1e999'] },
  // a valid request publishes a snapshot (the body is not read): one query, no body battery
  'POST /api/campaigns/:slug/snapshots': { queries: ['?dryRun=maybe'], headers: false },
  'GET /api/snapshots/:id': { queries: ['?format=exe'] },
  'GET /api/snapshots/:id/export.csv': { queries: ['?format=exe'] },
  'GET /api/snapshots/:id/export.xlsx': { queries: ['?format=exe'] },
  'GET /api/compare': { queries: true },
  'GET /api/departments/:code/trend': { queries: ['?from=&to='] },
  'GET /api/campaigns/:slug/negatives': { queries: true },
  'GET /api/campaigns/:slug/negatives/changes': { queries: ['?format=exe'] },
  'GET /api/campaigns/:slug/negatives/:id': { queries: ['?format=exe'] },
  'POST /api/campaigns/:slug/negatives/:id/verify': { bodies: true },
  'POST /api/campaigns/:slug/negatives/:id/dismiss': { bodies: true },
  'PUT /api/campaigns/:slug/negatives/:id/redaction': { bodies: true },
  'POST /api/campaigns/:slug/negatives/:id/merge': { bodies: true },
  'POST /api/campaigns/:slug/negatives/:id/unmerge': { bodies: true },
  'GET /api/campaigns/:slug/suggestions': { queries: true },
  'GET /api/campaigns/:slug/suggestions/export.csv': { queries: true },
  'GET /api/campaigns/:slug/suggestions/export.xlsx': { queries: true },
  'GET /api/my/results': { queries: ['?campaign=does-not-exist'] },
  'GET /api/campaigns/:slug/notices': { queries: ['?format=exe'] },
  // publication drafted already: a valid request drafts nothing more
  'POST /api/campaigns/:slug/notices/draft': { queries: ['?dryRun=maybe'], headers: false },
  'GET /api/campaigns/:slug/notices/:sheetId': { queries: ['?format=exe'] },
  'PATCH /api/campaigns/:slug/notices/:sheetId': { bodies: true },
  'POST /api/campaigns/:slug/notices/:sheetId/issue': { queries: ['?dryRun=maybe'] },
  'GET /api/campaigns/:slug/notices/:sheetId/docx': { queries: ['?format=exe'] },
  'GET /api/items/:id': { queries: ['?format=exe'] },
  'PATCH /api/items/:id': { bodies: true },
  'GET /api/items/:id/evidence/:fileId': { queries: ['?format=exe'] },
  'POST /api/items/:id/respond': { bodies: true },
  'POST /api/items/:id/withdraw': { bodies: true },
  'POST /api/items/:id/close': { bodies: true },
  'POST /api/items/:id/return': { bodies: true },
  'POST /api/items/:id/extension': { bodies: true },
  'POST /api/items/:id/appeal': { bodies: true },
  'GET /api/my/notices': { queries: ['?campaign=does-not-exist'] },
  'GET /api/my/notices/:sheetId': { queries: ['?format=exe'] },
  'POST /api/my/notices/:sheetId/acknowledge': { bodies: ['not JSON'] },
  'GET /api/my/notices/:sheetId/docx': { queries: ['?format=exe'] },
  'GET /api/my/items/:id': { queries: ['?format=exe'] },
  'GET /api/my/items/:id/evidence/:fileId': { queries: ['?format=exe'] },
  'POST /api/my/items/:id/respond': { bodies: true },
  'POST /api/my/items/:id/acknowledge': { bodies: ['not JSON'] },
  'POST /api/my/items/:id/plan': { bodies: true },
  'POST /api/my/items/:id/extension': { bodies: true },
  'POST /api/my/items/:id/appeal': { bodies: true },
  'GET /admin': { queries: ['?campaign=does-not-exist'] },
  'GET /admin/campaigns/:slug': { queries: ['?format=exe'] },
  'GET /admin/campaigns/:slug/progress': { queries: ['?format=exe'] },
  'GET /admin/campaigns/new': { queries: ['?from=does-not-exist', '?from=%00'] },
  'POST /admin/campaigns/new': { bodies: true },
  'POST /admin/campaigns/:slug/clone': { bodies: true },
  'GET /admin/campaigns/:slug/edit': { queries: ['?a[]=1'] },
  'POST /admin/campaigns/:slug/edit': { bodies: true },
  'POST /admin/campaigns/:slug/edit/upload': { bodies: true },
  'POST /admin/campaigns/:slug/questionnaire': { bodies: true },
  'GET /admin/campaigns/:slug/preview': { queries: ['?category=does-not-exist', '?category=%00', '?width=%00'] },
  'POST /admin/campaigns/:slug/lifecycle/open': { headers: false },
  'POST /admin/campaigns/:slug/lifecycle/close': { bodies: true, headers: false },
  'POST /admin/campaigns/:slug/lifecycle/pause': { headers: false },
  'POST /admin/campaigns/:slug/lifecycle/resume': { headers: false },
  'GET /admin/campaigns/:slug/settle': { queries: ['?format=exe'] },
  'GET /admin/example-config.yaml': { queries: ['?format=exe'] },
  'POST /admin/campaigns/:slug/settle': { bodies: true, headers: false },
  'POST /admin/campaigns/:slug/dates': { bodies: true, headers: false },
  'GET /admin/campaigns/:slug/publish': { queries: ['?format=exe'] },
  // the campaign is open here: a publication is refused whatever the form says
  'POST /admin/campaigns/:slug/publish': { bodies: true, headers: false },
  'GET /admin/campaigns/:slug/negatives': { queries: true },
  'GET /admin/campaigns/:slug/negatives/:id': { queries: ['?done=%00'] },
  'POST /admin/campaigns/:slug/negatives/:id/verify': { bodies: true },
  'POST /admin/campaigns/:slug/negatives/:id/dismiss': { bodies: true },
  'POST /admin/campaigns/:slug/negatives/:id/redaction': { bodies: true },
  'POST /admin/campaigns/:slug/negatives/:id/merge': { bodies: true },
  'POST /admin/campaigns/:slug/negatives/:id/unmerge': { bodies: true },
  'GET /admin/campaigns/:slug/suggestions': { queries: true },
  // the campaign is open: every purge is refused (409) and blanks nothing
  'POST /api/campaigns/:slug/purge': { bodies: true },
  'POST /admin/campaigns/:slug/purge': { bodies: true },
  'GET /dashboard': { queries: true },
  'GET /dashboard/departments/:code': {
    queries: [
      '?campaign=does-not-exist&snapshot=does-not-exist',
      '?campaign=test-2026&snapshot=%27--',
      '?campaign=%00',
    ],
  },
  'GET /my/results': { queries: ['?campaign=does-not-exist'] },
  'GET /admin/campaigns/:slug/notices': { queries: ['?format=exe'] },
  'GET /admin/campaigns/:slug/notices/print': { queries: ['?campaign=%00', `?sheet=${TEN_KB}`] },
  'GET /admin/campaigns/:slug/notices/:sheetId/print': { queries: ['?format=exe'] },
  'GET /admin/campaigns/:slug/notices/:sheetId': { queries: ['?format=exe'] },
  'GET /my/notices/:sheetId/print': { queries: ['?format=exe'] },
  'GET /my': { queries: ['?done=%00', `?done=${TEN_KB}`] },
  'GET /my/sheets/:id': { queries: ['?done=acknowledge&done=x'] },
  'POST /my/sheets/:id/acknowledge': { bodies: ['no body', 'urlencoded garbage', 'multipart with a broken boundary'] },
  'GET /my/items/:id': { queries: ['?done=%E0%A4%A'] },
  'GET /my/items/:id/evidence/:fileId': { queries: ['?format=exe'] },
  'GET /my/items/:id/plan': { queries: ['?format=exe'] },
  'POST /my/items/:id/plan': { bodies: true },
  'GET /my/items/:id/respond': { queries: ['?format=exe'] },
  'POST /my/items/:id/respond': { bodies: true },
  'GET /my/items/:id/extension': { queries: ['?format=exe'] },
  'POST /my/items/:id/extension': { bodies: true },
  'GET /my/items/:id/appeal': { queries: ['?format=exe'] },
  'POST /my/items/:id/appeal': { bodies: true },
  'GET /admin/closeout': { queries: true },
  'GET /admin/closeout/items/:id': { queries: ['?done=%00'] },
  'GET /admin/closeout/items/:id/evidence/:fileId': { queries: ['?format=exe'] },
  'POST /admin/closeout/items/:id/close': { bodies: true },
  'POST /admin/closeout/items/:id/return': { bodies: true },
  'POST /admin/closeout/items/:id/extension': { bodies: true },
  'POST /admin/closeout/items/:id/appeal': { bodies: true },
  'POST /admin/closeout/items/:id/respond': { bodies: true },
  'GET /admin/ledger': {
    queries: [
      '?campaign=%00',
      '?campaign=test-2026&from=2027-02-30&to=x',
      `?from=${TEN_KB}&to=1`,
      '?from[]=1&to[]=2',
      '?campaign=test-2026&from=0001-01-01&to=0001-03-31',
    ],
  },
  'GET /api/campaigns/:slug/ledger': { queries: true },
  'GET /api/campaigns/:slug/ledger/xlsx': {
    queries: [
      '?from=2027-04-01',
      '?from=9999-12-31&to=0001-01-01',
      '?from=0001-01-01&to=0001-03-31',
      '?from=2026-01-01&to=9999-12-31',
    ],
  },
  'GET /api/campaigns/:slug/ledger/docx': { queries: ['?from=2027-04-01', `?to=${TEN_KB}`] },
  // the valid sheet is issued: a valid edit or issue is refused (409) and changes nothing
  'POST /admin/campaigns/:slug/notices/:sheetId/edit': { bodies: true },
  'POST /admin/campaigns/:slug/notices/:sheetId/items/:itemId/edit': { bodies: true },
  'POST /admin/campaigns/:slug/notices/:sheetId/items/:itemId/withdraw': { bodies: true },
  'POST /admin/campaigns/:slug/notices/:sheetId/issue': { bodies: ['no body', 'urlencoded garbage'] },
  'GET /api/my/notifications': { queries: ['?limit=1e999', '?unread=maybe'] },
  'POST /api/my/notifications/:id/read': { bodies: ['not JSON'] },
  'POST /api/my/notifications/read': { bodies: ['not JSON'] },
  'POST /my/notifications/:id/open': { bodies: ['no body', 'urlencoded garbage'] },
  'POST /my/notifications/read': { bodies: ['no body', 'urlencoded garbage'] },
  'GET /s/:token': { queries: ['?lang=%E0%A4%A', '?lang=en&lang=zh', `?lang=${TEN_KB}`] },
  'GET /api/s/:token': { queries: ['?format=exe'] },
  'PUT /api/s/:token/draft': { bodies: true },
  'POST /api/s/:token/submit': { bodies: true },
  'POST /api/s/:token/credential': { bodies: true },
  'POST /api/s/ballots/:slug': { bodies: true },
  'POST /api/s/ballots/:slug/questionnaire': { bodies: true },
};

let db: Db;
let s: SurveySetup;
const sessions: Partial<Record<Who, LoggedIn>> = {};
/** valid values of each path parameter, so the hostile one is the only thing wrong */
const valid: Record<string, string> = {};

async function counts(): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const table of COUNTED) {
    out[table] = Number(
      (
        await db.kysely
          .selectFrom(table)
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
  }
  return out;
}

let logins = 0;
/**
 * A session for this role. The first goes through the API; later ones (after the battery logged
 * out) through the service with their own network key, so the battery's failed logins, which
 * throttle the test client's network, don't lock the test out.
 */
async function login(who: Exclude<Who, 'anonymous'>) {
  const first = sessions[who];
  if (!first) {
    sessions[who] = await loginAs(s.app, s.services, who, who === 'liaison' ? { departmentCode: 'D005' } : {});
    return;
  }
  const session = await s.services.accounts.login({
    username: first.username,
    password: first.password,
    networkKey: `relogin-${++logins}`,
  });
  const cookie = `minping_session=${session.cookie}`;
  sessions[who] = {
    ...first,
    cookie,
    csrfToken: session.csrfToken,
    headers: (extra = {}) => ({ cookie, 'X-CSRF-Token': session.csrfToken, ...extra }),
  };
}

beforeAll(async () => {
  db = await sqliteDb();
  s = await surveySetup(db);
  await buildSheets();
  exampleConfig = loadConfigFile(EXAMPLE_CONFIG_PATH).raw;
  const { records, verify } = knownRecords();
  await storeRecords(s.services, s.campaign, records, verify);
  // published after the close, then back to the open campaign: hostile bodies must reach the evaluator's parsing
  s.clock.set(RESULTS_TIME);
  const snapshot = await s.services.results.publish(s.campaign.slug, 'test');
  await replayOpen(db, s.clock, s.campaign, OPEN_TIME);
  const surveyed = await createInvitation(db, s.campaign);
  const spare = await createInvitation(db, s.campaign);
  Object.assign(valid, { slug: s.campaign.slug, token: surveyed.token, code: 'D001', file: 'does-not-exist.js' });
  valid.snapshotId = snapshot.id;
  valid.evaluatorId = spare.evaluatorId;
  // an issued item of the liaison's department (D005), so hostile forms reach the portal's and the office's parsing
  const [report] = await verifiedNegatives(db, s.services, s.campaign, 'D005');
  const item = await db.kysely
    .transaction()
    .execute((trx) => s.services.notices.registerVerifiedNegative(trx, report, office));
  await s.services.notices.issueSheet(s.campaign.slug, item.sheetId!, office);
  valid.itemId = item.id;
  valid.sheetId = item.sheetId!;
  for (const who of ['admin', 'analyst', 'liaison'] as const) await login(who);
});
afterAll(() => db?.close());

/** The route's path with these parameter values (percent-encoded already). */
function fill(path: string, values: Record<string, string>): string {
  return path.replace(/:([A-Za-z]+)(\{[^}]*\})?/g, (_, name: string) => values[name] ?? 'x');
}

function validParams(path: string): Record<string, string> {
  return {
    slug: valid.slug,
    token: valid.token,
    code: valid.code,
    file: valid.file,
    id: path.includes('/snapshots/')
      ? valid.snapshotId
      : path.includes('/items/')
        ? valid.itemId
        : path.includes('/sheets/')
          ? valid.sheetId
          : valid.evaluatorId,
    fileId: 'no-such-file',
    sheetId: valid.sheetId,
    itemId: valid.itemId,
  };
}

/** Route key as PLANS names it: the path with parameter patterns stripped. */
const keyOf = (method: string, path: string) => `${method} ${path.replace(/(:[A-Za-z]+)\{[^}]*\}/g, '$1')}`;

function appRoutes(): { method: string; path: string }[] {
  const seen = new Map<string, { method: string; path: string }>();
  for (const r of s.app.routes) {
    if (r.method === 'ALL') continue; // middleware
    const path = r.path.length > 1 ? r.path.replace(/\/$/, '') : r.path;
    seen.set(keyOf(r.method, path), { method: r.method, path });
  }
  return [...seen.values()];
}

interface Attempt {
  method: string;
  url: string;
  what: string;
  init?: { body?: BodyInit; headers?: Record<string, string> };
}

function attemptsFor(method: string, path: string, plan: Plan): Attempt[] {
  const attempts: Attempt[] = [];
  const params = [...path.matchAll(/:([A-Za-z]+)/g)].map((m) => m[1]);
  const good = validParams(path);
  for (const param of params) {
    for (const value of HOSTILE_SEGMENTS)
      attempts.push({ method, url: fill(path, { ...good, [param]: value }), what: `:${param}=${value.slice(0, 24)}` });
  }
  const base = fill(path, good);
  for (const tail of RAW_TAILS) attempts.push({ method, url: base.replace(/\/$/, '') + tail, what: `tail ${tail}` });
  const queries = plan.queries === true ? QUERIES : plan.queries || [];
  for (const q of queries) attempts.push({ method, url: base + q, what: `query ${q.slice(0, 40)}` });
  const names = plan.bodies === true ? BODIES.map((b) => b.name) : plan.bodies || [];
  const bodies = BODIES.filter((b) => names.includes(b.name));
  for (const b of bodies) attempts.push({ method, url: base, what: `body: ${b.name}`, init: b.init() });
  for (const b of nearlyValid(`${method} ${path}`))
    attempts.push({ method, url: base, what: `nearly valid: ${b.name}`, init: b.init() });
  if (plan.headers !== false) {
    for (const h of HEADERS)
      attempts.push({
        method,
        url: base,
        what: `headers ${JSON.stringify(h).slice(0, 60)}`,
        init: { headers: h, ...(method === 'GET' ? {} : { body: '{}' }) },
      });
  }
  // a method the route does not have
  attempts.push({ method: method === 'GET' ? 'DELETE' : 'PATCH', url: base, what: 'other method' });
  return attempts;
}

async function send(who: Who, attempt: Attempt): Promise<Response> {
  const init = attempt.init ?? {};
  const session = who === 'anonymous' ? undefined : sessions[who];
  const headers = { ...(session ? session.headers() : {}), ...(init.headers ?? {}) };
  return s.app.request(attempt.url, { method: attempt.method, headers, body: init.body });
}

/** Every way `res` breaks the rule, as readable lines. */
async function problemsOf(
  who: Who,
  attempt: Attempt,
  res: Response,
  before: Record<string, number>,
): Promise<string[]> {
  const where = `${who} ${attempt.method} ${attempt.url.slice(0, 80)} (${attempt.what}) → ${res.status}`;
  const problems: string[] = [];
  const text = await res.text();
  if (res.status >= 500) problems.push(`${where}: ${text.slice(0, 200)}`);
  const pathname = attempt.url.split('?')[0];
  const api = /^\/api(\/|$)/.test(new URL(pathname, 'http://localhost').pathname);
  if (api && res.status >= 400) {
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
    const error = (body as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
    if (typeof error?.code !== 'string' || typeof error.message !== 'string' || !error.message) {
      problems.push(`${where}: not an error body: ${text.slice(0, 120)}`);
    }
  }
  if (res.status >= 400) {
    const after = await counts();
    if (JSON.stringify(after) !== JSON.stringify(before))
      problems.push(`${where}: stored data changed ${JSON.stringify(before)} → ${JSON.stringify(after)}`);
  }
  return problems;
}

describe('hostile input on every route', () => {
  it('has a plan for every route of the app, and no plan for a route that is gone', () => {
    const keys = appRoutes().map((r) => keyOf(r.method, r.path));
    expect(
      keys.filter((k) => !(k in PLANS)),
      'routes without a plan',
    ).toEqual([]);
    expect(
      Object.keys(PLANS).filter((k) => !keys.includes(k)),
      'plans without a route',
    ).toEqual([]);
  });

  it.each(Object.keys(PLANS))(
    '%s: answers below 500, API errors as { error }, nothing stored on a refusal',
    async (key) => {
      const [method, path] = key.split(' ');
      const problems: string[] = [];
      for (const who of WHO) {
        for (const attempt of attemptsFor(method, path, PLANS[key])) {
          const before = await counts();
          const res = await send(who, attempt);
          problems.push(...(await problemsOf(who, attempt, res, before)));
          // logging out ends the session the rest of the battery needs
          const signedOut =
            (key === 'POST /api/auth/logout' && res.status === 200) || (key === 'POST /logout' && res.status === 303);
          if (signedOut && who !== 'anonymous') await login(who);
        }
      }
      expect(problems).toEqual([]);
    },
  );
});

describe('CLI: bad arguments and bad files', () => {
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'minping-robust-'));
    const put = (name: string, content: string | Uint8Array) => writeFileSync(join(dir, name), content);
    put('garbage.xlsx', pseudoRandomBytes(4096, 5));
    put('garbage.csv', pseudoRandomBytes(4096, 6));
    put('garbage.yaml', pseudoRandomBytes(4096, 8));
    put('garbage.jsonl', pseudoRandomBytes(4096, 9));
    put('empty.csv', '');
    put('empty.yaml', '');
    put('old.xls', 'x');
    put('nul.csv', 'code,name,group\nD9\0,\0,economic\n');
    put('header.csv', 'code,name,group\n');
    put('evaluators.csv', 'name,organisation,category\n钱七,某公司,project\n');
    put('wide.csv', manyColumns);
    put('dates.xlsx', hugeDateXlsx);
    put('bomb.yaml', YAML_BOMB);
    put('deep.yaml', '['.repeat(10_000) + ']'.repeat(10_000));
    put('wrong-types.json', '{"slug": 5, "categories": "x", "scale": null}');
    put(
      'gbk.jsonl',
      Buffer.concat([
        Buffer.from('{"category":"project","overall":"satisfied","suggestion":"'),
        Buffer.from([0xc4, 0xfe, 0xb2, 0xa8]),
        Buffer.from('","departments":[{"code":"D001","efficiency":"satisfied","quality":"satisfied"}]}\n'),
      ]),
    );
    put('bad.jsonl', '{"category":"project"}\n[]\nnot json\n');
    const example = readFileSync(EXAMPLE_CONFIG_PATH, 'utf8');
    put(
      'q-garbage.yaml',
      example.replace('slug: demo-2026', 'slug: cli-q1').replace(/questionnaire: .*/, 'questionnaire: garbage.jsonl'),
    );
    put(
      'q-dir.yaml',
      example.replace('slug: demo-2026', 'slug: cli-q2').replace(/questionnaire: .*/, 'questionnaire: /'),
    );
    put(
      'q-missing.yaml',
      example
        .replace('slug: demo-2026', 'slug: cli-q3')
        .replace(/questionnaire: .*/, 'questionnaire: no-such-file.json'),
    );
    mkdirSync(join(dir, 'a-directory.csv'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const at = (name: string) => join(dir, name);
  const slug = () => s.campaign.slug;

  /** argv → what the message must mention besides failing cleanly */
  const cases: [string, () => string[], RegExp?][] = [
    ['an unknown command', () => ['frobnicate']],
    ['an unknown option', () => ['score', '--campaign', slug(), '--bogus']],
    ['an option without its value', () => ['publish', '--campaign']],
    ['a missing --config', () => ['campaign', 'create']],
    ['a config file that does not exist', () => ['campaign', 'create', '--config', at('nope.yaml')], /nope\.yaml/],
    ['a directory as the config file', () => ['campaign', 'create', '--config', dir]],
    ['a config file of binary garbage', () => ['campaign', 'create', '--config', at('garbage.yaml')]],
    ['an empty config file', () => ['campaign', 'create', '--config', at('empty.yaml')]],
    ['a YAML alias bomb', () => ['campaign', 'create', '--config', at('bomb.yaml')]],
    ['a config nested 10,000 deep', () => ['campaign', 'create', '--config', at('deep.yaml')]],
    ['a config of wrong types', () => ['campaign', 'create', '--config', at('wrong-types.json')], /slug/],
    [
      'a questionnaire of binary garbage',
      () => ['campaign', 'create', '--config', at('q-garbage.yaml')],
      /garbage\.jsonl/,
    ],
    ['a directory as the questionnaire', () => ['campaign', 'create', '--config', at('q-dir.yaml')]],
    [
      'a questionnaire that does not exist',
      () => ['campaign', 'create', '--config', at('q-missing.yaml')],
      /no-such-file/,
    ],
    ['departments without a file', () => ['import', 'departments', '--campaign', slug()]],
    [
      'departments of an unknown campaign',
      () => ['import', 'departments', '--campaign', 'no-such-campaign', at('header.csv')],
      /no-such-campaign/,
    ],
    [
      'departments from a missing file',
      () => ['import', 'departments', '--campaign', slug(), at('nope.csv')],
      /nope\.csv/,
    ],
    [
      'departments from a directory',
      () => ['import', 'departments', '--campaign', slug(), at('a-directory.csv')],
      /a-directory\.csv/,
    ],
    ['departments from a binary .xlsx', () => ['import', 'departments', '--campaign', slug(), at('garbage.xlsx')]],
    [
      'departments from a binary .csv',
      () => ['import', 'departments', '--campaign', slug(), at('garbage.csv')],
      /既不是 UTF-8 也不是 GBK/,
    ],
    ['departments from an empty file', () => ['import', 'departments', '--campaign', slug(), at('empty.csv')]],
    ['departments from an .xls', () => ['import', 'departments', '--campaign', slug(), at('old.xls')], /xls/],
    ['departments with NUL bytes', () => ['import', 'departments', '--campaign', slug(), at('nul.csv')], /第 2 行/],
    [
      'departments with only a header',
      () => ['import', 'departments', '--campaign', slug(), at('header.csv')],
      /第 2 行/,
    ],
    [
      'departments with 50,000 columns',
      () => ['import', 'departments', '--campaign', slug(), at('wide.csv')],
      /code|代码/,
    ],
    [
      'departments with a date beyond the calendar',
      () => ['import', 'departments', '--campaign', slug(), at('dates.xlsx')],
      /第 2 行 A2/,
    ],
    ['evaluators from a directory', () => ['import', 'evaluators', '--campaign', slug(), at('a-directory.csv')]],
    ['evaluators from a binary .xlsx', () => ['import', 'evaluators', '--campaign', slug(), at('garbage.xlsx')]],
    [
      'evaluators with a bad --out name',
      () => ['import', 'evaluators', '--campaign', slug(), '--out', at('links.exe'), at('header.csv')],
    ],
    [
      'evaluators with --out in a missing folder',
      () => ['import', 'evaluators', '--campaign', slug(), '--out', at('no/such/dir/links.xlsx'), at('evaluators.csv')],
      /no\/such\/dir/,
    ],
    [
      'evaluators with --out a directory',
      () => ['import', 'evaluators', '--campaign', slug(), '--out', at('a-directory.csv'), at('evaluators.csv')],
      /a-directory\.csv/,
    ],
    [
      'responses from a missing file',
      () => ['import', 'responses', '--campaign', slug(), at('nope.jsonl')],
      /nope\.jsonl/,
    ],
    ['responses from a directory', () => ['import', 'responses', '--campaign', slug(), dir]],
    [
      'responses from binary garbage',
      () => ['import', 'responses', '--campaign', slug(), at('garbage.jsonl')],
      /第 1 行/,
    ],
    [
      'responses that are not UTF-8',
      () => ['import', 'responses', '--campaign', slug(), at('gbk.jsonl')],
      /第 1 行.*UTF-8|UTF-8.*第 1 行/,
    ],
    ['responses with bad lines', () => ['import', 'responses', '--campaign', slug(), at('bad.jsonl')], /第 2 行/],
    [
      'responses of an unknown campaign',
      () => ['import', 'responses', '--campaign', "'; drop table responses; --", at('bad.jsonl')],
    ],
    ['a user without a role', () => ['user', 'add', 'someone']],
    ['a user with an unknown role', () => ['user', 'add', '--role', 'root', 'someone']],
    ['a user with a bad name', () => ['user', 'add', '--role', 'admin', '../\u0000']],
    ['a user with a short password', () => ['user', 'add', '--role', 'admin', '--password', 'short', 'someone']],
    [
      'a liaison of an unknown department',
      () => ['user', 'add', '--role', 'liaison', '--department', 'NOPE', 'someone'],
    ],
    ['a user that exists', () => ['user', 'add', '--role', 'admin', 'admin-user']],
    ['scores of an unknown campaign', () => ['score', '--campaign', 'no-such-campaign']],
    [
      'scores exported into a missing folder',
      () => ['score', '--fast', '--campaign', slug(), '--csv', at('no/such/dir/x.csv')],
      /no\/such\/dir/,
    ],
    ['scores exported onto a directory', () => ['score', '--fast', '--campaign', slug(), '--xlsx', dir]],
    ['publishing an unknown campaign', () => ['publish', '--campaign', 'no-such-campaign']],
    ['simulating with a bad count', () => ['simulate', '--campaign', slug(), '--evaluators', '1e999']],
    ['simulating an unknown campaign', () => ['simulate', '--campaign', 'no-such-campaign', '--evaluators', '5']],
  ];

  it.each(cases)('%s: exits 2 with a message, no stack trace, nothing stored', async (_, argv, mentions) => {
    const before = await counts();
    const out: string[] = [];
    const err: string[] = [];
    const code = await runCli(
      argv(),
      commands,
      { out: (l) => out.push(l), err: (l) => err.push(l) },
      { db, clock: s.clock, config: defaultConfig() },
    );
    const message = err.join('\n');
    expect({ code, message: message.slice(0, 300) }).toMatchObject({ code: 2 });
    expect(message.trim()).not.toBe('');
    expect(message).not.toMatch(/\n\s+at .+:\d+:\d+/);
    if (mentions) expect(message).toMatch(mentions);
    expect(await counts()).toEqual(before);
  });
});
