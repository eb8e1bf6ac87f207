import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { CliError, readFailure, type Command } from '../cli/framework.js';
import { AppError } from '../errors.js';
import { parseJson } from '../shared/json.js';
import { configNotes, configWarnings, parseConfigText } from '../../surveys/campaign-config.js';
import { formatDateTime, zoneLabel } from '../../web/lib/time.js';
import { configSyntaxProblem } from './config-errors.js';
import { STATUS_LABELS } from './lifecycle.js';
import { CLONE_FIELDS, parseCloneInput, type CloneField } from './service.js';

/** A file's text, or a CliError saying why it can't be read (`what`: 配置文件, 问卷文件). */
function readText(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EISDIR') throw new CliError(`${what} ${path} 是一个目录，请给出文件名`);
    throw new CliError(code === 'ENOENT' ? `找不到${what} ${path}` : `无法读取${what} ${path}：${readFailure(error)}`);
  }
}

/** A config file (JSON or YAML) as the value the service checks. */
function readConfigFile(path: string): unknown {
  const text = readText(path, '配置文件');
  try {
    return parseConfigText(text);
  } catch (error) {
    throw new CliError(`配置文件 ${path} 无法解析：${configSyntaxProblem(error, text).message}`);
  }
}

export const campaignCreateCommand: Command = {
  name: 'campaign create',
  usage: 'campaign create --config FILE',
  summary: '按配置文件（JSON 或 YAML，见 surveys/campaign.example.yaml）创建评议活动',
  options: { config: { type: 'string' } },
  async run({ values, positionals }, ctx) {
    const path = values.config as string | undefined;
    if (!path || positionals.length) throw new CliError('用法：minping campaign create --config FILE');
    const raw = readConfigFile(path);
    const services = await ctx.services();
    const campaign = await services.campaigns.create({ raw, configDir: dirname(resolve(path)), file: path }, 'cli');
    ctx.io.out(`已创建评议活动 ${campaign.slug}：${campaign.name}`);
    ctx.io.out(
      `  时间 ${campaign.opensAt} 至 ${campaign.closesAt}，${campaign.mode === 'anonymous' ? '匿名' : '实名'}评议`,
    );
    for (const warning of configWarnings(campaign.config)) ctx.io.err(`注意：${warning}`);
    for (const note of configNotes(campaign.config)) ctx.io.out(`  说明：${note}`);
    ctx.io.out(`  状态：草稿。下一步：minping import departments --campaign ${campaign.slug} 部门.xlsx`);
    ctx.io.out(`  导入部门和评议代表后开启：minping campaign open --campaign ${campaign.slug}`);
  },
};

export const campaignEditCommand: Command = {
  name: 'campaign edit',
  usage: 'campaign edit --campaign SLUG [--file CONFIG] [--questionnaire FILE]',
  summary: '修改草稿活动：用配置文件（JSON 或 YAML）替换配置，和/或用问卷 JSON 替换问卷；开启后拒绝',
  options: { campaign: { type: 'string' }, file: { type: 'string' }, questionnaire: { type: 'string' } },
  required: { campaign: '评议活动代码' },
  async run({ values, positionals }, ctx) {
    const file = values.file as string | undefined;
    const questionnairePath = values.questionnaire as string | undefined;
    if (positionals.length || (!file && !questionnairePath)) throw new CliError(`用法：minping ${this.usage}`);
    const slug = values.campaign as string;
    const raw = file ? readConfigFile(file) : undefined;
    const questionnaire = questionnairePath ? parseJson(readText(questionnairePath, '问卷文件'), '问卷') : undefined;
    const services = await ctx.services();
    const campaign = file
      ? await services.campaigns.editConfig(
          slug,
          { raw, questionnaire, configDir: dirname(resolve(file)), file },
          'cli',
        )
      : (await services.campaigns.replaceQuestionnaire(slug, questionnaire, 'cli', questionnairePath)).campaign;
    const zone = campaign.config.timeZone;
    ctx.io.out(
      `已修改评议活动 ${campaign.slug}：${campaign.name}${file ? '（配置已替换）' : ''}${questionnairePath ? '（问卷已更换）' : ''}`,
    );
    ctx.io.out(
      `  时间 ${formatDateTime(campaign.opensAt, zone)} 至 ${formatDateTime(campaign.closesAt, zone)}（${zoneLabel(zone)}），${campaign.mode === 'anonymous' ? '匿名' : '实名'}评议，${STATUS_LABELS[services.campaigns.status(campaign)]}`,
    );
    for (const warning of configWarnings(campaign.config)) ctx.io.err(`注意：${warning}`);
    for (const note of configNotes(campaign.config)) ctx.io.out(`  说明：${note}`);
  },
};

