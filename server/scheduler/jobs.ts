import type { Services } from '../services.js';
import type { Job } from './scheduler.js';

/**
 * The jobs every server process schedules (server/main.ts starts them; the scheduler runs each once
 * per interval across processes). None yet: the follow-up notices add their deadlines and outbox here.
 */
export function scheduledJobs(_services: Services): Job[] {
  return [];
}
