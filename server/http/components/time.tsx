import { formatDateTime, zoneLabel } from '../../../web/lib/time.js';

/**
 * An instant in its campaign's time zone, as text. A page labels its zone once
 * (`zoneLabel(pageZone)` beside its times); a time in another zone than `pageZone` carries its own label.
 */
export function timeText(at: string, zone: string, pageZone = zone): string {
  return formatDateTime(at, zone) + (zone === pageZone ? '' : `（${zoneLabel(zone)}）`);
}

/** `timeText` in a <time> element (where markup may go: not inside an <option>). */
export function Time({ at, zone, pageZone = zone }: { at: string; zone: string; pageZone?: string }) {
  return <time datetime={at}>{timeText(at, zone, pageZone)}</time>;
}