/** The flag of each field a clone's refusal names. */
const CLONE_FLAGS: Record<CloneField, string> = {
  from: '--from',
  slug: '--slug',
  name: '--name',
  opensAt: '--opens-at',
  closesAt: '--closes-at',
  withRoster: '--with-roster',
};

/** A refusal that names a field, told by its flag: `--slug（活动代码）：评议活动 x 已存在`. */
function byFlag(error: unknown): never {
  const detail = error instanceof AppError ? error.details?.[0] : undefined;
  const field = detail?.field as CloneField | undefined;
  if (!detail || !field || !(field in CLONE_FLAGS)) throw error;
  throw new CliError(`${CLONE_FLAGS[field]}（${CLONE_FIELDS[field]}）：${detail.message}`);
}

export const campaignCloneCommand: Command = {
  name: 'campaign clone',
  usage: 'campaign clone --from SLUG --slug NEW --name NAME [--opens-at ISO --closes-at ISO] [--with-roster]',
  summary: '以已有活动为模板新建活动：复制配置、分组、部门（含代码）和联络员关联，可选复制评议代表名单（不含邀请）',
  options: {
    from: { type: 'string' },
    slug: { type: 'string' },
    name: { type: 'string' },
    'opens-at': { type: 'string' },
    'closes-at': { type: 'string' },
    'with-roster': { type: 'boolean' },
  },
  async run({ values, positionals }, ctx) {
    if (positionals.length) throw new CliError(`多余的参数：${positionals.join(' ')}\n用法：minping ${this.usage}`);
    const from = values.from as string | undefined;
    if (!from) throw new CliError(`--from（${CLONE_FIELDS.from}）：请给出作为模板的活动代码`);
    let input: ReturnType<typeof parseCloneInput>;
    try {
      input = parseCloneInput({
        slug: values.slug,
        name: values.name,
        opensAt: values['opens-at'],
        closesAt: values['closes-at'],
        withRoster: !!values['with-roster'],
      });
    } catch (error) {
      byFlag(error);
    }
    const services = await ctx.services();
    const { campaign, copied } = await services.campaigns.clone(from, input, 'cli').catch(byFlag);
    const zone = campaign.config.timeZone;
    ctx.io.out(`已以 ${from} 为模板创建评议活动 ${campaign.slug}：${campaign.name}`);
    ctx.io.out(
      `  时间 ${formatDateTime(campaign.opensAt, zone)} 至 ${formatDateTime(campaign.closesAt, zone)}（${zoneLabel(zone)}）`,
    );
    ctx.io.out(
      `  复制了 ${copied.groups} 个分组、${copied.departments} 个部门（代码不变），${copied.liaisonAccounts} 个联络员账号按部门代码继续关联`,
    );
    ctx.io.out(
      input.withRoster
        ? `  复制了 ${copied.evaluators} 名评议代表（还没有邀请链接，请在管理页面生成）`
        : `  未复制评议代表；下一步：minping import evaluators --campaign ${campaign.slug} 名单.xlsx`,
    );
  },
};

export const campaignListCommand: Command = {
  name: 'campaign list',
  usage: 'campaign list',
  summary: '列出评议活动：代码、名称、时间和状态（草稿、进行中、已截止、已发布、已结算）',
  async run(_args, ctx) {
    const services = await ctx.services();
    const campaigns = await services.campaigns.list();
    if (!campaigns.length) ctx.io.out('还没有评议活动');
    for (const campaign of campaigns) {
      const zone = campaign.config.timeZone;
      ctx.io.out(
        [
          campaign.slug,
          campaign.name,
          `${formatDateTime(campaign.opensAt, zone)} 至 ${formatDateTime(campaign.closesAt, zone)}（${zoneLabel(zone)}）`,
          STATUS_LABELS[services.campaigns.status(campaign)],
        ].join('\t'),
      );
    }
  },
};

