import { CliError, type Command } from '../cli/framework.js';
import { loadConfigFile } from '../../surveys/campaign-config.js';

export const campaignCreateCommand: Command = {
  name: 'campaign create',
  usage: 'campaign create --config FILE',
  summary: '按配置文件（JSON 或 YAML，见 surveys/campaign.example.yaml）创建评议活动',
  options: { config: { type: 'string' } },
  async run({ values, positionals }, ctx) {
    const path = values.config as string | undefined;
    if (!path || positionals.length) throw new CliError('用法：minping campaign create --config FILE');
    let loaded: { raw: unknown; dir: string };
    try {
      loaded = loadConfigFile(path);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') throw new CliError(`找不到配置文件 ${path}`);
      if (code === 'EISDIR') throw new CliError(`配置文件 ${path} 是一个目录，请给出文件名`);
      const line = (error as { linePos?: { line: number }[] }).linePos?.[0]?.line;
      throw new CliError(
        `配置文件 ${path}${line ? ` 第 ${line} 行` : ''}无法解析：${(error as Error).message.split('\n')[0]}`,
      );
    }
    const services = await ctx.services();
    const campaign = await services.campaigns.create({ raw: loaded.raw, configDir: loaded.dir, file: path }, 'cli');
    ctx.io.out(`已创建评议活动 ${campaign.slug}：${campaign.name}`);
    ctx.io.out(
      `  时间 ${campaign.opensAt} 至 ${campaign.closesAt}，${campaign.mode === 'anonymous' ? '匿名' : '实名'}评议`,
    );
    ctx.io.out(`  下一步：minping import departments --campaign ${campaign.slug} 部门.xlsx`);
  },
};
