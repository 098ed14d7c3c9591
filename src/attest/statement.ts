/*
 * in-toto Statement v1 (https://in-toto.io/Statement/v1): what an attestation says, about which artifacts
 * (subjects by digest). It travels as the payload of a DSSE envelope of type application/vnd.in-toto+json,
 * which is what cosign, Kyverno and Sigstore policy-controller read.
 */

export const STATEMENT_TYPE = 'https://in-toto.io/Statement/v1';
export const INTOTO_PAYLOAD_TYPE = 'application/vnd.in-toto+json';

export interface Statement<P = unknown> {
  _type: typeof STATEMENT_TYPE;
  subject: { name: string; digest: Record<string, string> }[];
  predicateType: string;
  predicate: P;
}

/** A statement about one image: `name` is `registry/repository`, `digest` its manifest digest (`sha256:…`). */
export function statement<P>(name: string, digest: string, predicateType: string, predicate: P): Statement<P> {
  const [algorithm, hex] = digest.split(':');
  return { _type: STATEMENT_TYPE, subject: [{ name, digest: { [algorithm!]: hex! } }], predicateType, predicate };
}

/** The statement in a payload, or undefined when the payload is not an in-toto statement (v1, or v0.1 as cosign v2 wrote). */
export function parseStatement(payload: Buffer): Statement | undefined {
  try {
    const parsed = JSON.parse(payload.toString('utf8')) as Partial<Statement>;
    const known = parsed._type === STATEMENT_TYPE || parsed._type === 'https://in-toto.io/Statement/v0.1';
    if (known && Array.isArray(parsed.subject) && typeof parsed.predicateType === 'string') return parsed as Statement;
  } catch {
    // not JSON: not a statement
  }
  return undefined;
}

/** Whether the statement is about this exact digest. */
export function isAbout(s: Statement, digest: string): boolean {
  const [algorithm, hex] = digest.split(':');
  return s.subject.some((subject) => subject.digest?.[algorithm!] === hex);
}
