/** One interval of a PV day, for reports. */
export interface EnergySample {
  /** Length of the interval, s. */
  dtS: number;
  /** PV production, W (magnitude: a PV meter's negative reading counts the same). */
  pvW: number;
  /** Grid power, W: import positive, export negative. */
  gridW: number;
}

export interface SelfConsumptionReport {
  pvWh: number;
  /** PV energy used on site (PV minus export, never below 0), Wh. */
  selfConsumedWh: number;
  gridImportWh: number;
  gridExportWh: number;
  /** selfConsumedWh / pvWh, in [0, 1]; 0 when there was no PV. */
  selfConsumptionShare: number;
}

/** PV self-consumption and grid exchange over a series of samples, each held for its dtS. */
export function selfConsumption(samples: readonly EnergySample[]): SelfConsumptionReport {
  let pvWh = 0;
  let selfConsumedWh = 0;
  let gridImportWh = 0;
  let gridExportWh = 0;
  for (const { dtS, pvW, gridW } of samples) {
    const hours = Math.max(0, dtS) / 3600;
    const productionW = Math.abs(pvW);
    const exportW = Math.max(0, -gridW);
    pvWh += productionW * hours;
    gridImportWh += Math.max(0, gridW) * hours;
    gridExportWh += exportW * hours;
    selfConsumedWh += Math.max(0, productionW - exportW) * hours;
  }
  const selfConsumptionShare = pvWh > 0 ? selfConsumedWh / pvWh : 0;
  return { pvWh, selfConsumedWh, gridImportWh, gridExportWh, selfConsumptionShare };
}
