import type { AppDeps } from '../context.js';
import type { Campaign } from '../campaigns/service.js';
import type { IssuedInvitation } from '../invitations/service.js';
import { createServices, type Services } from '../services.js';
import { demoResultsStep } from './last-year.js';
import { sha256 } from '../shared/ids.js';
import { EXAMPLE_CONFIG_PATH, loadConfigFile } from '../../surveys/campaign-config.js';
import { DEMO_DEPARTMENTS, DEMO_SHORT_NAMES } from '../../surveys/demo/departments.js';
import { Rng } from '../../scoring/index.js';

export interface DemoContext {
  deps: AppDeps;
  services: Services;
  campaign: Campaign;
  /** the demo's invitations with their plain tokens (only the demo ever holds them) */
  invitations: IssuedInvitation[];
  log(line: string): void;
}

/** A step run after the demo campaign, roster, invitations and admin exist. */
export type DemoStep = (ctx: DemoContext) => Promise<void>;

/** Steps run by `npm start` after the demo is set up: simulated responses, so the dashboard has data. */
export const DEMO_STEPS: DemoStep[] = [demoResultsStep];

export interface DemoOptions {
  /** defaults to DEMO_STEPS */
  steps?: DemoStep[];
  log?: (line: string) => void;
  /** evaluators to create (3,000 by default) */
  evaluators?: number;
}

export interface DemoResult {
  campaign: Campaign;
  adminPassword: string;
  links: string[];
}

/** The example's categories get evaluators in proportion to a typical roster (项目参建单位 half). */
const CATEGORY_SHARE: Record<string, number> = {
  project: 0.5,
  deputies: 0.15,
  supervisors: 0.1,
  grassroots: 0.15,
  public: 0.1,
};

const SURNAMES =
  '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏付方邹孟熊秦邱江尹薛段雷侯龙史陶贺顾毛郝龚邵万钱严戴孔汤';
const GIVEN =
  '伟芳娜敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚华建国志海燕红梅文斌晓东俊子涵浩然欣怡雪婷宇轩佳琪思远立新振华永刚春燕秋菊国庆卫东亚萍';
const DISTRICTS = ['海曙', '江北', '镇海', '北仑', '鄞州', '奉化', '余姚', '慈溪', '宁海', '象山'];
const PROJECTS = [
  '轨道交通5号线',
  '城市快速路',
  '安置房',
  '综合管廊',
  '污水处理厂扩建',
  '学校新建',
  '医院迁建',
  '智能制造产业园',
  '物流园',
  '跨江大桥',
  '港区集装箱码头',
  '老旧小区改造',
  '新材料产业基地',
  '数据中心',
];
const COMPANIES = [
  '建设集团有限公司',
  '建工集团有限公司',
  '交通工程有限公司',
  '市政工程有限公司',
  '置业有限公司',
  '电气设备有限公司',
  '智能科技有限公司',
  '港务有限公司',
  '新材料有限公司',
];
const BRANDS = ['甬城', '东海', '三江', '明州', '四明', '天一', '海港', '北仑', '宁兴', '华东', '远大', '恒信'];
const STREETS = [
  '南门',
  '月湖',
  '白云',
  '石碶',
  '东柳',
  '新碶',
  '梅墟',
  '下应',
  '钟公庙',
  '首南',
  '庄桥',
  '骆驼',
  '梅山',
  '西门',
];

function demoRoster(count: number, categories: string[]) {
  // seeded, so every demo has the same roster
  const rng = new Rng(20261231);
  const rand = () => rng.next();
  const pick = <T>(list: readonly T[] | string): T => (list as T[])[Math.floor(rand() * list.length)];
  const rows: string[][] = [['name', 'organisation', 'category', 'phone']];
  const seen = new Set<string>();
  for (const category of categories) {
    const n = Math.round(count * (CATEGORY_SHARE[category] ?? 1 / categories.length));
    for (let i = 0; i < n; ) {
      const name = pick<string>(SURNAMES) + pick<string>(GIVEN) + (rand() < 0.6 ? pick<string>(GIVEN) : '');
      const district = pick(DISTRICTS);
      const organisation =
        category === 'project'
          ? `${pick(BRANDS)}${pick(COMPANIES)}（${district}${pick(PROJECTS)}项目）`
          : category === 'deputies'
            ? pick(['市人大代表', '市政协委员', '市党代会代表'])
            : category === 'supervisors'
              ? '市特邀监督员'
              : category === 'grassroots'
                ? `${district}区${pick(STREETS)}街道`
                : rand() < 0.5
                  ? ''
                  : `${district}${pick(['个体工商户', '居民', '企业职工'])}`;
      const phone = `1${pick(['38', '39', '58', '59', '86', '88', '35', '37'])}${String(Math.floor(rand() * 1e8)).padStart(8, '0')}`;
      const key = `${name}|${organisation}|${phone}`;
      if (seen.has(key)) continue;
      seen.add(key);
      rows.push([name, organisation, category, phone]);
      i++;
    }
  }
  return rows;
}

const csv = (rows: string[][]) => new TextEncoder().encode(`${rows.map((r) => r.join(',')).join('\n')}\n`);

