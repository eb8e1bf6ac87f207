import { CliError, type Command } from '../cli/framework.js';
import { campaignTime } from '../campaigns/lifecycle.js';
import { PURGE_KEEPS, purgeLines } from './service.js';

export const purgeCommand: Command = {
  name: 'purge',
  usage: 'purge --campaign SLUG [--yes]',
  summary: '清除已截止活动的个人信息（名单、联系方式、网络地址标识、草稿、链接摘要）；不加 --yes 只列出将清除的数量',
  options: { campaign: { type: 'string' }, yes: { type: 'boolean' } },
  async run({ values, positionals }, ctx) {
    const slug = values.campaign as string | undefined;
    if (!slug || positionals.length) throw new CliError('用法：minping purge --campaign SLUG [--yes]');
    const services = await ctx.services();
    if (!values.yes) {
      const { campaign, counts, total } = await services.privacy.preview(slug);
      ctx.io.out(`评议活动 ${campaign.name}（${campaign.slug}）将清除：`);
      for (const line of purgeLines(counts)) ctx.io.out(`  ${line}`);
      ctx.io.out(PURGE_KEEPS);
      if (campaign.purgedAt) ctx.io.out(`个人信息已于 ${campaignTime(campaign, campaign.purgedAt)} 清除过一次。`);
      ctx.io.err(
        total === 0
          ? '没有需要清除的个人信息。'
          : `清除后无法恢复。确认无误请加 --yes 执行：minping purge --campaign ${campaign.slug} --yes`,
      );
      return 1;
    }
    const report = await services.privacy.purge(slug, { confirm: slug }, 'cli');
    const campaign = await services.campaigns.getBySlug(slug);
    if (report.total === 0) {
      ctx.io.out(
        `没有需要清除的个人信息${report.previouslyPurgedAt ? `（已于 ${campaignTime(campaign, report.previouslyPurgedAt)} 清除）` : ''}；已记入审计日志。`,
      );
      return;
    }
    ctx.io.out(`已清除评议活动 ${campaign.name}（${campaign.slug}）的个人信息：`);
    for (const line of purgeLines(report.counts)) ctx.io.out(`  ${line}`);
    ctx.io.out(PURGE_KEEPS);
  },
};
