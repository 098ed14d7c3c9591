import { describe, expect, it } from 'vitest';
import { maskUriPasswords, redact, registerLookups, registerSecret, secretForms } from '../../src/secrets.js';

describe('secret forms', () => {
  const password = "p@ss/w:rd%2F 'x'";

  it('covers the raw value, every URL encoding Python and JavaScript write, the decoded value, escapes and base64', () => {
    const forms = secretForms(password);
    expect(forms).toEqual(
      expect.arrayContaining([
        password,
        encodeURIComponent(password),
        'p%40ss%2Fw%3Ard%252F%20%27x%27', // urllib.parse.quote(p, safe='')
        'p%40ss/w%3Ard%252F%20%27x%27', // quote(p)
        'p%40ss%2Fw%3Ard%252F+%27x%27', // quote_plus(p)
        "p@ss/w:rd/ 'x'", // the value URL-decoded
        Buffer.from(password).toString('base64'),
      ]),
    );
  });

  it('takes the password out of a URI, decoded, with user:password in base64 as basic auth sends it', () => {
    const forms = secretForms('postgres://etl:p%40ss%3Aword@db.internal/warehouse');
    expect(forms).toEqual(expect.arrayContaining(['p@ss:word', 'p%40ss%3Aword', Buffer.from('etl:p@ss:word').toString('base64')]));
  });

  it('masks every registered form in text, and the password of any URI', () => {
    registerLookups({ warehouse: { conn_type: 'postgres', login: 'etl', host: 'db.internal', password: 'hunter2:@x', port: 5432, extra: '{"token": "tok-123"}' } });
    registerSecret('bucket-secret');
    const leaked = ['hunter2:@x', 'hunter2%3A%40x', Buffer.from('hunter2:@x').toString('base64'), 'tok-123', 'bucket-secret'].join(' ');
    expect(redact(leaked)).toBe('*** *** *** *** ***');
    expect(redact('postgres://db:5432')).toBe('postgres://db:5432');
    // Not secrets, and masking them everywhere would garble paths: the checker masks them in DAG output.
    expect(redact('dags/etl.py on db.internal')).toBe('dags/etl.py on db.internal');
    expect(maskUriPasswords('see https://someone:ghp_x@github.com/t and http://svc:a%40b@h/')).toBe('see https://someone:***@github.com/t and http://svc:***@h/');
  });
});
