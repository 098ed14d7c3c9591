import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { REPO_ROOT } from './cli.js';
import { infra } from './infra.js';
import { PREDICATE_TYPE } from '../../src/attest/index.js';
import { checkResult } from '../../src/attest/result.js';
import { statement as intoto } from '../../src/attest/statement.js';
import { judge } from '../../src/outcome.js';

/*
 * The admission policies in deploy/policies/, checked as far as offline tools allow: kubeconform against
 * the JSON schemas of the CRDs of the Kyverno and policy-controller releases they target (the API server
 * would refuse the same mistakes), their predicate type and conditions against what dagship signs, and
 * the policy-controller Rego run by OPA on passing, failing and dirty results. Not run here: either
 * admission controller (the test cluster has neither), nor Kyverno's conditions — the Kyverno CLI that
 * evaluates them takes about 19 minutes and 5 GB to build, so they run by hand
 * (test/infra/policy/by-hand/kyverno-apply.sh).
 */
const env = infra();

const KYVERNO = path.join(REPO_ROOT, 'deploy', 'policies', 'kyverno-dagship-attestation.yaml');
const KYVERNO_IVPOL = path.join(REPO_ROOT, 'deploy', 'policies', 'kyverno-imagevalidatingpolicy-dagship-attestation.yaml');
const POLICY_CONTROLLER = path.join(REPO_ROOT, 'deploy', 'policies', 'policy-controller-dagship-attestation.yaml');
const scratch = mkdtempSync(path.join(tmpdir(), 'dagship-policies-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** The parts of the policies the checks read. */
interface KyvernoClusterPolicy {
  spec: {
    failurePolicy: string;
    rules: {
      verifyImages: {
        imageReferences: string[];
        failureAction: string;
        required: boolean;
        attestations: {
          type: string;
          attestors: { entries: { keys: { publicKeys?: string; publicKey?: string; rekor: { ignoreTlog: boolean } } }[] }[];
          conditions: { all: { key: string; operator: string; value: unknown }[] }[];
        }[];
      }[];
    }[];
  };
}
interface KyvernoPolicy {
  spec: {
    failurePolicy: string;
    validationActions: string[];
    matchImageReferences: { glob: string }[];
    attestors: { name: string; cosign: { key: { data: string } } }[];
    attestations: { name: string; intoto: Record<string, string> }[];
    variables: { name: string; expression: string }[];
    validations: { expression: string }[];
  };
}
interface ControllerPolicy {
  spec: {
    mode: string;
    authorities: {
      key: { data: string };
      ctlog?: unknown;
      attestations: { name: string; predicateType?: string; predicatetype?: string; policy: { type: string; data: string } }[];
    }[];
  };
}
const load = <T>(file: string) => parse(readFileSync(file, 'utf8')) as T;

/** kubeconform -strict on one file with the CRD schemas only: an unknown kind fails, it is never skipped. */
function kubeconform(file: string) {
  const run = spawnSync(env.kubeconform, ['-strict', '-summary', '-output', 'json', '-schema-location', `${env.policySchemas}/{{ .ResourceKind }}_{{ .ResourceAPIVersion }}.json`, file], {
    encoding: 'utf8',
  });
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

/** The copy of a policy with one change, written to the scratch folder. */
function broken<T>(file: string, change: (doc: T) => void): string {
  const doc = load<T>(file);
  change(doc);
  const copy = path.join(scratch, `broken-${path.basename(file)}`);
  writeFileSync(copy, stringify(doc));
  return copy;
}

/** The in-toto statement dagship signs (built by dagship's own code), with predicate fields changed (undefined removes one). */
function statement(changes: Record<string, unknown> = {}, predicateType = PREDICATE_TYPE) {
  const passed = judge([], { root: '/repo', failOn: 'error' });
  const result = checkResult({ outcome: passed, rulesRun: ['dag-import-error'], labels: { 'org.opencontainers.image.revision': '3f2a9c1e' }, dagshipVersion: '0.1.0' });
  const predicate: Record<string, unknown> = { ...result };
  for (const [key, value] of Object.entries(changes)) {
    if (value === undefined) delete predicate[key];
    else predicate[key] = value;
  }
  return intoto('127.0.0.1:5111/team/airflow-dags', `sha256:${'a'.repeat(64)}`, predicateType, predicate);
}

/** Runs the policy's Rego as policy-controller does: `isCompliant = data.sigstore.isCompliant`, Rego v0. */
function regoAdmits(rego: string, input: object): boolean {
  const module = path.join(scratch, 'sigstore.rego');
  writeFileSync(module, rego);
  const run = spawnSync(env.opa, ['eval', '--v0-compatible', '--format', 'json', '--stdin-input', '--data', module, 'isCompliant = data.sigstore.isCompliant'], {
    input: JSON.stringify(input),
    encoding: 'utf8',
  });
  expect(run.status, run.stderr).toBe(0);
  const result = JSON.parse(run.stdout) as { result?: { bindings: { isCompliant: unknown } }[] };
  return result.result?.[0]?.bindings.isCompliant === true;
}

describe('schemas', () => {
  it.each([KYVERNO, KYVERNO_IVPOL, POLICY_CONTROLLER])('%s is valid against its CRD', (file) => {
    const { status, output } = kubeconform(file);
    expect(status, output).toBe(0);
    expect(JSON.parse(output).summary).toMatchObject({ valid: 1, invalid: 0, errors: 0, skipped: 0 });
  });

  it('refuses a misspelt field and a missing required one', () => {
    const clusterPolicy = kubeconform(
      broken<KyvernoClusterPolicy>(KYVERNO, (doc) => {
        const keys = doc.spec.rules[0]!.verifyImages[0]!.attestations[0]!.attestors[0]!.entries[0]!.keys;
        keys.publicKey = keys.publicKeys;
        delete keys.publicKeys;
      }),
    );
    expect(clusterPolicy.status).toBe(1);
    expect(clusterPolicy.output).toMatch(/publicKey/);
    const kyverno = kubeconform(
      broken<KyvernoPolicy>(KYVERNO_IVPOL, (doc) => {
        doc.spec.attestations[0]!.intoto = { predicateType: PREDICATE_TYPE };
      }),
    );
    expect(kyverno.status).toBe(1);
    expect(kyverno.output).toMatch(/predicateType|type/);
    const controller = kubeconform(
      broken<ControllerPolicy>(POLICY_CONTROLLER, (doc) => {
        doc.spec.authorities[0]!.attestations[0]!.predicatetype = PREDICATE_TYPE;
        delete doc.spec.authorities[0]!.attestations[0]!.predicateType;
      }),
    );
    expect(controller.status).toBe(1);
    expect(controller.output).toMatch(/predicate[tT]ype/);
  });
});

describe('kyverno ClusterPolicy', () => {
  const rule = load<KyvernoClusterPolicy>(KYVERNO).spec.rules[0]!.verifyImages[0]!;
  const attestation = rule.attestations[0]!;

  it('verifies the dagship predicate type with the team key, without a transparency log', () => {
    expect(rule.failureAction).toBe('Enforce');
    expect(rule.required).toBe(true);
    expect(rule.attestations).toHaveLength(1);
    expect(attestation.type).toBe(PREDICATE_TYPE);
    const keys = attestation.attestors[0]!.entries[0]!.keys;
    expect(keys.publicKeys).toMatch(/^-----BEGIN PUBLIC KEY-----\n[\s\S]+\n-----END PUBLIC KEY-----$/);
    expect(keys.rekor.ignoreTlog).toBe(true);
  });

  it('admits only outcome passed and dirty false', () => {
    expect(attestation.conditions.flatMap((c) => c.all.map(({ key, operator, value }) => [key, operator, value]))).toEqual([
      ['{{ outcome }}', 'Equals', 'passed'],
      ['{{ dirty }}', 'Equals', false],
    ]);
  });

  it('matches the same images as the ImageValidatingPolicy', () => {
    const ivpol = load<KyvernoPolicy>(KYVERNO_IVPOL).spec.matchImageReferences.map((m) => m.glob);
    expect(rule.imageReferences).toEqual(ivpol);
  });
});

describe('kyverno ImageValidatingPolicy', () => {
  const { spec } = load<KyvernoPolicy>(KYVERNO_IVPOL);

  it('verifies the dagship predicate type with the team key', () => {
    expect(spec.attestations).toEqual([{ name: 'checkResult', intoto: { type: PREDICATE_TYPE } }]);
    expect(spec.attestors).toHaveLength(1);
    expect(spec.attestors[0]!.cosign.key.data).toMatch(/^-----BEGIN PUBLIC KEY-----\n[\s\S]+\n-----END PUBLIC KEY-----\n$/);
    expect(spec.validationActions).toEqual(['Deny']);
    expect(spec.failurePolicy).toBe('Fail');
    const expressions = spec.validations.map((v) => v.expression).join('\n');
    expect(expressions).toContain('verifyAttestationSignatures(image, attestations.checkResult, [attestors.team]) > 0');
  });

  it('admits only outcome passed and dirty false, read from the verified payload', () => {
    const expressions = spec.validations.map((v) => v.expression).join('\n');
    const conditions = [...expressions.matchAll(/extractPayload\(image, attestations\.(\w+)\)\.predicate\.(\w+) == ([^)\s]+)/g)];
    expect(conditions.map(([, attestation, field, value]) => [attestation, field, value])).toEqual([
      ['checkResult', 'outcome', "'passed'"],
      ['checkResult', 'dirty', 'false'],
    ]);
  });

  it('checks the images it matches, no more and no fewer', () => {
    // The repository placeholder is written twice (matchImageReferences and the filter); they must agree.
    const globs = spec.matchImageReferences.map((m) => m.glob);
    const prefixes = [...spec.variables[0]!.expression.matchAll(/startsWith\('([^']+)'\)/g)].map((m) => `${m[1]}*`);
    expect(prefixes).toEqual(globs);
    expect(spec.variables[0]!.expression).toContain('images.containers + images.initContainers + images.ephemeralContainers');
  });
});

describe('policy-controller', () => {
  const { spec } = load<ControllerPolicy>(POLICY_CONTROLLER);
  const attestation = spec.authorities[0]!.attestations[0]!;

  it('verifies the dagship predicate type with the team key, without a transparency log', () => {
    expect(spec.mode).toBe('enforce');
    expect(spec.authorities).toHaveLength(1);
    expect(spec.authorities[0]!.key.data).toMatch(/^-----BEGIN PUBLIC KEY-----\n[\s\S]+\n-----END PUBLIC KEY-----\n$/);
    expect(spec.authorities[0]!.ctlog).toBeUndefined();
    expect(attestation.predicateType).toBe(PREDICATE_TYPE);
    expect(attestation.policy.type).toBe('rego');
  });

  it('its Rego admits a passing clean result and refuses the others', () => {
    const rego = attestation.policy.data as string;
    expect(regoAdmits(rego, statement())).toBe(true);
    expect(regoAdmits(rego, statement({ outcome: 'failed' }))).toBe(false);
    expect(regoAdmits(rego, statement({ dirty: true }))).toBe(false);
    expect(regoAdmits(rego, statement({ dirty: undefined }))).toBe(false);
    expect(regoAdmits(rego, statement({ outcome: undefined }))).toBe(false);
    expect(regoAdmits(rego, statement({ dirty: 'false' }))).toBe(false);
    expect(regoAdmits(rego, statement({}, 'https://dagship.dev/check-result/v2'))).toBe(false);
  });
});
