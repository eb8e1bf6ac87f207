import type { Chase, Progress } from '../contracts.js';
import { importedText, pooledNote, STAGE_LABELS, submissionRate, unitLabel } from '../invitations/chase.js';
import { Table } from '../http/components/table.js';
import { withheldText } from '../../web/lib/format.js';
import { zoneLabel } from '../../web/lib/time.js';

/** Per category: the funnel and the rate of web submissions; the imported responses on a line of their own. */
export function ProgressTables({ progress }: { progress: Progress }) {
  const t = progress.totals;
  const maxDay = Math.max(1, ...progress.perDay.map((d) => d.total));
  const categories = progress.categories;
  return (
    <>
      <Table
        id="progress-categories"
        stacked
        class="numbers"
        rows={categories}
        rowAttributes={(c) => ({ 'data-category': c.code })}
        columns={[
          { head: '类别', cell: (c) => c.label },
          { head: '名单', cell: (c) => c.evaluators },
          { head: '已邀请', cell: (c) => c.invited },
          { head: '已打开', cell: (c) => c.opened },
          { head: '已存草稿', cell: (c) => c.draftSaved },
          { head: '已提交（网上）', cell: (c) => c.submitted },
          { head: '提交率', cell: (c) => submissionRate(c.submitted, c.invited) },
        ]}
        foot={[
          '合计',
          t.evaluators,
          t.invited,
          t.opened,
          t.draftSaved,
          t.submitted,
          submissionRate(t.submitted, t.invited),
        ]}
      />
      <p class="muted">
        提交率 = 网上已提交 / 已邀请。“已打开”“已存草稿”包含之后已提交的
        {progress.campaign.mode === 'named' ? '。' : '；匿名评议提交后不再保留时间，只记录已使用。'}
      </p>
      <p id="progress-imported" data-imported={String(t.imported)}>
        {importedText(progress)}
      </p>
      <h3>每日网上提交（答卷日期，{zoneLabel(progress.campaign.timeZone)}）</h3>
      <Table
        id="progress-days"
        stacked
        class="numbers"
        rows={progress.perDay}
        empty="还没有网上提交的答卷。"
        columns={[
          { head: '日期', cell: (d) => d.day },
          ...categories.map((c) => ({
            head: c.label,
            cell: (d: Progress['perDay'][number]) => d.byCategory[c.code] ?? 0,
          })),
          { head: '合计', cell: (d) => d.total },
          {
            head: '',
            cell: (d) => <span class="bar" style={`width:${Math.round((120 * d.total) / maxDay)}px`}></span>,
          },
        ]}
      />
    </>
  );
}

/** Per 单位: invited, submitted, rate; in anonymous mode per category, its small units pooled (server/invitations/chase.ts). */
export function OrganisationTable({ chase }: { chase: Chase }) {
  const hidden = withheldText(chase.minCellSize);
  const anonymous = !chase.people;
  return (
    <Table
      id="progress-organisations"
      stacked
      class="numbers"
      rows={chase.organisations}
      empty="名单中还没有评议代表。"
      rowAttributes={(u) => ({ 'data-pooled': u.pooled ? '1' : '0', 'data-category': u.category ?? '' })}
      columns={[
        ...(anonymous
          ? [{ head: '类别', cell: (u: Chase['organisations'][number]) => u.categoryLabel, text: true }]
          : []),
        { head: '单位/项目', cell: (u) => unitLabel(u), text: true },
        { head: '名单', cell: (u) => u.evaluators },
        { head: '已邀请', cell: (u) => u.invited },
        { head: '已提交', cell: (u) => u.submitted ?? hidden },
        { head: '未提交', cell: (u) => u.notSubmitted ?? hidden },
        { head: '提交率', cell: (u) => submissionRate(u.submitted, u.invited) },
      ]}
    />
  );
}

/** Named mode: who has not submitted, by unit then name, with a phone to call. */
export function ChaseList({ chase }: { chase: Chase }) {
  if (!chase.people)
    return (
      <p class="muted" id="chase-anonymous">
        {pooledNote(chase.minCellSize)}
      </p>
    );
  return (
    <Table
      id="chase-people"
      stacked
      rows={chase.people}
      empty="名单中的评议代表都已提交。"
      columns={[
        { head: '单位/项目', cell: (p) => p.organisation ?? '（未填单位）', text: true },
        { head: '姓名', cell: (p) => p.name },
        { head: '类别', cell: (p) => p.categoryLabel, text: true },
        { head: '电话', cell: (p) => (p.phone ? <a href={`tel:${p.phone}`}>{p.phone}</a> : '') },
        { head: '进度', cell: (p) => STAGE_LABELS[p.stage] },
      ]}
    />
  );
}
