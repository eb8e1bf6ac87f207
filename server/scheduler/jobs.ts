import type { Services } from '../services.js';
import type { Job } from './scheduler.js';

/**
 * The jobs every server process schedules (server/main.ts starts them; the scheduler runs each once
 * per interval across processes).
 */
export function scheduledJobs(services: Services): Job[] {
  return [
    // unsent answers of invitations never submitted go once the campaign has closed
    {
      name: 'drafts-purge',
      intervalMs: 60 * 60_000,
      run: async () => void (await services.evaluator.purgeDraftsAfterClose()),
    },
    // the links named campaigns held for downloading again go once the campaign has closed
    {
      name: 'invitation-links-erase',
      intervalMs: 15 * 60_000,
      run: async () => void (await services.invitations.eraseAfterClose()),
    },
    // 提醒 / 催办 / 督办 of items whose deadline has come (each once per deadline, server/notices/escalation.ts)
    {
      name: 'notices-escalate',
      intervalMs: 15 * 60_000,
      run: async ({ now }) => void (await services.escalation.escalateDue(now)),
    },
    // mail in the outbox (server/outbox/service.ts); without SMTP it waits, visible to the office
    {
      name: 'outbox-send',
      intervalMs: 60_000,
      run: async () => void (await services.outbox.sendDue()),
    },
  ];
}
