import type { Kysely } from 'kysely';
import { isSettled } from '../campaigns/lifecycle.js';
import { campaignsRepository } from '../campaigns/repository.js';
import type { Campaign } from '../campaigns/service.js';
import type { Database } from '../db/schema.js';
import { sameDepartment } from '../roster/same-department.js';
import { noticesRepository, type Item } from './repository.js';

/**
 * 回头看: when the office verifies a negative report, the department's closed items of the same
 * situation kind reopen if they were closed within the last 90 days or belong to the campaign
 * before the report's (the same department across campaigns: `sameDepartment`). It happens in the
 * verifying transaction (exact, nothing to schedule, once: a report is verified once). The reopen
 * is the machine's `reopen` (a history row, reopen_count + 1, a new 15-working-day deadline) and
 * the department is told. (通报, the items still open at a reconciliation, is the ledger's
 * `forCirculation` in ledger.ts.)
 */

export const LOOKBACK_DAYS = 90;
const DAY_MS = 24 * 3600_000;

/**
 * The closed items a new verified negative of `item`'s department and kind reopens. A settled
 * campaign's items stay closed: its ledger is final (the new item on this campaign's sheet
 * registers the matter again). `campaign`'s row is already locked (the verifying transaction
 * locks it first); the other campaigns holding such items are locked next, in id order, before
 * their state and items are read, as a settlement locks its row before it reads the open items:
 * a settlement committed first is seen (its items left closed), one arriving later waits and
 * finds the reopened item.
 */
export async function itemsToReopen(
  trx: Kysely<Database>,
  campaign: Campaign,
  item: Pick<Item, 'id' | 'departmentCode' | 'departmentName' | 'kind'>,
  at: string,
): Promise<Item[]> {
  const since = new Date(new Date(at).getTime() - LOOKBACK_DAYS * DAY_MS).toISOString();
  const campaigns = campaignsRepository(trx);
  // the campaign that opened last before this one, if any
  const previous = (await campaigns.list()).find((c) => c.opensAt < campaign.opensAt)?.id ?? null;
  const closedOfKind = async () =>
    (await noticesRepository(trx).listItems({ departmentCode: item.departmentCode, states: ['closed'] })).filter(
      (closed) =>
        closed.id !== item.id &&
        closed.campaignId !== null &&
        sameDepartment(
          { code: closed.departmentCode, name: closed.departmentName },
          { code: item.departmentCode, name: item.departmentName },
        ) &&
        closed.source === 'negative' &&
        closed.kind === item.kind &&
        ((closed.closedAt !== null && closed.closedAt >= since) || closed.campaignId === previous),
    );
  const others = [...new Set((await closedOfKind()).map((closed) => closed.campaignId as string))]
    .filter((id) => id !== campaign.id)
    .sort();
  const open = new Set([campaign.id]);
  for (const id of others) {
    await campaigns.lock(id);
    const other = await campaigns.findById(id);
    if (other && !isSettled(other)) open.add(id);
  }
  // read again under the locks: an item reopened or a campaign settled meanwhile is left alone
  return (await closedOfKind()).filter((closed) => open.has(closed.campaignId as string));
}

/** The reason the reopened item's history gives. */
export function reopenReason(campaign: Campaign, newItem: Pick<Item, 'number' | 'title'>, sameCampaign: boolean) {
  return sameCampaign
    ? `回头看：销号后 ${LOOKBACK_DAYS} 日内再次被反映同类问题（${newItem.number}「${newItem.title}」）`
    : `回头看：${campaign.name}中再次被反映同类问题（${newItem.number}「${newItem.title}」）`;
}
