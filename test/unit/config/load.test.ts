import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { ConfigError, loadSiteConfig, parseSiteConfig } from '../../../src/config/load.js';

function problemsOf(text: string): string[] {
  try {
    parseSiteConfig(text, 'site-config/test.yaml');
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    const e = err as ConfigError;
    expect(e.file).toBe('site-config/test.yaml');
    return e.problems.map((p) => `${p.path}: ${p.message}${p.found ? ` (found ${p.found})` : ''}`);
  }
  throw new Error('expected a ConfigError');
}

describe('site config loading', () => {
  it('fills every default for an empty mapping', () => {
    const cfg = parseSiteConfig('{}', 'minimal.yaml');
    expect(cfg.server.port).toBe(9000);
    expect(cfg.server.pathPrefix).toBe('/ocpp');
    expect(cfg.server.maxFrameBytes).toBe(65536);
    expect(cfg.upstream.mode).toBe('none');
    expect(cfg.stations).toEqual([]);
  });

  it('loads the embedded demo site', () => {
    const cfg = loadSiteConfig('site-config/demo.yaml');
    expect(cfg.stations).toHaveLength(6);
    expect(cfg.simulation?.enabled).toBe(true);
  });

  it('names the field path, the expectation and the value found for a wrong type', () => {
    const problems = problemsOf('stations:\n  - id: CP1\n    securityProfile: 0\n    evses:\n      - id: 1\n        maxCurrentA: sixteen\n');
    expect(problems).toEqual(['stations[0].evses[0].maxCurrentA: expected number, received string (found "sixteen")']);
  });

  it('names a DataTransfer route whose station is not configured', () => {
    const problems = problemsOf('stations:\n  - id: CP1\nupstream:\n  dataTransfer: [{ vendorId: com.acme, station: CP9 }]\n');
    expect(problems).toEqual(['upstream.dataTransfer[0].station: expected a station id from stations (found "CP9")']);
  });

  it('takes a charger-facing OCPP URL, and names the field of a bad one', () => {
    expect(parseSiteConfig('server: { publicUrl: "wss://hub.example.net/ocpp/" }\n', 'x.yaml').server.publicUrl).toBe('wss://hub.example.net/ocpp');
    for (const bad of ['http://hub/ocpp', 'wss://user:pw@hub/ocpp', 'ws://hub/ocpp?x=1', 'ws://']) {
      expect(problemsOf(`server: { publicUrl: "${bad}" }\n`)).toEqual([expect.stringMatching(/^server\.publicUrl: a ws:\/\/ or wss:\/\/ URL without user, password, query or fragment/)]);
    }
  });

  it('rejects unknown keys so that a typo does not silently do nothing', () => {
    const problems = problemsOf('server:\n  prot: 9000\n');
    expect(problems[0]).toMatch(/^server: Unrecognized key: "prot"/);
  });

  it('reports YAML syntax errors with their line', () => {
    const problems = problemsOf('server:\n  port: [9000\n');
    expect(problems[0]).toMatch(/^line \d+: YAML syntax/);
  });

  it('requires a password hash for security profile 1', () => {
    expect(problemsOf('stations:\n  - id: CP1\n    securityProfile: 1\n')).toEqual(['stations[0].passwordHash: expected a password hash for security profile 1']);
  });

  it('requires TLS settings for security profiles 2 and 3', () => {
    const problems = problemsOf('stations:\n  - id: CP1\n    securityProfile: 3\n');
    expect(problems).toContain('stations[0].securityProfile: expected server.tls to be set for security profile 3');
  });

  it('checks that an EVSE names an existing circuit', () => {
    const problems = problemsOf('circuits:\n  - { id: main, maxCurrentA: 63, worstCaseNonEvA: 0 }\nstations:\n  - id: CP1\n    securityProfile: 0\n    evses: [{ id: 1, circuit: mian }]\n');
    expect(problems).toEqual(['stations[0].evses[0].circuit: expected one of the circuit ids (main) (found "mian")']);
  });

  it('checks that phase rotation matches the number of phases', () => {
    const problems = problemsOf('stations:\n  - id: CP1\n    securityProfile: 0\n    evses: [{ id: 1, phases: 1, phaseRotation: [L1, L2] }]\n');
    expect(problems).toEqual(['stations[0].evses[0].phaseRotation: expected 1 phase(s) to match phases, found 2 (found ["L1","L2"])']);
  });

  it('names the file when it cannot be read', () => {
    expect(() => loadSiteConfig('site-config/no-such-file.yaml')).toThrow(/no-such-file.yaml/);
  });

  it('every shipped site config is valid', () => {
    for (const f of ['demo.yaml', 'garage.yaml', 'home-solar.yaml', 'utility-der.yaml']) {
      expect(() => parseSiteConfig(readFileSync(`site-config/${f}`, 'utf8'), f)).not.toThrow();
    }
  });
});