/**
 * On an empty database: create the demo campaign from surveys/campaign.example.yaml (its window
 * moved around "now" when the example's dates don't contain it), 100 departments in 3 groups,
 * 3,000 evaluators, an invitation each and an `admin` account; print the admin password and
 * three evaluator links. Then runs `options.steps` (DEMO_STEPS by default).
 * The admin account is created and its password printed first, on its own; everything else is one
 * transaction, so a start killed halfway leaves no half-built demo and the next start builds it.
 * Returns null when the database already has a campaign.
 */
export async function ensureDemo(deps: AppDeps, options: DemoOptions = {}): Promise<DemoResult | null> {
  const existing = await deps.db.kysely.selectFrom('campaigns').select('id').limit(1).executeTakeFirst();
  if (existing) return null;
  const log = options.log ?? ((line: string) => console.log(line));
  const started = Date.now();
  const adminPassword = await ensureDemoAdmin(createServices(deps), deps.config.publicUrl, log);
  const built = await deps.db.inOneTransaction((db) => buildDemo({ ...deps, db }, options, log));
  log('');
  log(
    `演示数据已创建（${Date.now() - started} ms）：${built.campaign.name}，${built.departments} 个部门，${built.evaluators} 名评议代表`,
  );
  log(
    adminPassword
      ? `  评议办登录：${deps.config.publicUrl}/login  用户名 admin  密码 ${adminPassword}`
      : `  评议办登录：${deps.config.publicUrl}/login  用户名 admin（密码在第一次启动时已显示）`,
  );
  log('  评议代表链接（示例）：');
  for (const link of built.links) log(`    ${link}`);
  log('  关闭演示数据：MINPING_DEMO=0');
  log('');
  return { campaign: built.campaign, adminPassword, links: built.links };
}

/** The demo's `admin`, created (and its password printed) before anything that could fail; '' if it exists. */
async function ensureDemoAdmin(services: Services, publicUrl: string, log: (line: string) => void): Promise<string> {
  if ((await services.accounts.listUsers()).some((u) => u.username === 'admin')) return '';
  const { password } = await services.accounts.addUser(
    { username: 'admin', displayName: '评议办管理员', role: 'admin' },
    'demo',
  );
  log(`评议办管理员账号已创建：${publicUrl}/login  用户名 admin  密码 ${password}`);
  return password;
}

async function buildDemo(deps: AppDeps, options: DemoOptions, log: (line: string) => void) {
  const services = createServices(deps);
  const now = deps.clock.now();

  const { raw, dir } = loadConfigFile(EXAMPLE_CONFIG_PATH);
  const config = { ...(raw as Record<string, unknown>) };
  const opens = Date.parse(String(config.opensAt));
  const closes = Date.parse(String(config.closesAt));
  if (!(opens <= now.getTime() && now.getTime() < closes)) {
    const day = 86_400_000;
    config.opensAt = new Date(now.getTime() - 30 * day).toISOString();
    config.closesAt = new Date(now.getTime() + 30 * day).toISOString();
  }
  const draft = await services.campaigns.create({ raw: config, configDir: dir }, 'demo');

  const departments: string[][] = [['code', 'name', 'group', 'short_name']];
  for (const group of draft.config.groups) {
    for (const name of DEMO_DEPARTMENTS[group.code as keyof typeof DEMO_DEPARTMENTS] ?? []) {
      departments.push([
        `D${String(departments.length).padStart(3, '0')}`,
        name,
        group.code,
        DEMO_SHORT_NAMES[name] ?? '',
      ]);
    }
  }
  await services.roster.importDepartments(
    draft,
    { bytes: csv(departments), filename: 'demo-departments.csv' },
    { actor: 'demo' },
  );
  const roster = demoRoster(
    options.evaluators ?? 3000,
    draft.config.categories.map((c) => c.code),
  );
  await services.roster.importEvaluators(
    draft,
    { bytes: csv(roster), filename: 'demo-evaluators.csv' },
    { actor: 'demo' },
  );
  const invitations = await services.invitations.generate(draft, { actor: 'demo' });
  // departments, roster and links in: the office opens the campaign (草稿 → 进行中)
  const campaign = await services.campaigns.open(draft.slug, 'demo');

  const ctx: DemoContext = { deps, services, campaign, invitations, log };
  for (const step of options.steps ?? DEMO_STEPS) await step(ctx);

  // three links still unused after the steps, of different categories
  const unused = new Set(
    (
      await deps.db.kysely
        .selectFrom('invitations')
        .select('token_hash')
        .where('campaign_id', '=', campaign.id)
        .where('used', '=', 0)
        .execute()
    ).map((r) => r.token_hash),
  );
  const links: string[] = [];
  const categories = new Set<string>();
  for (const inv of invitations) {
    if (links.length === 3) break;
    if (categories.has(inv.category) || !unused.has(sha256(inv.token))) continue;
    categories.add(inv.category);
    links.push(inv.link);
  }

  return { campaign, departments: departments.length - 1, evaluators: roster.length - 1, links };
}
