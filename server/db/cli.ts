import { assertWritable, CliError, type Command } from '../cli/framework.js';
import { databaseOptions } from '../config.js';
import { BackupError, backup, restore, type TableCounts } from './backup.js';
import { LockBusyError } from './server-lock.js';

const countsLine = (counts: TableCounts) =>
  Object.entries(counts)
    .map(([table, n]) => `${table} ${n}`)
    .join('，');

/** BackupError and LockBusyError are the user's to fix: one line, exit 2. */
async function userErrors<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof BackupError || error instanceof LockBusyError) throw new CliError(error.message);
    throw error;
  }
}

export const backupCommand: Command = {
  name: 'backup',
  usage: 'backup --out FILE',
  summary: '在线备份数据库（服务器可以继续运行）：SQLite 为一个数据库文件，PostgreSQL 为 gzip 的 JSON 行导出',
  options: { out: { type: 'string' } },
  async run({ values }, ctx) {
    const out = values.out as string | undefined;
    if (!out) throw new CliError('用法：minping backup --out FILE');
    assertWritable(out, '--out');
    const { db } = await ctx.deps();
    const started = Date.now();
    const counts = await userErrors(() => backup(db, out));
    ctx.io.out(`已备份到 ${out}（${Date.now() - started} ms）：${countsLine(counts)}`);
  },
};

export const restoreCommand: Command = {
  name: 'restore',
  usage: 'restore FILE',
  summary: '用备份替换数据库：须先停止所有服务器；检查完整性，清除旧的 -wal/-shm，报告各表行数',
  async run({ positionals }, ctx) {
    const [file, ...extra] = positionals;
    if (!file || extra.length) throw new CliError('用法：minping restore FILE');
    const config = ctx.config();
    const started = Date.now();
    const counts = await userErrors(() =>
      restore({ databaseUrl: config.databaseUrl, ...databaseOptions(config) }, file),
    );
    ctx.io.out(`已从 ${file} 恢复（${Date.now() - started} ms，完整性检查通过）：${countsLine(counts)}`);
  },
};
