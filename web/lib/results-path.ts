/**
 * Where the dashboard reads a result: a published snapshot, or the live figures (`quick`: the
 * point figures without the bootstrap's intervals, which take seconds longer). The page preloads
 * the first read with this same URL, so the request starts before the scripts arrive.
 */
export const resultsApiPath = (slug: string, snapshotId: string | undefined, options: { quick?: boolean } = {}) =>
  snapshotId
    ? `/api/snapshots/${snapshotId}`
    : `/api/campaigns/${encodeURIComponent(slug)}/results${options.quick ? '?uncertainty=0' : ''}`;
