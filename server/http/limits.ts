/**
 * The largest request body anyone signed in may send: the office's imports and a department's
 * evidence files together (each file at most 10 MB, see EVIDENCE_LIMITS).
 */
export const UPLOAD_MAX_BYTES = 20 * 1024 * 1024;
