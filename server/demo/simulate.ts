/**
 * Synthetic responses for demos and tests: `minping simulate`. Deterministic for a seed (no
 * Math.random, no clock in the generator), fast for 10,000 evaluators.
 *
 * The story it tells: departments differ in quality (a few clearly weak, a few strong, the rest
 * close together so intervals overlap); categories differ (service users are the strictest,
 * deputies the most lenient, the public answers 不了解 most); each weak department has its own
 * profile of work-style problems; negative situations are concentrated in a few departments and
 * part of them are verified, so deductions show; about 2% are speeders who give every department
 * the same level (excluded by screening), and a few more are only fast or only uniform (kept).
 */
import type { AppDeps } from '../context.js';
import { AppError } from '../errors.js';
import type { Actor } from '../negatives/service.js';
import { officeActor } from '../notices/service.js';
import type { Services } from '../services.js';
import { Rng } from '../../scoring/index.js';
import type { CampaignConfig } from '../../surveys/campaign-config.js';
import {
  type ExtraAnswers,
  type ExtraQuestion,
  type ExtraQuestions,
  type ExtraValue,
  NO_EXTRAS,
} from '../../surveys/extras.js';
import type { CanonicalDepartment, CanonicalNegative, CanonicalRecord } from '../contracts.js';

const DEMO_ACTOR: Actor = { ...officeActor('demo'), name: '演示' };

export interface SimulateOptions {
  evaluators: number;
  seed: number;
  /** the office's own questions of the questionnaire: the required ones are answered, as a submission must */
  extras?: ExtraQuestions;
}

export interface SimulatedDepartment {
  code: string;
  name: string;
  group: string;
}

export interface SimulatedRecord {
  record: CanonicalRecord;
  /** 0-based day within the campaign period on which it was submitted (more towards the deadline) */
  dayFraction: number;
}

export interface Simulation {
  records: SimulatedRecord[];
  /** the descriptions (each unique, with a marker) of the negative reports the office would verify */
  verifiedDescriptions: string[];
  /** the latent quality the generator gave each department (0 weak … 1 strong), for explanations */
  quality: Record<string, number>;
}

const CATEGORY_SHARES: Record<string, number> = {
  project: 0.45,
  deputies: 0.15,
  supervisors: 0.1,
  grassroots: 0.15,
  public: 0.15,
};
/** leniency by category: added to the latent score */
const CATEGORY_SHIFT: Record<string, number> = {
  project: -0.06,
  deputies: 0.08,
  supervisors: -0.02,
  grassroots: 0.03,
  public: -0.03,
};
const CATEGORY_UNKNOWN: Record<string, number> = {
  project: 0.04,
  deputies: 0.08,
  supervisors: 0.06,
  grassroots: 0.07,
  public: 0.14,
};

const MATTERS = [
  '企业开办登记',
  '施工许可审批',
  '项目环评手续',
  '不动产登记',
  '税费退还申请',
  '消防验收',
  '用地审批',
  '资金拨付',
  '人才补贴申报',
  '执法检查',
];
const DESCRIPTIONS = [
  '材料已按要求提交，窗口多次要求补充清单以外的材料，前后跑了四趟。',
  '超过承诺时限二十多个工作日仍未办结，催问后答复“还在走流程”。',
  '经办人员态度生硬，对政策问题不予解释，让我们自己去查。',
  '同一事项被两个科室互相推诿，最终没有受理。',
  '同一个月内不同部门对同一工地进行了三次内容相近的检查。',
  '承诺的扶持资金至今没有兑现，换了负责人后说情况需要重新研究。',
];

