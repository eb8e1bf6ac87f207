import { type Compilable, type CompiledQuery, createQueryId, type Kysely, type QueryResult } from 'kysely';
import type { Database } from './schema.js';

/** What stands for the i-th value while a statement is built: no real value starts with a NUL. */
const SLOT = '\u0000minping-slot:';

/** A statement's compiled form, where every parameter that was a slot says which value it takes. */
interface Shape {
  compiled: CompiledQuery;
  /** per parameter: the index of the value it takes, or -1 for a constant of the statement */
  slots: number[];
}
/** Compiled statements per dialect (its adapter object: the same for a database and its transactions). */
const shapesByAdapter = new WeakMap<object, Map<string, Shape>>();

/**
 * A statement of the hot paths (a submission, a draft save) built and compiled by Kysely once per
 * dialect, then run with new values: building and compiling it costs more than SQLite running it.
 * `build` must put each value into the statement as a parameter (a `where`, a `set`, an
 * inserted row's field; never an identifier, a list's length or an `is null`), and make the same
 * statement whatever the values; a database with Kysely plugins is compiled on every call.
 */
export function compiledOnce<V extends readonly unknown[], R>(
  name: string,
  build: (db: Kysely<Database>, ...values: V) => Compilable<R>,
): (db: Kysely<Database>, ...values: V) => Promise<QueryResult<R>> {
  return async (db, ...values) => {
    const executor = db.getExecutor();
    if (executor.plugins.length > 0) return db.executeQuery(build(db, ...values));
    let byName = shapesByAdapter.get(executor.adapter);
    if (!byName) {
      byName = new Map();
      shapesByAdapter.set(executor.adapter, byName);
    }
    let shape = byName.get(name);
    if (!shape) {
      const slotted = values.map((_, i) => `${SLOT}${i}`) as unknown as V;
      const compiled = build(db, ...slotted).compile();
      const slots = compiled.parameters.map((p) =>
        typeof p === 'string' && p.startsWith(SLOT) ? Number(p.slice(SLOT.length)) : -1,
      );
      if (new Set(slots.filter((s) => s >= 0)).size !== values.length) {
        throw new Error(`compiledOnce(${name}): every value must be a parameter of the statement`);
      }
      shape = { compiled, slots };
      byName.set(name, shape);
    }
    const { compiled, slots } = shape;
    const parameters = compiled.parameters.map((p, i) => {
      const slot = slots[i]!;
      return slot < 0 ? p : (values[slot] ?? null);
    });
    return db.executeQuery<R>({ query: compiled.query, sql: compiled.sql, parameters, queryId: createQueryId() });
  };
}
