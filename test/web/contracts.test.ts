/** server/contracts.ts describes the wire and nothing else: the browser bundles take no server code through it. */
import { readFileSync } from 'node:fs';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

describe('the wire contracts', () => {
  it('hold only types: interfaces, type aliases and type-only imports and re-exports', () => {
    const path = 'server/contracts.ts';
    const source = ts.createSourceFile(path, readFileSync(path, 'utf8'), ts.ScriptTarget.Latest);
    const values = source.statements.filter(
      (s) =>
        !ts.isInterfaceDeclaration(s) &&
        !ts.isTypeAliasDeclaration(s) &&
        !(ts.isImportDeclaration(s) && s.importClause?.isTypeOnly) &&
        !(ts.isExportDeclaration(s) && s.isTypeOnly),
    );
    expect(values.map((s) => s.getText(source))).toEqual([]);
  });
});