/** `campaign open|close|pause|resume --campaign SLUG`: one lifecycle step, and the status after it. */
const lifecycleCommand = (action: 'open' | 'close' | 'pause' | 'resume', summary: string): Command => ({
  name: `campaign ${action}`,
  usage: `campaign ${action} --campaign SLUG`,
  summary,
  options: { campaign: { type: 'string' } },
  required: { campaign: '评议活动代码' },
  async run({ values }, ctx) {
    const services = await ctx.services();
    const campaign = await services.campaigns[action](values.campaign as string, 'cli');
    ctx.io.out(`${campaign.slug}：${STATUS_LABELS[services.campaigns.status(campaign)]}`);
  },
});

export const campaignLifecycleCommands: Command[] = [
  lifecycleCommand('open', '开启评议（草稿 → 进行中）；没有部门、评议代表或问卷检查未通过时拒绝并列出原因'),
  lifecycleCommand('close', '提前截止评议；往年补录（截止时间已过）的草稿活动直接截止'),
  lifecycleCommand('pause', '暂停评议：评议代表看到暂停说明，草稿保留'),
  lifecycleCommand('resume', '恢复暂停的评议'),
  {
    name: 'campaign settle',
    usage: 'campaign settle --campaign SLUG [--unverified N]',
    summary:
      '结算已发布的活动，结束本次评议的后续工作（不能撤销，不能再发布更正）：工作提示单事项全部销号或撤销后才能结算；还有未核实的负面情形反映时，用 --unverified N 确认知道这 N 条',
    options: { campaign: { type: 'string' }, unverified: { type: 'string' } },
    required: { campaign: '评议活动代码' },
    async run({ values }, ctx) {
      const typed = values.unverified as string | undefined;
      if (typed !== undefined && !/^\d{1,7}$/.test(typed))
        throw new CliError('--unverified 应为未核实的负面情形反映的条数（如 --unverified 3）');
      const services = await ctx.services();
      const slug = values.campaign as string;
      const { items, unverifiedNegatives: n } = await services.campaigns.settlement(slug);
      ctx.io.out(
        `工作提示单事项：已下发 ${items.issued}，已销号 ${items.closed}，已撤销 ${items.withdrawn}，未办结 ${items.open}`,
      );
      ctx.io.out(`未核实的负面情形反映：${n} 条`);
      if (n > 0 && typed === undefined)
        throw new CliError(
          `还有 ${n} 条负面情形反映未核实：它们不计入已发布的结果，结算后也不能再发布更正。确认知道后再运行：minping campaign settle --campaign ${slug} --unverified ${n}`,
        );
      const campaign = await services.campaigns.settle(slug, 'cli', {
        unverified: typed === undefined ? undefined : Number(typed),
      });
      ctx.io.out(`${campaign.slug}：${STATUS_LABELS[services.campaigns.status(campaign)]}`);
    },
  },
  {
    name: 'campaign extend',
    usage: 'campaign extend --campaign SLUG --closes-at ISO [--opens-at ISO]',
    summary: '修改截止时间：进行中可延长或提前（不能早于现在）；草稿还可用 --opens-at 改开始时间',
    options: { campaign: { type: 'string' }, 'closes-at': { type: 'string' }, 'opens-at': { type: 'string' } },
    required: { campaign: '评议活动代码', 'closes-at': '新的截止时间（ISO 8601，如 2026-12-31T23:59:00+08:00）' },
    async run({ values }, ctx) {
      const services = await ctx.services();
      const campaign = await services.campaigns.setDates(
        values.campaign as string,
        { opensAt: values['opens-at'], closesAt: values['closes-at'] },
        'cli',
      );
      const zone = campaign.config.timeZone;
      ctx.io.out(
        `${campaign.slug}：${formatDateTime(campaign.opensAt, zone)} 至 ${formatDateTime(campaign.closesAt, zone)}（${zoneLabel(zone)}），${STATUS_LABELS[services.campaigns.status(campaign)]}`,
      );
    },
  },
];
