import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AnsweringIds } from '../../../src/ocpp/answering-ids.js';

describe('AnsweringIds', () => {
  it('behaves as a Set of strings over any sequence of adds and deletes', () => {
    const op = fc.record({ add: fc.boolean(), id: fc.constantFrom('a', 'b', 'c', 'd', '') });
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), fc.constantFrom('a', 'b', 'c', 'd', '', 'x'), (ops, probe) => {
        const ids = new AnsweringIds();
        const model = new Set<string>();
        for (const { add, id } of ops) {
          if (add) {
            ids.add(id);
            model.add(id);
          } else {
            expect(ids.delete(id)).toBe(model.delete(id));
          }
          expect(ids.size).toBe(model.size);
          for (const m of model) expect(ids.has(m)).toBe(true);
        }
        expect(ids.has(probe)).toBe(model.has(probe));
      }),
    );
  });

  it('keeps a second id while the first is answered, and the first after the second is done', () => {
    const ids = new AnsweringIds();
    ids.add('1');
    ids.add('2');
    expect(ids.delete('2')).toBe(true);
    expect(ids.has('1')).toBe(true);
    expect(ids.size).toBe(1);
    ids.add('3');
    expect(ids.delete('1')).toBe(true);
    expect([ids.has('1'), ids.has('3'), ids.size]).toEqual([false, true, 1]);
  });
});
