import { describe, expect, it } from 'vitest';
import { tagImmutability } from '../../src/registry/immutability.js';

describe('tagImmutability (from the registry host name only)', () => {
  it('names the registries that can refuse a tag overwrite, and what to set', () => {
    expect(tagImmutability('123456789012.dkr.ecr.eu-west-1.amazonaws.com')).toMatchObject({ kind: 'Amazon ECR', canEnforce: true, advice: expect.stringContaining('imageTagMutability IMMUTABLE') });
    expect(tagImmutability('europe-west1-docker.pkg.dev')).toMatchObject({ kind: 'Google Artifact Registry', canEnforce: true, advice: expect.stringContaining('--immutable-tags') });
    expect(tagImmutability('team.azurecr.io')).toMatchObject({ canEnforce: true, advice: expect.stringContaining('--write-enabled false') });
  });

  it('says when the registry cannot, and when the name does not tell', () => {
    expect(tagImmutability('ghcr.io')).toMatchObject({ canEnforce: false });
    expect(tagImmutability('docker.io')).toMatchObject({ kind: 'Docker Hub', canEnforce: false });
    expect(tagImmutability('127.0.0.1:5111')).toMatchObject({ canEnforce: undefined, advice: expect.stringContaining('Harbor') });
    // A look-alike host is not ECR.
    expect(tagImmutability('dkr.ecr.example.com').canEnforce).toBeUndefined();
  });
});
