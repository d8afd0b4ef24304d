import type { CircuitNode } from './site-model.js';

/** No site imports more than this, W (10 MW): the bound when the config names no grid connection. */
export const MAX_SITE_IMPORT_W = 10_000_000;

export interface SiteCapacity {
  /** The most the site can import, W. */
  powerW: number;
  /** How it was derived, for a refusal's reason. */
  basis: string;
}

/**
 * The site's import capacity from its grid connection: each root circuit's power limit, else its
 * phase currents at the nominal voltage (maxCurrentA x voltageV x phases), summed over roots and
 * capped at MAX_SITE_IMPORT_W. An implicit root (no circuits configured) gives the cap. Pure.
 */
export function siteImportCapacity(circuits: readonly CircuitNode[], voltageV: number, implicitRoot = false): SiteCapacity {
  const roots = circuits.filter((c) => c.parentId === undefined);
  if (implicitRoot || roots.length === 0) return { powerW: MAX_SITE_IMPORT_W, basis: 'no circuits configured' };
  let powerW = 0;
  const parts: string[] = [];
  for (const root of roots) {
    const byCurrentW = (root.maxCurrentA.L1 + root.maxCurrentA.L2 + root.maxCurrentA.L3) * voltageV;
    const rootW = root.maxPowerW !== undefined ? Math.min(root.maxPowerW, byCurrentW) : byCurrentW;
    powerW += rootW;
    parts.push(
      root.maxPowerW !== undefined && root.maxPowerW <= byCurrentW
        ? `circuit ${root.id} maxPowerW ${root.maxPowerW}`
        : `circuit ${root.id} ${root.maxCurrentA.L1}/${root.maxCurrentA.L2}/${root.maxCurrentA.L3} A x ${voltageV} V`,
    );
  }
  return { powerW: Math.min(MAX_SITE_IMPORT_W, Math.round(powerW)), basis: parts.join(' + ') };
}
