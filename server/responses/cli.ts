import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { assertWritable, CliError, readFailure, writeOutput, type Command } from '../cli/framework.js';
import { rawDataXlsx } from './export.js';
import { decodeJsonl } from './service.js';

export const importResponsesCommand: Command = {
  name: 'import responses',
  usage: 'import responses --campaign SLUG [--dry-run] FILE.jsonl',
  summary: '导入在别处收集的答卷（规范格式，每行一个 JSON）；与网上提交同样校验，有一处错误则整个文件不导入',
  options: { campaign: { type: 'string' }, 'dry-run': { type: 'boolean' } },
  async run({ values, positionals }, ctx) {
    const slug = values.campaign as string | undefined;
    const [file, ...extra] = positionals;
    if (!slug || !file || extra.length) throw new CliError('用法：minping import responses --campaign SLUG FILE.jsonl');
    let bytes: Uint8Array;
    try {
      bytes = await readFile(file);
    } catch (error) {
      throw new CliError(`无法读取文件 ${file}：${readFailure(error)}`);
    }
    const text = decodeJsonl(bytes);
    const services = await ctx.services();
    const campaign = await services.campaigns.getBySlug(slug);
    const result = await services.responses.importJsonl(campaign, text, {
      fileName: basename(file),
      dryRun: !!values['dry-run'],
      actor: 'cli',
    });
    ctx.io.out(
      result.dryRun
        ? `检查通过：${result.valid} 份答卷可以导入到 ${campaign.name}（${campaign.slug}），未写入`
        : `已导入 ${result.stored} 份答卷到 ${campaign.name}（${campaign.slug}）`,
    );
  },
};

export const exportResponsesCommand: Command = {
  name: 'export responses',
  usage: 'export responses --campaign SLUG --out FILE.xlsx',
  summary: '导出原始数据（.xlsx）：每份答卷和每个部门评价，含问卷版本和自定义问题的回答；不含姓名、链接和时间',
  options: { campaign: { type: 'string' }, out: { type: 'string' } },
  async run({ values, positionals }, ctx) {
    const slug = values.campaign as string | undefined;
    const out = values.out as string | undefined;
    if (!slug || !out || positionals.length)
      throw new CliError('用法：minping export responses --campaign SLUG --out FILE.xlsx');
    if (!out.toLowerCase().endsWith('.xlsx')) throw new CliError('--out 的文件应以 .xlsx 结尾');
    assertWritable(out, '--out');
    const services = await ctx.services();
    const campaign = await services.campaigns.getBySlug(slug);
    const data = await services.responses.rawData(campaign);
    await writeOutput(out, await rawDataXlsx(data), '--out');
    ctx.io.out(`已导出 ${data.records.length} 份答卷的原始数据到 ${out}`);
  },
};
