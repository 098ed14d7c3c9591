import { chartTrue, finding, type AuditContext } from '../context.js';
import { isMapping, type Path } from '../values.js';
import type { Finding } from '../../findings.js';

const WHAT: Record<string, string> = {
  apiServer: 'the Airflow UI and REST API (Airflow 3)',
  web: 'the Airflow webserver UI (Airflow 2)',
  flower: 'Flower, which can control Celery workers',
};

/** Ingresses that publish the UI over plain HTTP. No ingress at all is fine: nothing is exposed. */
export function exposureRules(ctx: AuditContext): Finding[] {
  const out: Finding[] = [];
  for (const name of ['apiServer', 'web', 'flower']) {
    if (name === 'flower' && !(ctx.executors.celery && chartTrue(ctx.values.get('flower.enabled')))) continue;
    // The deprecated ingress.enabled switches every ingress on.
    const enabled = chartTrue(ctx.values.get(['ingress', name, 'enabled'])) || chartTrue(ctx.values.get('ingress.enabled'));
    if (!enabled) continue;
    const missing = plainHost(ctx, name);
    if (!missing.length) continue;
    out.push(
      finding(ctx, {
        rule: 'helm-ingress-without-tls',
        severity: 'error',
        at: [...missing, ['ingress', name, 'enabled'], 'ingress.enabled'],
        message: `ingress.${name} is enabled without TLS: ${WHAT[name]} is served over plain HTTP, so logins, session cookies, tokens and connection passwords typed into forms cross the network in clear text`,
        help: `set ingress.${name}.hosts[].tls.enabled: true with tls.secretName (or ingress.${name}.tls.enabled and secretName); if TLS really ends at a load balancer in front of the ingress, record this finding in the baseline`,
      }),
    );
  }
  return out;
}

/**
 * Where the first host served without TLS is said, or [] when all have TLS. Hosts given as objects carry
 * their own tls; plain host names (and no hosts) use the ingress-wide, deprecated tls block.
 */
function plainHost(ctx: AuditContext, name: string): Path[] {
  const hosts = ctx.values.get(['ingress', name, 'hosts']);
  const shared = chartTrue(ctx.values.get(['ingress', name, 'tls', 'enabled']));
  const list = Array.isArray(hosts) && hosts.length ? hosts : [undefined];
  for (const [index, host] of list.entries()) {
    if (isMapping(host)) {
      if (!chartTrue(isMapping(host.tls) ? host.tls.enabled : undefined)) return [['ingress', name, 'hosts', String(index)]];
    } else if (!shared) {
      return [
        ['ingress', name, 'tls', 'enabled'],
        ['ingress', name, 'hosts', String(index)],
      ];
    }
  }
  return [];
}
