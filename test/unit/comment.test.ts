import { describe, expect, it } from 'vitest';
import { redactor, renderComment, stringsOf } from '../../src/report/comment.js';

describe('pull request comment', () => {
  it('lists errors first, then warnings, then clean files, with DAGs and import times', () => {
    const body = renderComment({
      title: 'dagship check',
      marker: '<!-- m -->',
      passed: false,
      files: [
        { path: 'dags/a.py', import_seconds: 0.5, status: 'ok', dags: [{ dag_id: 'a', tasks: 3 }], local_modules: [] },
        { path: 'dags/b.py', import_seconds: 1.25, status: 'ok', dags: [{ dag_id: 'b', tasks: 1 }], local_modules: [] },
        { path: 'dags/c.py', import_seconds: 0.1, status: 'error', dags: [], local_modules: [] },
      ],
      findings: [
        { tool: 'dagship', rule: 'dag-slow-import', severity: 'warning', file: 'dags/b.py', message: 'slow' },
        { tool: 'dagship', rule: 'dag-import-error', severity: 'error', file: 'dags/c.py', line: 4, message: 'ImportError: x | y\nmore' },
      ],
      secrets: [],
    });
    const rows = body.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| |') && !l.startsWith('| ---'));
    expect(rows.map((r) => r.split('|')[2]!.trim())).toEqual(['`dags/c.py`', '`dags/b.py`', '`dags/a.py`']);
    expect(rows[0]).toBe('| ❌ | `dags/c.py` | - | 0.10s | dag-import-error (line 4): ImportError: x \\| y |');
    expect(rows[2]).toBe('| ✅ | `dags/a.py` | `a` | 0.50s |  |');
    expect(body.startsWith('<!-- m -->\n### ❌ dagship check\n1 error(s), 1 warning(s), 0 note(s) in 3 file(s)')).toBe(true);
  });

  it('redacts known values, URI credentials and password pairs, but not connection types', () => {
    const secrets = stringsOf({ db: { conn_type: 'postgres', login: 'etl', password: 'hunter22', host: 'db.internal' }, api_token: 'tok_123456' });
    const redact = redactor(secrets);
    expect(redact('postgres login failed for hunter22 at db.internal')).toBe('postgres login failed for *** at ***');
    expect(redact('mysql://user:pa55@host/db and token=abcd1234')).toBe('mysql://***@host/db and token=***');
    expect(redact('value tok_123456')).toBe('value ***');
  });
});
