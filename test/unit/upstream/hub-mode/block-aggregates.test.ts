import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { aggregateFirmwareStatus } from '../../../../src/upstream/hub-mode/blocks/firmware.js';
import { aggregateLogStatus } from '../../../../src/upstream/hub-mode/blocks/logs.js';
import { ReportStream } from '../../../../src/upstream/hub-mode/blocks/report-stream.js';
import { certificateHashData } from '../../../../src/upstream/hub-mode/blocks/cert-hash.js';

describe('roll-out status of several chargers', () => {
  it('is the least advanced charger while any is unfinished, counting a silent one as scheduled', () => {
    expect(aggregateFirmwareStatus(['Installing', 'Downloaded'])).toBe('Downloaded');
    expect(aggregateFirmwareStatus(['Installed', undefined])).toBe('DownloadScheduled');
    expect(aggregateFirmwareStatus(['Installed', 'DownloadFailed', 'Downloading'])).toBe('Downloading');
  });

  it('is Installed only when every charger installed, else the first failure once all finished', () => {
    expect(aggregateFirmwareStatus(['Installed', 'Installed'])).toBe('Installed');
    expect(aggregateFirmwareStatus(['Installed', 'InvalidSignature', 'DownloadFailed'])).toBe('InvalidSignature');
  });

  it('never reports Installed while a charger has not installed', () => {
    const status = fc.constantFrom(undefined, 'Downloading', 'Downloaded', 'Installing', 'Installed', 'DownloadFailed', 'InstallationFailed');
    fc.assert(
      fc.property(fc.array(status, { minLength: 1, maxLength: 8 }), (statuses) => {
        if (aggregateFirmwareStatus(statuses) === 'Installed') expect(statuses.every((s) => s === 'Installed')).toBe(true);
      }),
    );
  });
});

describe('log upload status of several chargers', () => {
  it('says Uploading once one started, Uploaded when all uploaded, the failure when one failed', () => {
    expect(aggregateLogStatus([undefined, undefined])).toBeUndefined();
    expect(aggregateLogStatus(['Uploading', undefined])).toBe('Uploading');
    expect(aggregateLogStatus(['Uploaded', 'Uploading'])).toBe('Uploading');
    expect(aggregateLogStatus(['Uploaded', 'Uploaded'])).toBe('Uploaded');
    expect(aggregateLogStatus(['Uploaded', 'UploadFailure'])).toBe('UploadFailure');
  });
});

describe('one report made of several chargers’ reports', () => {
  it('numbers messages in arrival order and ends with exactly one tbc=false, the last charger’s last message', () => {
    const part = fc.record({ station: fc.constantFrom('A', 'B', 'C'), last: fc.boolean() });
    fc.assert(
      fc.property(fc.array(part, { maxLength: 30 }), fc.boolean(), (parts, own) => {
        const stream = new ReportStream(1, ['A', 'B', 'C']);
        const out: { seqNo: number; tbc: boolean }[] = [];
        if (own) out.push(stream.own());
        for (const p of parts) {
          const step = stream.next(p.station, !p.last);
          if (step) out.push(step);
        }
        for (const s of ['A', 'B', 'C']) if (stream.has(s)) out.push(stream.next(s, false) ?? { seqNo: -1, tbc: true });
        expect(out.map((o) => o.seqNo)).toEqual(out.map((_, i) => i));
        expect(out.filter((o) => !o.tbc)).toHaveLength(1);
        expect(out[out.length - 1]?.tbc).toBe(false);
        expect(stream.done).toBe(true);
      }),
    );
  });

  it('ignores a charger that is not a participant and one that dropped out', () => {
    const stream = new ReportStream(1, ['A', 'B']);
    expect(stream.next('Z', false)).toBeUndefined();
    stream.drop('B');
    expect(stream.next('B', false)).toBeUndefined();
    expect(stream.next('A', false)).toEqual({ seqNo: 0, tbc: false });
  });
});

describe('certificate hash data', () => {
  it('refuses what is not a PEM certificate', () => {
    expect(() => certificateHashData('nope')).toThrow();
  });
});
