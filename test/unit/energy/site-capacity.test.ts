import { describe, expect, it } from 'vitest';
import { MAX_SITE_IMPORT_W, siteImportCapacity } from '../../../src/energy/site-capacity.js';

const phases = (a: number) => ({ L1: a, L2: a, L3: a });

describe('the site import capacity', () => {
  it('is the root circuit phase currents at the nominal voltage', () => {
    expect(siteImportCapacity([{ id: 'main', maxCurrentA: phases(25) }, { id: 'row', parentId: 'main', maxCurrentA: phases(63) }], 230)).toEqual({
      powerW: 17_250,
      basis: 'circuit main 25/25/25 A x 230 V',
    });
  });

  it('takes the root power limit when it is lower, and sums several roots', () => {
    const capacity = siteImportCapacity([{ id: 'a', maxCurrentA: phases(32), maxPowerW: 11_000 }, { id: 'b', maxCurrentA: { L1: 16, L2: 0, L3: 0 } }], 230);
    expect(capacity).toEqual({ powerW: 11_000 + 3_680, basis: 'circuit a maxPowerW 11000 + circuit b 16/0/0 A x 230 V' });
  });

  it('is the 10 MW bound when no circuit is configured', () => {
    expect(siteImportCapacity([{ id: 'site', maxCurrentA: phases(1e6) }], 230, true).powerW).toBe(MAX_SITE_IMPORT_W);
  });
});
