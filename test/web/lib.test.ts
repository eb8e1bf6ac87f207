/**
 * The browser scripts' shared modules that need no DOM, run in Node: figures, CSV text, times in
 * a campaign's zone, and the API client against real HTTP servers.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Db } from '../../server/db/connect.js';
import { ApiError, apiClient } from '../../web/lib/api.js';
import {
  formatChange,
  formatInterval,
  formatNumber,
  formatRankChange,
  formatRate,
  formatShare,
  bottomProbabilityPhrase,
  formatBottomProbability,
  tooFewForBottomNote,
} from '../../web/lib/format.js';
import { csvText } from '../../web/lib/table.js';
import { dayInZone, formatTimeOfDay, zoneLabel } from '../../web/lib/time.js';
import { listen } from '../helpers/browser.js';
import { sqliteDb } from '../helpers/db.js';
import { createInvitation, surveySetup, webAnswers } from '../evaluator/helpers.js';

describe('figures', () => {
  it('show a dash for a missing figure and fixed decimals otherwise', () => {
    expect([formatNumber(null), formatNumber(undefined), formatNumber(Number.NaN)]).toEqual(['—', '—', '—']);
    expect(formatNumber(83.456)).toBe('83.46');
    expect(formatNumber(83.456, 1)).toBe('83.5');
  });

  it('show shares (0–1) and rates (already in percent) as percentages', () => {
    expect(formatShare(0.1234)).toBe('12.3%');
    expect(formatShare(0.5, 0)).toBe('50%');
    // one tick among 736 evaluators is not none: the heat map's cell says <1%, not 0%
    expect(formatShare(1 / 736, 0)).toBe('<1%');
    expect(formatShare(1 / 5000)).toBe('<0.1%');
    expect(formatShare(0.004, 0)).toBe('<1%');
    expect(formatShare(0.005, 0)).toBe('1%');
    expect(formatShare(0, 0)).toBe('0%');
    expect(formatRate(85.26)).toBe('85.3%');
    expect([formatShare(null), formatRate(null)]).toEqual(['—', '—']);
  });

  it('show no 末位概率 for a group no larger than the last places, and never a certain 0% or 100%', () => {
    // two or three departments ranked: each is always among the last three, which says nothing
    expect([formatBottomProbability(1, 2, 3), formatBottomProbability(1, 3, 3)]).toEqual(['不计算', '不计算']);
    expect(tooFewForBottomNote(2, 3)).toBe(
      '本组只有 2 个部门参与排名，不多于后 3 名的名额，每个部门都必然在后 3 名之内：不计算末位概率。',
    );
    // counted over bootstrap samples: all or none of them is not a certainty
    expect([1, 0.996, 0.99, 0.853, 0.0104, 0.004, 0].map((p) => formatBottomProbability(p, 4, 3))).toEqual([
      '>99%',
      '>99%',
      '99%',
      '85%',
      '1%',
      '<1%',
      '<1%',
    ]);
    expect(formatBottomProbability(null, 4, 3)).toBe('—');
    expect([bottomProbabilityPhrase(1), bottomProbabilityPhrase(0.853), bottomProbabilityPhrase(0)]).toEqual([
      '超过 99%',
      '为 85%',
      '不到 1%',
    ]);
  });

  it('show intervals, signed changes and moves in rank', () => {
    expect(formatInterval([80.123, 86.4])).toBe('80.12–86.40');
    expect(formatInterval([2, 5], 0)).toBe('2–5');
    expect(formatInterval(null)).toBe('—');
    expect([formatChange(1.254), formatChange(-0.5), formatChange(0)]).toEqual(['+1.25', '-0.50', '0.00']);
    expect([formatRankChange(2), formatRankChange(-1), formatRankChange(0), formatRankChange(null)]).toEqual([
      '↑2',
      '↓1',
      '—',
      '—',
    ]);
  });
});

describe('CSV text for Excel', () => {
  it('starts with a BOM, ends rows with CRLF and quotes commas, quotes and line breaks', () => {
    const text = csvText(
      ['部门', '得分'],
      [
        ['市财政局, 二处', 85.5],
        ['说 "好"', null],
        ['两\n行', 0],
      ],
    );
    expect(text).toBe('\ufeff部门,得分\r\n"市财政局, 二处",85.5\r\n"说 ""好""",\r\n"两\n行",0\r\n');
  });

  it('turns a text cell that a spreadsheet would run into plain text, and leaves numbers alone', () => {
    const text = csvText(
      ['名称', '变化'],
      [
        ['=HYPERLINK("http://x")', -2],
        ['-2+3+cmd|x', '+86 138-0000-0000'],
      ],
    );
    expect(text.split('\r\n').slice(1, 3)).toEqual([
      '"\'=HYPERLINK(""http://x"")",-2',
      "'-2+3+cmd|x,+86 138-0000-0000",
    ]);
  });
});

describe('times in a campaign zone', () => {
  it('shows the clock time and the calendar day in the zone, whatever the machine zone', () => {
    expect(formatTimeOfDay('2026-12-02T02:56:00Z', 'Asia/Shanghai')).toBe('10:56');
    expect(formatTimeOfDay('2026-12-02T02:56:00Z', 'UTC')).toBe('02:56');
    expect(dayInZone('2026-11-23T17:30:00Z', 'Asia/Shanghai')).toBe('2026-11-24');
  });

  it('labels China’s zone as Beijing time and any other by its name', () => {
    expect(zoneLabel('Asia/Shanghai')).toBe('北京时间');
    expect(zoneLabel('Asia/Shanghai', 'en')).toBe('Beijing time');
    expect(zoneLabel('Europe/Berlin')).toBe('时区 Europe/Berlin');
  });

  it('labels the other zones of the campaign form by the office’s names, as the 时区 list does', () => {
    expect(
      ['Asia/Urumqi', 'Asia/Hong_Kong', 'Asia/Macau', 'Asia/Taipei', 'Asia/Chongqing'].map((z) => zoneLabel(z)),
    ).toEqual(['乌鲁木齐时间', '香港时间', '澳门时间', '台北时间', '北京时间']);
    expect(zoneLabel('Asia/Urumqi', 'en')).toBe('Urumqi time');
  });
});

describe('the API client', () => {
  let db: Db;
  let server: { url: string; close(): Promise<void> };
  let token: string;
  beforeEach(async () => {
    db = await sqliteDb();
    const s = await surveySetup(db);
    ({ token } = await createInvitation(db, s.campaign));
    server = await listen(s.app.fetch);
  });
  afterEach(async () => {
    await server.close();
    await db.close();
  });

  const failure = (promise: Promise<unknown>) =>
    promise.then(
      () => expect.fail('the request should have failed'),
      (error: unknown) => error as ApiError,
    );

  it('throws the error envelope as an ApiError with its status, code, message and details', async () => {
    const api = apiClient();
    const unknown = await failure(api.json(`${server.url}/api/s/${'x'.repeat(40)}`));
    expect(unknown).toBeInstanceOf(ApiError);
    expect(unknown).toMatchObject({ status: 404, code: 'NOT_FOUND', retryable: false });
    expect(unknown.message).toContain('链接无效');

    const invalid = await failure(
      api.json(`${server.url}/api/s/${token}/submit`, { body: { answers: { category: 'nobody' } } }),
    );
    expect(invalid).toMatchObject({ status: 422, code: 'VALIDATION_FAILED' });
    expect(invalid.details.length).toBeGreaterThan(0);
    // the place as the evaluator answered it (`field`) beside the answer's path
    expect(invalid.details[0]).toEqual({
      path: expect.any(String),
      field: expect.any(String),
      message: expect.any(String),
    });
  });

  it('passes the Idempotency-Key through, so a retried submission gets the first receipt back', async () => {
    const api = apiClient();
    const submit = () =>
      api.request(`${server.url}/api/s/${token}/submit`, {
        body: { answers: webAnswers(), elapsedSeconds: 300 },
        idempotencyKey: 'retry-key-0001',
      });
    const first = await submit();
    const again = await submit();
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(await again.json()).toEqual(await first.json());
  });

  it('tells its page when the session has ended (401) before throwing', async () => {
    let told = 0;
    const api = apiClient({ onUnauthorized: () => told++ });
    const refused = await failure(api.json(`${server.url}/api/campaigns`));
    expect(refused).toMatchObject({ status: 401, code: 'UNAUTHORIZED' });
    expect(told).toBe(1);
  });
});

describe('the API client against other answers', () => {
  it('sends the CSRF token and JSON on a POST, and neither on a GET', async () => {
    const echo = await listen((req) =>
      Response.json({
        method: req.method,
        csrf: req.headers.get('x-csrf-token'),
        type: req.headers.get('content-type'),
        accept: req.headers.get('accept'),
      }),
    );
    try {
      const api = apiClient({ csrfToken: 'token-1' });
      expect(await api.json(echo.url)).toEqual({ method: 'GET', csrf: null, type: null, accept: 'application/json' });
      expect(await api.json(echo.url, { body: { a: 1 } })).toEqual({
        method: 'POST',
        csrf: 'token-1',
        type: 'application/json',
        accept: 'application/json',
      });
    } finally {
      await echo.close();
    }
  });

  it('names the status of an answer without the envelope (a proxy page), and a lost connection, as retryable', async () => {
    const proxy = await listen(() => new Response('<h1>Bad Gateway</h1>', { status: 502 }));
    const url = proxy.url;
    try {
      const bad = await apiClient()
        .json(url)
        .catch((e: ApiError) => e);
      expect(bad).toMatchObject({ status: 502, code: 'HTTP_ERROR', message: '请求失败（502）', retryable: true });
    } finally {
      await proxy.close();
    }
    const lost = await apiClient()
      .json(url)
      .catch((e: ApiError) => e);
    expect(lost).toMatchObject({ status: 0, code: 'NETWORK_ERROR', retryable: true });
  });
});