function normal(rng: Rng): number {
  // Box–Muller with a guard against log(0)
  const u = 1 - rng.next();
  const v = rng.next();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/** FNV-1a of a department code: the seed of everything that characterises the department. */
function codeHash(code: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < code.length; i++) h = Math.imul(h ^ code.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

function shuffle<T>(rng: Rng, list: T[]): T[] {
  for (let i = list.length - 1; i > 0; i--) {
    const j = rng.nextInt(i + 1);
    [list[i], list[j]] = [list[j], list[i]];
  }
  return list;
}

/** A short answer of the kind a required office question takes, valid for it (choices, range, length). */
function extraValue(rng: Rng, q: ExtraQuestion): ExtraValue {
  switch (q.kind) {
    case 'choice':
      return q.values![rng.nextInt(q.values!.length)];
    case 'choices': {
      const values = shuffle(rng, [...q.values!]);
      const fewest = Math.max(1, q.minSelected ?? 1);
      const most = Math.min(values.length, q.maxSelected ?? values.length);
      return values.slice(0, Math.min(most, fewest + rng.nextInt(Math.max(1, most - fewest + 1))));
    }
    case 'number': {
      const lo = Math.ceil(q.min ?? Math.min(0, q.max ?? 0));
      const hi = Math.floor(q.max ?? lo + 10);
      return hi >= lo ? lo + rng.nextInt(hi - lo + 1) : (q.min ?? q.max!);
    }
    case 'boolean':
      return rng.next() < 0.5;
    case 'text':
    case 'comment':
      return '模拟回答'.slice(0, Math.max(1, q.maxLength ?? 4));
  }
}

/** Answers to the required ones of `questions`, or undefined when none is required. */
function requiredExtras(rng: Rng, questions: ExtraQuestion[]): ExtraAnswers | undefined {
  const required = questions.filter((q) => q.required);
  return required.length ? Object.fromEntries(required.map((q) => [q.name, extraValue(rng, q)])) : undefined;
}

export function simulateResponses(
  config: CampaignConfig,
  departments: SimulatedDepartment[],
  options: SimulateOptions,
): Simulation {
  const rng = new Rng(options.seed);
  const D = departments.length;
  if (D === 0) return { records: [], verifiedDescriptions: [], quality: {} };
  const levels = config.scale.filter((l) => l.points !== null).sort((a, b) => (b.points ?? 0) - (a.points ?? 0));
  const unknown = config.scale.find((l) => l.points === null)?.code ?? null;
  const categories = config.categories.map((c) => c.code);
  const shares = categories.map((c) => CATEGORY_SHARES[c] ?? 1 / categories.length);
  const shareTotal = shares.reduce((a, b) => a + b, 0);
  const problems = config.problems.map((p) => p.id);
  const negatives = config.negatives.map((n) => n.id);
  const maxProblems = config.maxProblemsPerDepartment;
  const extras = options.extras ?? NO_EXTRAS;

  // departments: quality, visibility, problem and negative profiles. These come from the department
  // code, not the seed, so a department keeps its character from one campaign to the next and a
  // new seed only moves it a little (year-over-year comparisons then tell a story).
  const stable = departments.map((d) => new Rng(codeHash(d.code)));
  const order = departments.map((_, i) => i).sort((a, b) => stable[a].next() - stable[b].next() || a - b);
  const quality = new Float64Array(D);
  const visibility = new Float64Array(D);
  const negativeRate = new Float64Array(D);
  const problemProfile: number[][] = [];
  const negativeProfile: number[][] = [];
  order.forEach((d, rankIndex) => {
    const f = D === 1 ? 0.5 : rankIndex / (D - 1);
    // a few weak (bottom 8%) and strong (top 8%) departments, the middle close together
    const base = f < 0.08 ? 0.3 + 0.5 * f : f > 0.92 ? 0.78 + (f - 0.92) : 0.5 + 0.22 * f + 0.03 * normal(stable[d]);
    quality[d] = base + 0.03 * normal(rng);
    visibility[d] = 0.5 + stable[d].next();
    negativeRate[d] = f < 0.06 ? 0.08 : f < 0.15 ? 0.02 : 0.002;
  });
  for (let d = 0; d < D; d++) {
    problemProfile.push(shuffle(stable[d], [...problems]).slice(0, 3));
    negativeProfile.push(shuffle(stable[d], [...negatives]).slice(0, 2));
  }
  const visTotal = visibility.reduce((a, b) => a + b, 0);
  const meanPicked = Math.max(1, Math.min(D, Math.round(Math.min(20, Math.max(5, D * 0.2)))));

  const records: SimulatedRecord[] = [];
  const verifiedDescriptions: string[] = [];
  let serial = 0;
  for (let r = 0; r < options.evaluators; r++) {
    // category
    let u = rng.next() * shareTotal;
    let c = 0;
    while (c < categories.length - 1 && u >= shares[c]) u -= shares[c++];
    const category = categories[c];
    const kind = rng.next();
    const cheater = kind < 0.02; // speeder AND straight-liner: excluded
    const speederOnly = kind >= 0.02 && kind < 0.04;
    const uniformOnly = kind >= 0.04 && kind < 0.055;
    const leniency = 0.08 * normal(rng);

    // which departments: each with probability proportional to its visibility
    let target = Math.max(1, Math.round(meanPicked + meanPicked * 0.35 * normal(rng)));
    if (cheater) target = Math.max(target, Math.min(D, 8));
    target = Math.min(D, target, 40);
    const picked: number[] = [];
    for (let d = 0; d < D; d++) if (rng.next() < Math.min(0.98, (target * visibility[d]) / visTotal)) picked.push(d);
    if (picked.length === 0) picked.push(rng.nextInt(D));

    const uniformLevel = levels[cheater ? rng.nextInt(Math.min(2, levels.length)) : rng.nextInt(levels.length)].code;
    const depts: CanonicalDepartment[] = [];
    for (const d of picked) {
      const dep = departments[d];
      const ratings: Record<string, string> = {};
      for (const item of config.items) {
        if (cheater || uniformOnly) {
          ratings[item.code] = uniformLevel;
          continue;
        }
        const unknownP = (CATEGORY_UNKNOWN[category] ?? 0.06) / visibility[d];
        if (unknown && rng.next() < unknownP) {
          ratings[item.code] = unknown;
          continue;
        }
        const latent =
          quality[d] +
          (CATEGORY_SHIFT[category] ?? 0) +
          leniency +
          (item.code === 'quality' ? 0.02 : 0) +
          0.18 * normal(rng);
        // cut points on the latent scale, best level first
        const cuts = levels.length >= 4 ? [0.78, 0.52, 0.2] : [0.7, 0.25];
        let idx = cuts.findIndex((cut) => latent >= cut);
        if (idx === -1) idx = cuts.length;
        ratings[item.code] = levels[Math.min(idx, levels.length - 1)].code;
      }
      const named: number[] = [];
      if (!cheater && rng.next() < 0.45 * (1 - quality[d]) ** 1.5) {
        const n = 1 + rng.nextInt(maxProblems);
        for (let k = 0; k < n; k++) {
          const p =
            rng.next() < 0.75
              ? problemProfile[d][rng.nextInt(problemProfile[d].length)]
              : problems[rng.nextInt(problems.length)];
          if (!named.includes(p) && named.length < maxProblems) named.push(p);
        }
      }
      const reports: CanonicalNegative[] = [];
      if (!cheater && rng.next() < negativeRate[d]) {
        const kindId =
          rng.next() < 0.8
            ? negativeProfile[d][rng.nextInt(negativeProfile[d].length)]
            : negatives[rng.nextInt(negatives.length)];
        const marker = `〔模拟${options.seed}-${++serial}〕`;
        const description = `${DESCRIPTIONS[rng.nextInt(DESCRIPTIONS.length)]}${marker}`;
        const contactAllowed = rng.next() < 0.3;
        reports.push({
          kind: kindId,
          matter: `${MATTERS[rng.nextInt(MATTERS.length)]}（${dep.name}）`,
          date: `2026-${String(1 + rng.nextInt(10)).padStart(2, '0')}`,
          description,
          contactAllowed,
          contact: contactAllowed ? `13${String(rng.nextInt(1e9)).padStart(9, '0')}` : null,
        });
        if (rng.next() < 0.55) verifiedDescriptions.push(description);
      }
      const extra = requiredExtras(rng, extras.department);
      depts.push({
        code: dep.code,
        ratings,
        problems: named.sort((a, b) => a - b),
        negatives: reports,
        suggestion: null,
        ...(extra ? { extra } : {}),
      });
    }
    depts.sort((a, b) => (a.code < b.code ? -1 : 1));

    // completion time: about half a minute per department plus reading, log-normal spread
    const typical = 120 + 35 * depts.length;
    const fast = cheater || speederOnly;
    const duration = fast
      ? Math.round(typical * (0.08 + 0.15 * rng.next()))
      : Math.round(typical * Math.exp(0.35 * normal(rng)));
    const meanQuality = picked.reduce((s, d) => s + quality[d], 0) / picked.length;
    const overallIdx = meanQuality > 0.7 ? 0 : meanQuality > 0.5 ? 1 : meanQuality > 0.3 ? 2 : 3;
    const extra = requiredExtras(rng, extras.record);
    records.push({
      record: {
        category,
        organisation: null,
        durationSeconds: rng.next() < 0.02 ? null : duration,
        overall: levels[Math.min(overallIdx, levels.length - 1)].code,
        departments: depts,
        suggestion: null,
        ...(extra ? { extra } : {}),
      },
      // most responses arrive in the last days: cube root skews towards 1
      dayFraction: Math.cbrt(rng.next()),
    });
  }
  const q: Record<string, number> = {};
  departments.forEach((d, i) => {
    q[d.code] = Math.round(quality[i] * 1000) / 1000;
  });
  return { records, verifiedDescriptions, quality: q };
}

export interface SimulateRunResult {
  campaign: string;
  stored: number;
  negatives: number;
  verified: number;
  days: number;
}

/**
 * Generate and store synthetic responses for a campaign through the responses service (source
 * 'simulate'), spread over the campaign's days up to now, then verify the chosen negative reports
 * through the office's own decision.
 */
export async function runSimulation(
  deps: AppDeps,
  { campaigns, responses, negatives: office }: Pick<Services, 'campaigns' | 'responses' | 'negatives'>,
  slug: string,
  options: SimulateOptions,
): Promise<SimulateRunResult> {
  const campaign = await campaigns.getBySlug(slug);
  const departments = await campaigns.departments(campaign.id);
  if (departments.length === 0) throw new AppError('CONFLICT', `评议活动 ${slug} 还没有导入部门，无法生成模拟答卷`);
  const { extras } = await campaigns.departmentIndex(campaign);
  const sim = simulateResponses(campaign.config, departments, { extras, ...options });

  // submission days: from the opening day to the closing day, or to today while the campaign runs
  const day = 24 * 3600 * 1000;
  const start = Date.parse(campaign.opensAt);
  const now = deps.clock.now().getTime();
  const end = now > start && now < Date.parse(campaign.closesAt) ? now : Date.parse(campaign.closesAt);
  const span = Math.max(0, Math.floor((end - start) / day));
  const byDay = new Map<number, CanonicalRecord[]>();
  for (const { record, dayFraction } of sim.records) {
    const d = Math.min(span, Math.floor(dayFraction * (span + 1)));
    let list = byDay.get(d);
    if (!list) byDay.set(d, (list = []));
    list.push(record);
  }
  let stored = 0;
  for (const [d, records] of [...byDay.entries()].sort((a, b) => a[0] - b[0])) {
    const submittedDay = new Date(start + d * day + 12 * 3600 * 1000).toISOString().slice(0, 10);
    stored += (await responses.storeMany(campaign, records, { source: 'simulate', day: submittedDay })).stored;
  }
  const verified = await office.verifyByDescription(
    campaign,
    sim.verifiedDescriptions,
    '演示数据：经核查属实',
    DEMO_ACTOR,
  );
  const negatives = sim.records.reduce(
    (n, r) => n + r.record.departments.reduce((m, d) => m + d.negatives.length, 0),
    0,
  );
  return { campaign: slug, stored, negatives, verified, days: byDay.size };
}
