import { describe, expect, it } from 'vitest';
import { loadOptions } from '../../src/config.js';
import { durationMs, parseDuration } from '../../src/duration.js';
import { errorOf, folderWith } from './helpers.js';

describe('durations', () => {
  it('reads 90s, 5m, 1h, ms, and a bare number as seconds', () => {
    expect(durationMs('90s')).toBe(90_000);
    expect(durationMs('5m')).toBe(300_000);
    expect(durationMs('1h')).toBe(3_600_000);
    expect(durationMs('250ms')).toBe(250);
    expect(durationMs('30')).toBe(30_000);
    expect(durationMs(' 1.5m ')).toBe(90_000);
    expect(durationMs(12)).toBe(12_000);
  });

  it('is none for anything else, zero and negatives included', () => {
    for (const text of ['', 'soon', '5 m', '5min', '1h30m', '-5s', '0', '0s', 'm']) expect(durationMs(text), text).toBeUndefined();
    expect(durationMs(0)).toBeUndefined();
    expect(durationMs(Number.NaN)).toBeUndefined();
  });

  it('is a usage error naming the flag and the accepted forms', () => {
    const err = errorOf(() => parseDuration('10x', '--lock-timeout'));
    expect(err.kind).toBe('usage');
    expect(err.message).toBe("invalid --lock-timeout '10x'");
    expect(err.hint).toBe('use a positive duration: 90s, 5m, 1h, or a bare number of seconds');
  });
});

describe('time settings in dagship.yaml and DAGSHIP_*', () => {
  it('take durations and bare seconds, read as seconds', () => {
    const root = folderWith({ 'dagship.yaml': 'check:\n  timeout: 2m\n  slow_import_seconds: 1500ms\naudit:\n  expected_heartbeat: 5\n' });
    const options = loadOptions({ root, env: {} });
    expect(options.check).toMatchObject({ timeout: 120, slow_import_seconds: 1.5 });
    expect(options.audit.expected_heartbeat).toBe(5);
    expect(loadOptions({ root, env: { DAGSHIP_CHECK_TIMEOUT: '45' } }).check.timeout).toBe(45);
    expect(loadOptions({ root, env: { DAGSHIP_CHECK_TIMEOUT: '1h' } }).check.timeout).toBe(3600);
    expect(loadOptions({ root: folderWith({}), env: {} }).check.timeout).toBe(30);
  });

  it('name the key, or the variable or flag that set it, and the accepted forms when wrong', () => {
    const fromFile = errorOf(() => loadOptions({ root: folderWith({ 'dagship.yaml': 'check:\n  timeout: soon\n' }), env: {} }));
    expect(fromFile.kind).toBe('config');
    expect(fromFile.message).toBe("dagship.yaml:2: 'check.timeout' must be a positive duration: 90s, 5m, 1h, or a bare number of seconds");
    const fromEnv = errorOf(() => loadOptions({ root: folderWith({}), env: { DAGSHIP_CHECK_TIMEOUT: '0' } }));
    expect(fromEnv.message).toMatch(/^DAGSHIP_CHECK_TIMEOUT: 'check\.timeout' must be a positive duration/);
    const fromFlag = errorOf(() => loadOptions({ root: folderWith({}), env: {}, flags: { 'check.timeout': '-3' }, flagNames: { 'check.timeout': '--timeout' } }));
    expect(fromFlag.message).toMatch(/^--timeout: 'check\.timeout' must be a positive duration/);
  });
});
