/**
 * inputsHash: sha256 (hex) of a canonical serialisation of what the computation reads, so equal
 * hashes mean equal results, and input order does not matter.
 *
 * The serialisation (format "minping-scoring-v2"), fed to sha256 in this order:
 *   1. 'minping-scoring-v2\n'
 *   2. the method as JSON with object keys sorted (its arrays keep their order: levels, items,
 *      categories and grades are ordered configuration), then '\n';
 *   3. the departments sorted by code as JSON [[code, name, group], …], then '\n';
 *   4. the responses sorted by id as JSON [[id, networkKey|null, submittedAt|null], …], then '\n';
 *   5. the compiled answer arrays (see compile.ts), each as '<name>:<length>\n' followed by its
 *      little-endian bytes: respCategory, durationKnown (u8), duration (f64, 0 when unknown),
 *      entStart, entDept, ansStart, ansItem, ansLevel, probStart, probValue, negStart, negKind,
 *      negVerified (u8). Indices refer to the sorted method/departments/responses above; a
 *      response's departments are ordered by code, its problems ascending without duplicates, its
 *      negatives by (kind, verified).
 * The compiled form is used because it is canonical already and hashing it is ~10× cheaper than
 * writing 400k ratings out as text.
 */
import { createHash, type Hash } from 'node:crypto';
import { compile, type Compiled } from './compile.js';
import type { DepartmentInfo, Method, ResponseRecord } from './types.js';

export const HASH_FORMAT = 'minping-scoring-v2';

/** JSON with object keys sorted; undefined members omitted; non-finite numbers as strings. */
export function canonicalJson(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'number') return Number.isFinite(value) ? JSON.stringify(value) : JSON.stringify(String(value));
  if (typeof value === 'string' || typeof value === 'boolean') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    const keys = Object.keys(obj)
      .filter((k) => obj[k] !== undefined)
      .sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(',')}}`;
  }
  throw new TypeError(`cannot serialise a ${typeof value}`);
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function updateArray(h: Hash, name: string, a: Int32Array | Uint8Array | Float64Array): void {
  h.update(`${name}:${a.length}\n`);
  let bytes = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  if (!LITTLE_ENDIAN && a.BYTES_PER_ELEMENT > 1) {
    const n = a.BYTES_PER_ELEMENT;
    const swapped = new Uint8Array(bytes.length);
    for (let i = 0; i < bytes.length; i += n) for (let j = 0; j < n; j++) swapped[i + j] = bytes[i + n - 1 - j];
    bytes = swapped;
  }
  h.update(bytes);
}

/** Hash of already compiled inputs (what computeResults uses: the inputs are compiled once). */
export function hashCompiled(cx: Compiled): string {
  const h = createHash('sha256');
  h.update(`${HASH_FORMAT}\n`);
  h.update(canonicalJson(cx.method));
  h.update('\n');
  h.update(JSON.stringify(cx.departments.map((d) => [d.code, d.name, d.group])));
  h.update('\n');
  h.update(JSON.stringify(cx.ids.map((id, r) => [id, cx.networkKeys[r], cx.submittedAt[r]])));
  h.update('\n');
  const known = new Uint8Array(cx.N);
  const duration = new Float64Array(cx.N);
  for (let r = 0; r < cx.N; r++) {
    const v = cx.duration[r];
    if (!Number.isNaN(v)) {
      known[r] = 1;
      duration[r] = v === 0 ? 0 : v; // no -0
    }
  }
  updateArray(h, 'respCategory', cx.respCategory);
  updateArray(h, 'durationKnown', known);
  updateArray(h, 'duration', duration);
  updateArray(h, 'entStart', cx.entStart);
  updateArray(h, 'entDept', cx.entDept);
  updateArray(h, 'ansStart', cx.ansStart);
  updateArray(h, 'ansItem', cx.ansItem);
  updateArray(h, 'ansLevel', cx.ansLevel);
  updateArray(h, 'probStart', cx.probStart);
  updateArray(h, 'probValue', cx.probValue);
  updateArray(h, 'negStart', cx.negStart);
  updateArray(h, 'negKind', cx.negKind);
  updateArray(h, 'negVerified', cx.negVerified);
  return h.digest('hex');
}

/** sha256 hex of the canonical inputs; validates them like computeResults (throws ScoringInputError). */
export function inputsHash(method: Method, departments: DepartmentInfo[], responses: Iterable<ResponseRecord>): string {
  return hashCompiled(compile(method, departments, responses));
}
